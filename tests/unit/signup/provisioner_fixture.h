// Shared by the provisioner's unit tests: request bodies, response fields and
// the verified session every test provisions.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>

#include "portico/parse_json.h"
#include "signup/session/signup_session_store.h"
#include "tests/fakes/fake_clock.h"

namespace portico::signup::testing {

inline constexpr char kSecret[] = "unit-key-hash-secret-0123456789abcdef0123";

// A provision body with `key` and any further members written as `, "a": 1`.
inline Json Body(const std::string& key, const std::string& extra = "") {
  StatusOr<Json> json = ParseJson(R"({"idempotencyKey": ")" + key + "\"" + extra + "}");
  EXPECT_TRUE(json.ok());
  return *json;
}

inline std::string Str(const Json& doc, std::string_view name) {
  const Json* v = doc.Find(name);
  return v != nullptr && v->is_string() ? v->as_string() : "<none>";
}

// Acme's session, email verified, expiring in a day.
inline SignupSession VerifiedSession(const portico::testing::FakeClock& clock) {
  SignupSession s;
  s.id = "session-0123456789";
  s.status = SignupStatus::kEmailVerified;
  s.company_name = "Acme";
  s.slug = "acme";
  s.modules = {"scim", "dcr"};
  s.admin_email = "jane@acme.example";
  s.legal = {"t1", "p1", clock.Now(), "192.0.2.1", "unit/1.0"};
  s.email_verified_at = clock.Now();
  s.created_at = s.updated_at = clock.Now();
  s.expires_at = clock.Now() + std::chrono::hours(24);
  return s;
}

}  // namespace portico::signup::testing
