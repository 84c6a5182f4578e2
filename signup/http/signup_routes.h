#pragma once

#include <string>

#include "signup/session/provisioner.h"
#include "signup/session/signup_service.h"
#include "src/http/router.h"

namespace portico::signup {

// The public signup API's prefix and the sessions collection under it.
inline constexpr char kSignupPrefix[] = "/api/public/signup";
inline constexpr char kSessionsPath[] = "/api/public/signup/sessions";

struct SignupRouteOptions {
  // SELF_SERVE_SIGNUP_ENABLED: false answers every /api/public/signup/*
  // request 503 FEATURE_DISABLED (with Retry-After: disabled_retry_after).
  bool enabled = true;
  int disabled_retry_after_seconds = 3600;
  // PUBLIC_BASE_URL without a trailing slash, for Location.
  std::string base_url;
  // POST …/sessions/:sessionId/provision, when set (must outlive the router).
  Provisioner* provisioner = nullptr;
};

// POST /api/public/signup/sessions (201, Location), GET …/sessions/:sessionId,
// POST …/sessions/:sessionId/verify-email and …/resend-otp (200); each
// answers the session view (session_view.h) with Cache-Control: no-store.
// POST …/sessions/:sessionId/provision answers the Provisioner's 201 or 202
// body (no-store: it may carry secrets).
// Bodies are application/json (415 otherwise). Every error, and every
// unknown path or method under the prefix, is the signup envelope
// (RenderSignupError). Also registers the signup page for people
// (signup_page.h: GET /signup and its assets). `service` must outlive the router.
void AddSignupRoutes(http::Router& router, SignupService& service, SignupRouteOptions options);

}  // namespace portico::signup
