#include "src/openapi/openapi_document.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <utility>

#include "portico/parse_json.h"

#ifndef PORTICO_VERSION
#define PORTICO_VERSION "0.0.0"
#endif

namespace portico::openapi {
namespace {

// Each API family's error wire format (STYLE.md: one mapping file per family).
struct FamilyErrors {
  const char* schema;
  const char* media_type;
};

FamilyErrors ErrorsOf(const std::string& family) {
  if (family == "scim") return {"ScimError", "application/scim+json"};
  if (family == "dcr") return {"OAuthError", "application/json"};
  if (family == "signup") return {"SignupError", "application/json"};
  if (family == "auth") return {"AccountError", "application/json"};
  return {"Error", "application/json"};  // tenant, ops, wellknown: GenericErrorResponse
}

const char* Reason(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

Json Ref(const std::string& where) { return Json::MakeObject().Set("$ref", where); }

Json ErrorResponse(int status, const FamilyErrors& family) {
  Json content = Json::MakeObject();
  content.Set(
      family.media_type,
      Json::MakeObject().Set("schema", Ref(std::string("#/components/schemas/") + family.schema)));
  Json response = Json::MakeObject();
  response.Set("description", Reason(status)).Set("content", std::move(content));
  if (status == 429) {
    response.Set("headers",
                 Json::MakeObject()
                     .Set("Retry-After", Ref("#/components/headers/Retry-After"))
                     .Set("RateLimit", Ref("#/components/headers/RateLimit"))
                     .Set("RateLimit-Policy", Ref("#/components/headers/RateLimit-Policy")));
  }
  return response;
}

// "postScimV2UsersId": stable, unique per (method, path), readable in generated clients.
std::string OperationId(const std::string& method, const std::string& pattern) {
  std::string id;
  for (char c : method)
    id.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  bool upper = true;
  for (char c : pattern) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      id.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
      upper = false;
    } else {
      upper = true;
    }
  }
  if (pattern.size() > 1 && pattern.back() == '/') id += "Slash";
  return id;
}

std::vector<std::string> PathParams(const std::string& pattern) {
  std::vector<std::string> names;
  size_t at = 0;
  while ((at = pattern.find("/:", at)) != std::string::npos) {
    at += 2;
    const size_t end = pattern.find('/', at);
    names.push_back(pattern.substr(at, end == std::string::npos ? end : end - at));
  }
  return names;
}

bool HasPathParam(const Json& operation, const std::string& name) {
  const Json* params = operation.Find("parameters");
  if (params == nullptr || !params->is_array()) return false;
  for (const Json& p : params->as_array()) {
    const Json* n = p.Find("name");
    const Json* in = p.Find("in");
    if (n != nullptr && in != nullptr && n->is_string() && n->as_string() == name &&
        in->is_string() && in->as_string() == "path") {
      return true;
    }
  }
  return false;
}

// OWASP API4 asks every string and array schema for a bound. Where a validator
// sets none, the request size limit is the bound (larger bodies get 413), so
// the document says exactly that instead of inventing a tighter number.
void BoundUnlimited(Json& node, int64_t max_bytes) {
  if (node.is_array()) {
    for (Json& item : node.as_array()) BoundUnlimited(item, max_bytes);
    return;
  }
  if (!node.is_object()) return;
  const Json* type = node.Find("type");
  if (type != nullptr && type->is_string()) {
    const std::string& t = type->as_string();
    if (t == "string" && node.Find("maxLength") == nullptr && node.Find("enum") == nullptr &&
        node.Find("const") == nullptr) {
      node.Set("maxLength", max_bytes);
    } else if (t == "array" && node.Find("maxItems") == nullptr) {
      node.Set("maxItems", max_bytes / 2);  // "[0,0,…]": at least two bytes per item
    }
  }
  for (auto& [key, value] : node.as_object()) {
    // An example is data, not a schema.
    if (key != "example" && key != "examples") BoundUnlimited(value, max_bytes);
  }
}

// Every 2xx and 4xx response names the RateLimit header (OWASP API4); the
// header's own description says on which answers Portico actually sends it.
void AddRateLimitHeader(Json& responses) {
  for (auto& [code, response] : responses.as_object()) {
    if (code.empty() || (code[0] != '2' && code[0] != '4') || !response.is_object()) continue;
    Json* headers = response.Find("headers");
    if (headers == nullptr) {
      response.Set("headers", Json::MakeObject());
      headers = response.Find("headers");
    }
    if (headers->Find("RateLimit") == nullptr) {
      headers->Set("RateLimit", Ref("#/components/headers/RateLimit"));
    }
  }
}

// The tags (one per route family), in first-seen order, described for readers.
Json Tags(const std::vector<std::string>& families) {
  static const std::map<std::string, std::string> kDescriptions = {
      {"ops", "Operations: health, readiness, this document and the API catalog"},
      {"tenant", "Tenant administration with an integration key"},
      {"scim", "SCIM 2.0 provisioning (RFC 7643/7644)"},
      {"dcr", "OAuth 2.0: dynamic client registration (RFC 7591/7592) and tokens"},
      {"wellknown", "Discovery documents (RFC 8414, OpenID Connect Discovery)"},
      {"signup", "Self-serve signup sessions and the signup page"},
      {"auth", "Account sign-up and sign-in with a publicLoginToken"}};
  Json tags = Json::MakeArray();
  for (const std::string& family : families) {
    auto found = kDescriptions.find(family);
    tags.Push(Json::MakeObject()
                  .Set("name", family)
                  .Set("description", found != kDescriptions.end() ? found->second : family));
  }
  return tags;
}

std::string Key(const std::string& method, const std::string& pattern) {
  return method + " " + pattern;
}

StatusOr<Json> Operation(const http::Route& route, const RouteDoc& doc) {
  StatusOr<Json> parsed = ParseJson(doc.operation);
  if (!parsed.ok() || !parsed->is_object()) {
    return InvalidArgument("openapi: the documentation of " + Key(doc.method, doc.pattern) +
                           " is not a JSON object: " + parsed.status().message());
  }
  Json op = Json::MakeObject();
  op.Set("operationId", OperationId(route.method, route.pattern));
  op.Set("summary", route.summary);
  op.Set("tags", Json::MakeArray().Push(route.family));
  for (auto& [key, value] : parsed->as_object()) op.Set(key, std::move(value));
  // Public routes say so with `security: []`: nothing is left to a global default.
  if (op.Find("security") == nullptr) {
    return InvalidArgument("openapi: " + Key(doc.method, doc.pattern) +
                           " does not state its security (use [] for a public route)");
  }
  for (const std::string& name : PathParams(route.pattern)) {
    if (HasPathParam(op, name)) continue;
    if (op.Find("parameters") == nullptr) op.Set("parameters", Json::MakeArray());
    op.Find("parameters")
        ->Push(Json::MakeObject()
                   .Set("name", name)
                   .Set("in", "path")
                   .Set("required", true)
                   .Set("schema", Json::MakeObject().Set("type", "string").Set("maxLength", 256)));
  }
  if (op.Find("responses") == nullptr) op.Set("responses", Json::MakeObject());
  Json& responses = *op.Find("responses");
  const FamilyErrors family = ErrorsOf(route.family);
  std::vector<int> errors = doc.errors;
  // Any handler may fail unexpectedly; the answer is the family's error format.
  if (std::find(errors.begin(), errors.end(), 500) == errors.end()) errors.push_back(500);
  for (int status : errors) {
    const std::string code = std::to_string(status);
    if (responses.Find(code) == nullptr) responses.Set(code, ErrorResponse(status, family));
  }
  AddRateLimitHeader(responses);
  return op;
}

}  // namespace

