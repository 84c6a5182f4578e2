#include "signup/http/signup_page.h"

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace portico::signup {
namespace {

constexpr char kIndex[] = "index.html";
constexpr char kEnabledMarker[] = "<body data-signup=\"enabled\">";
constexpr char kDisabledMarker[] = "<body data-signup=\"disabled\">";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The Content-Type of an embedded file; embed_page.cmake admits only these.
std::string ContentTypeOf(std::string_view name) {
  if (EndsWith(name, ".html")) return "text/html; charset=utf-8";
  if (EndsWith(name, ".css")) return "text/css; charset=utf-8";
  return "text/javascript; charset=utf-8";  // RFC 9239
}

http::Response WithPageHeaders(http::Response response) {
  response.WithHeader("Content-Security-Policy", kSignupPageCsp)
      .WithHeader("X-Content-Type-Options", "nosniff")
      .WithHeader("Referrer-Policy", "no-referrer");
  return response;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 §13.1.2: If-None-Match uses the weak comparison; "*" matches any.
bool MatchesIfNoneMatch(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view tag = TrimSpaces(header.substr(0, comma));
    if (tag == "*") return true;
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

void AddGet(http::Router& router, std::string pattern, http::Handler handler, std::string summary) {
  router.Add(http::Route{.method = "GET",
                         .pattern = std::move(pattern),
                         .family = "signup",
                         .handler = std::move(handler),
                         .summary = std::move(summary)});
}

}  // namespace

void AddSignupPageRoutes(http::Router& router, SignupPageOptions options) {
  for (const PageAsset& asset : EmbeddedPageAssets()) {
    const std::string content_type = ContentTypeOf(asset.name);
    if (asset.name == kIndex) {
      // The HTML changes with the setting, so it is built once here; no-store
      // because it is small and must reflect the setting after a restart.
      auto html = std::make_shared<const std::string>([&] {
        std::string page(asset.body);
        const size_t at = page.find(kEnabledMarker);
        assert(at != std::string::npos && "index.html must open <body data-signup=\"enabled\">");
        if (!options.enabled && at != std::string::npos) {
          page.replace(at, std::string_view(kEnabledMarker).size(), kDisabledMarker);
        }
        return page;
      }());
      AddGet(
          router, kSignupPagePath,
          [html, content_type](http::Request&) -> StatusOr<http::Response> {
            http::Response response = http::Response::Text(200, *html, content_type);
            response.NoStore();
            return WithPageHeaders(std::move(response));
          },
          "The self-serve signup page (HTML)");
      continue;
    }
    // Revalidated on every use (the URLs carry no version), cheap with the ETag.
    const std::string etag = "\"" + std::string(asset.sha256.substr(0, 32)) + "\"";
    const std::string_view body = asset.body;
    AddGet(
        router, std::string(kSignupPagePath) + "/" + std::string(asset.name),
        [body, etag, content_type](http::Request& req) -> StatusOr<http::Response> {
          const std::optional<std::string> if_none_match = req.Header("if-none-match");
          const bool fresh = if_none_match && MatchesIfNoneMatch(*if_none_match, etag);
          http::Response response =
              http::Response::Text(fresh ? 304 : 200, fresh ? "" : std::string(body), content_type);
          response.WithHeader("Cache-Control", "no-cache").WithHeader("ETag", etag);
          return WithPageHeaders(std::move(response));
        },
        "A file of the signup page (" + std::string(asset.name) + ")");
  }
  // "/signup/" would resolve the page's relative asset URLs one level too deep.
  AddGet(
      router, std::string(kSignupPagePath) + "/",
      [](http::Request&) -> StatusOr<http::Response> {
        http::Response response = http::Response::Text(308, "");
        response.WithHeader("Location", "../signup").WithHeader("Cache-Control", "no-cache");
        return WithPageHeaders(std::move(response));
      },
      "Redirects /signup/ to the page");
}

}  // namespace portico::signup
