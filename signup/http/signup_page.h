#pragma once

#include <span>
#include <string_view>

#include "src/http/router.h"

namespace portico::signup {

// Where the page lives; its CSS and JS are /signup/<file name>.
inline constexpr char kSignupPagePath[] = "/signup";

// Every page response's policy: the page loads only its own CSS and JS and
// talks only to its own origin; no inline code, no framing, no form posts
// (the JS submits with fetch), no <base>.
inline constexpr char kSignupPageCsp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

struct SignupPageOptions {
  // SELF_SERVE_SIGNUP_ENABLED: false serves the page marked as closed
  // (<body data-signup="disabled">), so it shows "signup is closed" at once
  // instead of a form the API would refuse with 503 FEATURE_DISABLED.
  bool enabled = true;
};

// GET /signup: the page (text/html, Cache-Control: no-store).
// GET /signup/<name> for every other embedded file (signup.css, signup.js):
// text/css or text/javascript with charset=utf-8, Cache-Control: no-cache and
// a strong ETag (the file's SHA-256), 304 Not Modified on a matching
// If-None-Match (a list, weak tags and * included).
// GET /signup/ answers 308 to ../signup (relative, so a path prefix is kept).
// Every answer carries Content-Security-Policy kSignupPageCsp,
// X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer. The page
// calls the API with paths relative to its own URL, so it works at
// PUBLIC_BASE_URL's origin. Registered by AddSignupRoutes. Never fails; the
// handlers are thread-safe.
void AddSignupPageRoutes(http::Router& router, SignupPageOptions options);

// One file of signup/page/, embedded at build time by
// signup/page/embed_page.cmake (the generated signup_page_assets.cc).
struct PageAsset {
  std::string_view name;    // "index.html", "signup.css", "signup.js"
  std::string_view body;    // the file's bytes
  std::string_view sha256;  // lowercase hex
};

// The embedded files, sorted by name. Thread-safe (static data).
std::span<const PageAsset> EmbeddedPageAssets();

}  // namespace portico::signup