std::string OpenApiPath(const std::string& pattern) {
  std::string out;
  out.reserve(pattern.size() + 4);
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == ':' && i > 0 && pattern[i - 1] == '/') {
      const size_t end = pattern.find('/', i);
      const size_t stop = end == std::string::npos ? pattern.size() : end;
      out += "{" + pattern.substr(i + 1, stop - i - 1) + "}";
      i = stop;
    } else {
      out.push_back(pattern[i++]);
    }
  }
  return out;
}

bool IsTestHook(const http::Route& route) { return route.family == "test"; }

StatusOr<Json> BuildDocument(const std::vector<http::Route>& routes,
                             const std::vector<RouteDoc>& docs, Json components,
                             const DocumentOptions& options) {
  std::map<std::string, const RouteDoc*> by_key;
  for (const RouteDoc& doc : docs) {
    if (!by_key.emplace(Key(doc.method, doc.pattern), &doc).second) {
      return InvalidArgument("openapi: " + Key(doc.method, doc.pattern) + " is documented twice");
    }
  }
  std::string undocumented;
  std::set<std::string> served;
  std::vector<std::string> families;
  // Paths in route-table order, methods within a path in the same order.
  Json paths = Json::MakeObject();
  for (const http::Route& route : routes) {
    if (IsTestHook(route)) continue;
    const std::string key = Key(route.method, route.pattern);
    served.insert(key);
    if (std::find(families.begin(), families.end(), route.family) == families.end()) {
      families.push_back(route.family);
    }
    auto found = by_key.find(key);
    if (found == by_key.end()) {
      undocumented += (undocumented.empty() ? "" : ", ") + key;
      continue;
    }
    PORTICO_ASSIGN_OR_RETURN(Json op, Operation(route, *found->second));
    const std::string path = OpenApiPath(route.pattern);
    if (paths.Find(path) == nullptr) paths.Set(path, Json::MakeObject());
    std::string method;
    for (char c : route.method) {
      method.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    paths.Find(path)->Set(method, std::move(op));
  }
  std::string stale;
  for (const RouteDoc& doc : docs) {
    if (doc.may_be_absent || served.contains(Key(doc.method, doc.pattern))) continue;
    stale += (stale.empty() ? "" : ", ") + Key(doc.method, doc.pattern);
  }
  if (!undocumented.empty() || !stale.empty()) {
    std::string message = "openapi: the route table and its documentation differ";
    if (!undocumented.empty()) message += "; routes without documentation: " + undocumented;
    if (!stale.empty()) message += "; documentation of routes that do not exist: " + stale;
    return FailedPrecondition(message);
  }

  Json doc = Json::MakeObject();
  doc.Set("openapi", "3.1.0");
  doc.Set("info",
          Json::MakeObject()
              .Set("title", "Portico")
              .Set("version", options.version)
              .Set("summary",
                   "Self-service onboarding: OAuth dynamic client registration, SCIM provisioning "
                   "and sign-up")
              .Set("description",
                   "Generated at start-up from the server's route table, so every route it serves "
                   "is here (test-only hooks excepted). Each API family answers errors in its own "
                   "format: SCIM errors (RFC 7644 §3.12), OAuth errors (RFC 6749 §5.2 / RFC 7591 "
                   "§3.2.2), the signup envelope {code, message, details} and the account envelope "
                   "{success: false, error}. Strings and arrays without a tighter documented limit "
                   "are bounded by the request size limit of " +
                       std::to_string(options.max_body_bytes) +
                       " bytes (413 beyond). Public routes declare `security: []` and describe "
                       "their abuse controls (rate limits, one-time codes, CAPTCHA)."));
  doc.Set("servers",
          Json::MakeArray().Push(
              Json::MakeObject()
                  .Set("url", options.base_url)
                  .Set("description",
                       "This deployment (PUBLIC_BASE_URL): production, staging or local as "
                       "its operator configured it")
                  .Set("x-internal", false)));
  doc.Set("tags", Tags(families));
  doc.Set("paths", std::move(paths));
  doc.Set("components", std::move(components));
  BoundUnlimited(*doc.Find("paths"), options.max_body_bytes);
  BoundUnlimited(*doc.Find("components"), options.max_body_bytes);
  return doc;
}

StatusOr<Json> BuildOpenApiDocument(const std::vector<http::Route>& routes,
                                    DocumentOptions options) {
  if (options.version.empty()) options.version = PORTICO_VERSION;
  return BuildDocument(routes, PorticoRouteDocs(), PorticoComponents(), options);
}

}  // namespace portico::openapi
