#pragma once

#include <string>

#include "support/portico_process.h"
#include "support/test_database.h"

namespace portico::testing {

// Secrets for PostgreSQL runs (which require them); SQLite runs generate theirs.
inline constexpr char kTestOtpPepper[] = "test-otp-pepper-0123456789abcdef0123456789";
inline constexpr char kTestKeyHashSecret[] = "test-key-hash-secret-0123456789abcdef012345";

// The environment for a `portico` process on `db`.
inline EnvVars BaseEnv(const TestDatabase& db) {
  EnvVars env{{"DATABASE_URL", db.url()},
              {"MAIL_URL", "console:"},
              {"PORTICO_HTTP_THREADS", "2"},
              {"PORTICO_OUTBOX_POLL_MS", "50"},
              {"PORTICO_ENABLE_TEST_HOOKS", "1"}};
  if (db.backend() == Backend::kPostgres) {
    env["OTP_PEPPER"] = kTestOtpPepper;
    env["KEY_HASH_SECRET"] = kTestKeyHashSecret;
  }
  return env;
}

}  // namespace portico::testing
