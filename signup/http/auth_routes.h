#pragma once

#include "portico/hashing_pool.h"
#include "signup/account/account_service.h"
#include "src/http/router.h"

namespace portico::signup {

// The account API's paths.
inline constexpr char kAuthPrefix[] = "/api/auth";
inline constexpr char kSignUpPath[] = "/api/auth/sign-up";
inline constexpr char kSignInPath[] = "/api/auth/sign-in";
inline constexpr char kVerifyEmailPath[] = "/api/auth/verify-email";
inline constexpr char kResendVerificationPath[] = "/api/auth/verify-email/resend";

// POST sign-up, sign-in, verify-email and verify-email/resend, each with
// Authorization: Bearer <publicLoginToken> (or a tenant integration key) and
// an application/json body. The whole request runs on `pool` (it hashes and
// may call a CAPTCHA provider), never on a reactor thread; a full pool
// answers 503 SERVICE_BUSY with Retry-After. Browser support: OPTIONS on
// each path answers a CORS preflight (204) for an origin some tenant allows
// (the preflight carries no credential to pick the tenant by), and every
// answer to such an origin carries Access-Control-Allow-Origin; the tenant's
// own list is enforced on the real request (403 ORIGIN_FORBIDDEN). Errors
// are RenderAccountError's envelope. `service` and `pool` must outlive the
// router.
void AddAuthRoutes(http::Router& router, const AccountService& service, HashingPool& pool);

}  // namespace portico::signup
