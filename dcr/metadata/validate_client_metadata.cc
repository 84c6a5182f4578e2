// ValidateClientMetadata: the rules of RFC 7591 §2, OpenID Connect Dynamic
// Client Registration 1.0 §2 and RFC 8252 §7 for a registration request.
// Rules run in a fixed order so that the first error reported is
// predictable: member syntax in registration-response order, then the rules
// that relate members.

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dcr/metadata/client_metadata.h"
#include "dcr/metadata/syntax.h"
#include "dcr/metadata/uri.h"

namespace portico::dcr {
namespace {

constexpr char kMetadataTag[] = "invalid_client_metadata";
constexpr char kRedirectTag[] = "invalid_redirect_uri";
constexpr char kStatementTag[] = "invalid_software_statement";

constexpr char kAuthorizationCode[] = "authorization_code";
constexpr char kImplicit[] = "implicit";
constexpr char kClientCredentials[] = "client_credentials";

// Output order of the registered metadata: RFC 7591 §2, then OpenID Connect
// DCR §2 and RP-Initiated Logout §3.1. Language-tagged variants follow their
// field.
constexpr std::string_view kFieldOrder[] = {
    "redirect_uris",
    "token_endpoint_auth_method",
    "grant_types",
    "response_types",
    "application_type",
    "client_name",
    "client_uri",
    "logo_uri",
    "scope",
    "contacts",
    "tos_uri",
    "policy_uri",
    "jwks_uri",
    "jwks",
    "software_id",
    "software_version",
    "software_statement",
    "sector_identifier_uri",
    "subject_type",
    "id_token_signed_response_alg",
    "id_token_encrypted_response_alg",
    "id_token_encrypted_response_enc",
    "userinfo_signed_response_alg",
    "userinfo_encrypted_response_alg",
    "userinfo_encrypted_response_enc",
    "request_object_signing_alg",
    "request_object_encryption_alg",
    "request_object_encryption_enc",
    "token_endpoint_auth_signing_alg",
    "default_max_age",
    "require_auth_time",
    "default_acr_values",
    "initiate_login_uri",
    "request_uris",
    "post_logout_redirect_uris",
};

// RFC 7591 §2.2: the human-readable members that may carry "#language-tag".
constexpr std::string_view kHumanReadable[] = {"client_name", "client_uri", "logo_uri", "tos_uri",
                                               "policy_uri"};

// Schemes that run code, read local files or stay inside the browser: never
// a place to send an authorization response or a user.
constexpr std::string_view kForbiddenSchemes[] = {
    "javascript", "vbscript",    "livescript", "data",  "file",   "about",  "blob",
    "filesystem", "view-source", "jar",        "mhtml", "ms-its", "intent", "chrome",
};

// OpenID Connect DCR §2: the default JWE "enc" when only the "alg" is given.
constexpr char kDefaultEncryptionEnc[] = "A128CBC-HS256";

template <typename Range>
bool Contains(const Range& range, std::string_view value) {
  return std::find(std::begin(range), std::end(range), value) != std::end(range);
}

bool Has(const std::vector<std::string>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

Status MetadataError(std::string message) {
  return InvalidArgument(std::move(message)).WithTag(kMetadataTag);
}

Status RedirectError(std::string message) {
  return InvalidArgument(std::move(message)).WithTag(kRedirectTag);
}

Status TaggedError(const char* tag, std::string message) {
  return InvalidArgument(std::move(message)).WithTag(tag);
}

// A client value for an error message: JSON-quoted, cut at 80 octets on a
// UTF-8 boundary so the message stays short and well-formed.
std::string Quote(std::string_view value) {
  constexpr size_t kMax = 80;
  if (value.size() <= kMax) return Json(value).Dump();
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xc0) == 0x80) --cut;
  return Json(std::string(value.substr(0, cut)) + "...").Dump();
}

std::string Indexed(std::string_view member, size_t index) {
  return std::string(member) + "[" + std::to_string(index) + "]";
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string JoinSet(const std::set<std::string>& values) {
  std::string out;
  for (const std::string& value : values) {
    if (!out.empty()) out += ", ";
    out += value;
  }
  return out;
}

// RFC 8259 §4 says names within an object SHOULD be unique; a request that
// repeats one is ambiguous (which value wins depends on the parser), so it is
// refused wherever it occurs.
Status CheckNoDuplicateMembers(const Json& value, const std::string& where) {
  if (value.is_array()) {
    const Json::Array& entries = value.as_array();
    for (size_t i = 0; i < entries.size(); ++i) {
      PORTICO_RETURN_IF_ERROR(CheckNoDuplicateMembers(entries[i], Indexed(where, i)));
    }
  } else if (value.is_object()) {
    std::set<std::string_view> seen;
    for (const auto& [name, member] : value.as_object()) {
      if (!seen.insert(name).second) {
        return MetadataError("duplicate member " + Quote(name) +
                             (where.empty() ? std::string() : " in " + where));
      }
      PORTICO_RETURN_IF_ERROR(
          CheckNoDuplicateMembers(member, where.empty() ? name : where + "." + name));
    }
  }
  return Status::Ok();
}

// --- member syntax -------------------------------------------------------

StatusOr<std::string> ExpectString(const Json& value, const std::string& where, const char* tag) {
  if (!value.is_string()) return TaggedError(tag, where + " must be a string");
  if (value.as_string().empty()) return TaggedError(tag, where + " must not be empty");
  return value.as_string();
}

// Text shown to people or compared by software: UTF-8, no control
// characters, bounded.
Status CheckText(const std::string& text, const std::string& where, const MetadataLimits& limits) {
  if (text.size() > limits.max_text_length) {
    return MetadataError(where + " is longer than " + std::to_string(limits.max_text_length) +
                         " bytes");
  }
  if (!IsValidUtf8(text)) return MetadataError(where + " is not valid UTF-8");
  if (HasControlCharacter(text)) return MetadataError(where + " contains a control character");
  return Status::Ok();
}

StatusOr<std::string> ExpectText(const Json& value, const std::string& where,
                                 const MetadataLimits& limits) {
  PORTICO_ASSIGN_OR_RETURN(std::string text, ExpectString(value, where, kMetadataTag));
  PORTICO_RETURN_IF_ERROR(CheckText(text, where, limits));
  return text;
}

// An array of non-empty strings, at most `max` after removing exact
// duplicates (kept once, first position).
StatusOr<std::vector<std::string>> ExpectStringArray(const Json& value, const std::string& where,
                                                     size_t max, const char* tag) {
  if (!value.is_array()) return TaggedError(tag, where + " must be an array of strings");
  std::vector<std::string> out;
  const Json::Array& entries = value.as_array();
  for (size_t i = 0; i < entries.size(); ++i) {
    PORTICO_ASSIGN_OR_RETURN(std::string entry, ExpectString(entries[i], Indexed(where, i), tag));
    if (!Has(out, entry)) out.push_back(std::move(entry));
  }
  if (out.size() > max) {
    return TaggedError(tag, where + " has more than " + std::to_string(max) + " entries");
  }
  return out;
}

// Syntax every URI member shares: bounded, well-formed and absolute, no user
// information (it hides the real host: "https://trusted.example@evil.example"),
// no scheme that runs code or reads local data, and for http(s) a DNS name or
// IP address as host.
StatusOr<Uri> CheckUri(const std::string& text, const std::string& where,
                       const MetadataLimits& limits, const char* tag) {
  if (text.size() > limits.max_uri_length) {
    return TaggedError(
        tag, where + " is longer than " + std::to_string(limits.max_uri_length) + " characters");
  }
  // The scheme first: "data:text/html,<script>…" should be refused for its
  // scheme, not for its '<'.
  if (const size_t colon = text.find(':'); colon != std::string::npos) {
    const std::string scheme = Lower(std::string_view(text).substr(0, colon));
    if (Contains(kForbiddenSchemes, scheme)) {
      return TaggedError(tag, where + " uses the forbidden scheme " + Quote(scheme + ":"));
    }
  }
  StatusOr<Uri> parsed = ParseAbsoluteUri(text);
  if (!parsed.ok()) {
    return TaggedError(tag, where + " " + Quote(text) + " " + parsed.status().message());
  }
  const Uri& uri = *parsed;
  if (uri.has_userinfo) {
    return TaggedError(tag, where + " " + Quote(text) + " must not contain user information");
  }
  if (uri.scheme == "http" || uri.scheme == "https") {
    if (!uri.has_authority || uri.host.empty()) {
      return TaggedError(tag, where + " " + Quote(text) + " has no host");
    }
    if (uri.host_kind == HostKind::kRegName) {
      // A DNS name: letters, digits, hyphens (and underscores, which some
      // internal names use), no empty label. Percent-encoding or other
      // RFC 3986 sub-delims in a host only serve to confuse URL parsers.
      bool ok = uri.host.front() != '.' && uri.host.back() != '.' &&
                uri.host.find("..") == std::string::npos;
      for (char c : uri.host) {
        ok = ok &&
             ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
      }
      if (!ok) {
        return TaggedError(tag, where + " " + Quote(text) + " has a host that is not a DNS name");
      }
      if (IsAmbiguousNumericHost(uri)) {
        return TaggedError(tag, where + " " + Quote(text) +
                                    " has a numeric host that is not a dotted-quad IPv4 address");
      }
    } else if (uri.host_kind == HostKind::kIpFuture) {
      return TaggedError(tag, where + " " + Quote(text) + " has an unsupported IP literal");
    }
  }
  return parsed;
}

// URIs of web pages and documents the server or a browser fetches
// (client_uri, logo_uri, jwks_uri, …): https, or a loopback host in
// development.
Status CheckHttpsUri(const Uri& uri, const std::string& text, const std::string& where,
                     const RegistrationPolicy& policy, bool allow_fragment) {
  if (uri.scheme != "https" && uri.scheme != "http") {
    return MetadataError(where + " " + Quote(text) + " must use https");
  }
  if (IsLoopbackHost(uri)) {
    if (!policy.allow_http_loopback_for_web) {
      return MetadataError(where + " " + Quote(text) + " must not use a loopback host");
    }
  } else if (uri.scheme != "https") {
    return MetadataError(where + " " + Quote(text) + " must use https");
  }
  if (!allow_fragment && uri.fragment) {
    return MetadataError(where + " " + Quote(text) + " must not contain a fragment");
  }
  return Status::Ok();
}

// --- redirect URIs -------------------------------------------------------

bool HostMatches(std::string_view host, const std::vector<std::string>& patterns) {
  if (patterns.empty()) return true;
  for (const std::string& raw : patterns) {
    const std::string pattern = Lower(raw);
    if (pattern.size() > 2 && pattern.compare(0, 2, "*.") == 0) {
      const std::string_view suffix = std::string_view(pattern).substr(1);  // ".example.com"
      if (host.size() > suffix.size() && host.substr(host.size() - suffix.size()) == suffix) {
        return true;
      }
    } else if (host == pattern) {
      return true;
    }
  }
  return false;
}

// RFC 8252 §7.1: "com.example.app" names the domain app.example.com.
std::string ReversedDomain(std::string_view scheme) {
  std::vector<std::string_view> labels;
  size_t start = 0;
  while (true) {
    const size_t dot = scheme.find('.', start);
    labels.push_back(
        scheme.substr(start, dot == std::string_view::npos ? scheme.npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  std::string out;
  for (auto it = labels.rbegin(); it != labels.rend(); ++it) {
    if (!out.empty()) out += '.';
    out += *it;
  }
  return out;
}

enum class ApplicationType { kWeb, kNative };

// The rules for one redirection endpoint (RFC 6749 §3.1.2, OpenID Connect
// DCR §2 application_type, RFC 8252 §7). `implicit`: the client uses the
// implicit grant, which OpenID Connect restricts to https without localhost.
Status CheckRedirectUri(const Uri& uri, const std::string& text, const std::string& where,
                        ApplicationType type, bool implicit, const RegistrationPolicy& policy,
                        const char* tag) {
  const std::string shown = where + " " + Quote(text);
  if (uri.fragment) {
    return TaggedError(tag, shown + " must not contain a fragment (RFC 6749 §3.1.2)");
  }
  const bool web_scheme = uri.scheme == "https" || uri.scheme == "http";
  const bool loopback = web_scheme && IsLoopbackHost(uri);
  if (type == ApplicationType::kWeb) {
    if (!web_scheme) {
      if (uri.scheme.find('.') != std::string::npos) {
        return TaggedError(tag, shown +
                                    " uses a private-use scheme, which only native clients may "
                                    "register (set application_type to \"native\")");
      }
      return TaggedError(tag, shown + " must use https");
    }
    if (loopback) {
      if (implicit) {
        return TaggedError(tag, shown +
                                    " must not use a loopback host: web clients using the "
                                    "implicit grant must use https with a public host");
      }
      if (!policy.allow_http_loopback_for_web) {
        return TaggedError(tag, shown +
                                    " uses a loopback host, which only native clients may "
                                    "register (set application_type to \"native\")");
      }
      return Status::Ok();  // development: http or https on the loopback host
    }
    if (uri.scheme != "https") return TaggedError(tag, shown + " must use https");
  } else if (uri.scheme == "http") {
    if (!IsNativeLoopbackHost(uri)) {
      return TaggedError(tag, shown +
                                  " may use http only with a loopback host: 127.0.0.1, [::1] "
                                  "or localhost (RFC 8252 §7.3)");
    }
    return Status::Ok();  // any port: the authorization request may name another
  } else if (uri.scheme == "https") {
    if (loopback) {
      return TaggedError(tag, shown +
                                  " must not use a loopback host with https; loopback "
                                  "redirects use http (RFC 8252 §7.3)");
    }
  } else {
    // RFC 8252 §7.1: a private-use scheme is a reverse domain name the app
    // controls, so that apps do not collide on "myapp:".
    if (uri.scheme.find('.') == std::string::npos) {
      return TaggedError(tag, shown +
                                  " must use https, http on a loopback host, or a private-use "
                                  "scheme in reverse domain form such as com.example.app "
                                  "(RFC 8252 §7.1)");
    }
    if (!HostMatches(ReversedDomain(uri.scheme), policy.allowed_redirect_hosts)) {
      return TaggedError(tag, shown + " uses a scheme whose domain this tenant does not allow");
    }
    return Status::Ok();
  }
  if (!loopback && !HostMatches(uri.host, policy.allowed_redirect_hosts)) {
    return TaggedError(tag, shown + " names a host this tenant does not allow");
  }
  return Status::Ok();
}

struct ParsedUriList {
  std::vector<std::string> texts;
  std::vector<Uri> uris;
};

StatusOr<ParsedUriList> ParseUriList(const Json& value, std::string_view member,
                                     const MetadataLimits& limits, const char* tag) {
  ParsedUriList out;
  PORTICO_ASSIGN_OR_RETURN(
      out.texts, ExpectStringArray(value, std::string(member), limits.max_redirect_uris, tag));
  for (size_t i = 0; i < out.texts.size(); ++i) {
    PORTICO_ASSIGN_OR_RETURN(Uri uri, CheckUri(out.texts[i], Indexed(member, i), limits, tag));
    out.uris.push_back(std::move(uri));
  }
  return out;
}

// --- grant and response types --------------------------------------------

struct ResponseType {
  std::string text;  // as registered
  bool code = false;
  bool token = false;
  bool id_token = false;
  bool NeedsImplicit() const { return token || id_token; }
};

// OAuth 2.0 Multiple Response Type Encoding Practices §3: a response type is
// a space-separated set of words; order does not matter. Words known here:
// code, token, id_token ("none" is not supported).
StatusOr<ResponseType> ParseResponseType(const std::string& text, const std::string& where) {
  ResponseType type;
  type.text = text;
  size_t start = 0;
  while (true) {
    const size_t space = text.find(' ', start);
    const std::string word =
        text.substr(start, space == std::string::npos ? std::string::npos : space - start);
    bool* flag = word == "code"       ? &type.code
                 : word == "token"    ? &type.token
                 : word == "id_token" ? &type.id_token
                                      : nullptr;
    if (word.empty()) {
      return MetadataError(where + " " + Quote(text) +
                           " must be response type words separated by single spaces");
    }
    if (flag == nullptr) {
      return MetadataError(where + " " + Quote(text) + " has the unknown response type " +
                           Quote(word));
    }
    if (*flag) return MetadataError(where + " " + Quote(text) + " repeats " + Quote(word));
    *flag = true;
    if (space == std::string::npos) break;
    start = space + 1;
  }
  return type;
}

bool SameResponseType(const ResponseType& a, const ResponseType& b) {
  return a.code == b.code && a.token == b.token && a.id_token == b.id_token;
}

// --- the request, member by member ---------------------------------------

struct LanguageVariant {
  std::string member;  // exactly as sent, e.g. "client_name#ja-Jpan-JP"
  const Json* value;
};

struct Members {
  std::map<std::string_view, const Json*> fields;                     // known, non-null members
  std::map<std::string_view, std::vector<LanguageVariant>> variants;  // by field
};

StatusOr<Members> CollectMembers(const Json& request, const MetadataLimits& limits) {
  Members members;
  size_t variant_count = 0;
  std::map<std::string, std::string> seen_tags;  // "field#lowercase-tag" → member as sent
  for (const auto& [name, value] : request.as_object()) {
    if (value.is_null()) continue;  // null means absent
    if (const auto* field = std::find(std::begin(kFieldOrder), std::end(kFieldOrder), name);
        field != std::end(kFieldOrder)) {
      members.fields[*field] = &value;
      continue;
    }
    const size_t hash = name.find('#');
    if (hash == std::string::npos) continue;  // unknown: ignored (RFC 7591 §2)
    const std::string_view base = std::string_view(name).substr(0, hash);
    const auto* field = std::find(std::begin(kHumanReadable), std::end(kHumanReadable), base);
    if (field == std::end(kHumanReadable)) continue;  // "scope#fr" is no RFC 7591 §2.2 member
    const std::string tag = name.substr(hash + 1);
    if (!IsWellFormedLanguageTag(tag)) {
      return MetadataError(Quote(name) + " has a malformed language tag (BCP 47, RFC 7591 §2.2)");
    }
    // Language tags compare case-insensitively (RFC 5646 §2.1.1): "#fr" and
    // "#FR" would be two values for one language.
    const auto [it, inserted] = seen_tags.emplace(std::string(base) + "#" + Lower(tag), name);
    if (!inserted) {
      return MetadataError(Quote(name) + " repeats the language of " + Quote(it->second) +
                           " (language tags are case-insensitive)");
    }
    if (++variant_count > limits.max_language_variants) {
      return MetadataError("more than " + std::to_string(limits.max_language_variants) +
                           " language-tagged members");
    }
    members.variants[*field].push_back({name, &value});
  }
  return members;
}

class Validator {
 public:
  Validator(const Json& request, const RegistrationPolicy& policy,
            const JwksValidator& validate_jwks)
      : request_(request), policy_(policy), limits_(policy.limits), validate_jwks_(validate_jwks) {}

  StatusOr<ClientMetadata> Run() {
    if (!request_.is_object()) {
      return MetadataError("the registration request must be a JSON object");
    }
    PORTICO_RETURN_IF_ERROR(CheckNoDuplicateMembers(request_, ""));
    PORTICO_ASSIGN_OR_RETURN(members_, CollectMembers(request_, limits_));

    PORTICO_RETURN_IF_ERROR(SoftwareStatement());
    PORTICO_RETURN_IF_ERROR(AuthMethod());
    PORTICO_RETURN_IF_ERROR(GrantAndResponseTypes());
    PORTICO_RETURN_IF_ERROR(RedirectUris());
    PORTICO_RETURN_IF_ERROR(HumanReadable());
    PORTICO_RETURN_IF_ERROR(Scope());
    PORTICO_RETURN_IF_ERROR(Contacts());
    PORTICO_RETURN_IF_ERROR(Keys());
    PORTICO_RETURN_IF_ERROR(Software());
    PORTICO_RETURN_IF_ERROR(SubjectType());
    PORTICO_RETURN_IF_ERROR(Algorithms());
    PORTICO_RETURN_IF_ERROR(OpenIdMisc());
    PORTICO_RETURN_IF_ERROR(PostLogoutRedirectUris());
    PORTICO_RETURN_IF_ERROR(KeysRequired());
    PORTICO_RETURN_IF_ERROR(ValidateJwks());
    return ClientMetadata::FromRegistered(Assemble());
  }

 private:
  const Json* Field(std::string_view name) const {
    const auto it = members_.fields.find(name);
    return it == members_.fields.end() ? nullptr : it->second;
  }
  void Put(std::string_view name, Json value) { out_[std::string(name)] = std::move(value); }
  static Json StringsJson(const std::vector<std::string>& values) {
    Json::Array array;
    for (const std::string& value : values) array.emplace_back(value);
    return Json(std::move(array));
  }
  bool UsesIdTokens() const {
    return Has(grant_types_, kAuthorizationCode) || Has(grant_types_, kImplicit);
  }

  Status SoftwareStatement() {
    // Verified and merged by the service (RFC 7591 §2.3); kept only to be
    // echoed unmodified (§3.2.1). Checked here just for its JWS shape, so a
    // malformed value never reaches the store.
    const Json* value = Field("software_statement");
    if (value == nullptr) return Status::Ok();
    if (!value->is_string() || value->as_string().empty() ||
        value->as_string().size() > limits_.max_software_statement_length) {
      return TaggedError(kStatementTag, "software_statement must be a JWS in compact form");
    }
    const std::string& jws = value->as_string();
    size_t dots = 0;
    for (char c : jws) {
      const bool base64url = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                             (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (c == '.') {
        ++dots;
      } else if (!base64url) {
        return TaggedError(kStatementTag, "software_statement must be a JWS in compact form");
      }
    }
    if (dots != 2) {
      return TaggedError(kStatementTag, "software_statement must be a JWS in compact form");
    }
    Put("software_statement", *value);
    return Status::Ok();
  }

  Status AuthMethod() {
    std::string method = "client_secret_basic";  // RFC 7591 §2 default
    const Json* value = Field("token_endpoint_auth_method");
    if (value != nullptr) {
      PORTICO_ASSIGN_OR_RETURN(method,
                               ExpectString(*value, "token_endpoint_auth_method", kMetadataTag));
    }
    if (policy_.supported_token_endpoint_auth_methods.count(method) == 0) {
      return MetadataError((value != nullptr
                                ? "token_endpoint_auth_method " + Quote(method)
                                : "the default token_endpoint_auth_method \"" + method + "\"") +
                           " is not supported; supported: " +
                           JoinSet(policy_.supported_token_endpoint_auth_methods));
    }
    auth_method_ = method;
    Put("token_endpoint_auth_method", method);
    return Status::Ok();
  }

  Status CheckGrantType(const std::string& grant, const std::string& what) {
    if (policy_.supported_grant_types.count(grant) == 0) {
      return MetadataError(what + " is not supported by this server; supported: " +
                           JoinSet(policy_.supported_grant_types));
    }
    if (!policy_.allowed_grant_types.empty() && policy_.allowed_grant_types.count(grant) == 0) {
      return MetadataError(what + " is not allowed for this tenant");
    }
    return Status::Ok();
  }

  // RFC 7591 §2.1 and the OpenID Connect DCR §2 table: code needs
  // authorization_code; token and id_token need implicit; each redirect-based
  // grant needs a response type that uses it. Omitted members default to
  // values consistent with the other one (RFC 7591 §2.1 lets the server
  // correct them); both omitted give authorization_code / code.
  Status GrantAndResponseTypes() {
    const Json* grants_json = Field("grant_types");
    const Json* responses_json = Field("response_types");

    if (responses_json != nullptr) {
      PORTICO_ASSIGN_OR_RETURN(std::vector<std::string> texts,
                               ExpectStringArray(*responses_json, "response_types",
                                                 limits_.max_array_entries, kMetadataTag));
      for (size_t i = 0; i < texts.size(); ++i) {
        PORTICO_ASSIGN_OR_RETURN(ResponseType type,
                                 ParseResponseType(texts[i], Indexed("response_types", i)));
        const bool repeated =
            std::any_of(response_types_.begin(), response_types_.end(),
                        [&](const ResponseType& other) { return SameResponseType(type, other); });
        if (!repeated) response_types_.push_back(std::move(type));
      }
    }

    if (grants_json != nullptr) {
      PORTICO_ASSIGN_OR_RETURN(
          grant_types_,
          ExpectStringArray(*grants_json, "grant_types", limits_.max_array_entries, kMetadataTag));
      if (grant_types_.empty()) return MetadataError("grant_types must not be empty");
      for (size_t i = 0; i < grant_types_.size(); ++i) {
        PORTICO_RETURN_IF_ERROR(CheckGrantType(
            grant_types_[i], Indexed("grant_types", i) + " " + Quote(grant_types_[i])));
      }
    } else if (responses_json != nullptr) {
      const bool code = std::any_of(response_types_.begin(), response_types_.end(),
                                    [](const ResponseType& t) { return t.code; });
      const bool implicit = std::any_of(response_types_.begin(), response_types_.end(),
                                        [](const ResponseType& t) { return t.NeedsImplicit(); });
      if (code) grant_types_.push_back(kAuthorizationCode);
      if (implicit) grant_types_.push_back(kImplicit);
      if (grant_types_.empty()) {
        return MetadataError(
            "grant_types must be given when response_types is empty (it defaults to "
            "authorization_code, which needs the code response type)");
      }
      for (const std::string& grant : grant_types_) {
        PORTICO_RETURN_IF_ERROR(
            CheckGrantType(grant, "grant type \"" + grant + "\" (needed by response_types)"));
      }
    } else {
      grant_types_.push_back(kAuthorizationCode);  // RFC 7591 §2 default
      PORTICO_RETURN_IF_ERROR(CheckGrantType(
          kAuthorizationCode,
          "grant_types was omitted and defaults to \"authorization_code\" (RFC 7591 §2), which"));
    }

    if (responses_json == nullptr) {
      if (Has(grant_types_, kAuthorizationCode)) {
        ResponseType code;
        code.text = "code";
        code.code = true;
        response_types_.push_back(code);  // RFC 7591 §2 default
      } else if (Has(grant_types_, kImplicit)) {
        return MetadataError(
            "response_types must be given with the implicit grant (token, id_token or "
            "id_token token)");
      }
      // Otherwise no redirect-based grant: no response type at all.
    }

    for (size_t i = 0; i < response_types_.size(); ++i) {
      const ResponseType& type = response_types_[i];
      if (type.code && !Has(grant_types_, kAuthorizationCode)) {
        return MetadataError("response type " + Quote(type.text) +
                             " needs the authorization_code grant type in grant_types "
                             "(RFC 7591 §2.1)");
      }
      if (type.NeedsImplicit() && !Has(grant_types_, kImplicit)) {
        return MetadataError("response type " + Quote(type.text) +
                             " needs the implicit grant type in grant_types (RFC 7591 §2.1)");
      }
    }
    if (Has(grant_types_, kAuthorizationCode) &&
        std::none_of(response_types_.begin(), response_types_.end(),
                     [](const ResponseType& t) { return t.code; })) {
      return MetadataError(
          "grant type authorization_code needs a response type with code in response_types "
          "(RFC 7591 §2.1)");
    }
    if (Has(grant_types_, kImplicit) &&
        std::none_of(response_types_.begin(), response_types_.end(),
                     [](const ResponseType& t) { return t.NeedsImplicit(); })) {
      return MetadataError(
          "grant type implicit needs a response type with token or id_token in response_types "
          "(RFC 7591 §2.1)");
    }
    // RFC 6749 §4.4: client_credentials is for confidential clients only.
    if (Has(grant_types_, kClientCredentials) && auth_method_ == "none") {
      return MetadataError(
          "grant type client_credentials needs client authentication; it cannot be used with "
          "token_endpoint_auth_method \"none\" (RFC 6749 §4.4)");
    }

    Put("grant_types", StringsJson(grant_types_));
    Json::Array responses;
    for (const ResponseType& type : response_types_) responses.emplace_back(type.text);
    Put("response_types", Json(std::move(responses)));
    return Status::Ok();
  }

  Status ApplicationTypeMember(const ParsedUriList& redirects) {
    const Json* value = Field("application_type");
    if (value != nullptr) {
      PORTICO_ASSIGN_OR_RETURN(std::string type,
                               ExpectString(*value, "application_type", kMetadataTag));
      if (type != "web" && type != "native") {
        return MetadataError("application_type must be \"web\" or \"native\", not " + Quote(type));
      }
      application_type_ = type == "web" ? ApplicationType::kWeb : ApplicationType::kNative;
    } else {
      // A client whose every redirect URI is an http loopback one can only be
      // a native app (RFC 8252 §7.3); registering it as "web" would refuse
      // those URIs, so it is registered as "native".
      const bool all_loopback =
          !redirects.uris.empty() &&
          std::all_of(redirects.uris.begin(), redirects.uris.end(), [](const Uri& uri) {
            return uri.scheme == "http" && IsNativeLoopbackHost(uri);
          });
      application_type_ = all_loopback ? ApplicationType::kNative : ApplicationType::kWeb;
    }
    Put("application_type", application_type_ == ApplicationType::kWeb ? "web" : "native");
    return Status::Ok();
  }

  Status RedirectUris() {
    const Json* value = Field("redirect_uris");
    ParsedUriList redirects;
    if (value != nullptr) {
      PORTICO_ASSIGN_OR_RETURN(redirects,
                               ParseUriList(*value, "redirect_uris", limits_, kRedirectTag));
    }
    PORTICO_RETURN_IF_ERROR(ApplicationTypeMember(redirects));
    if (redirects.texts.empty() &&
        (Has(grant_types_, kAuthorizationCode) || Has(grant_types_, kImplicit))) {
      return RedirectError(
          "redirect_uris is required for the authorization_code and implicit grant types "
          "(RFC 7591 §2)");
    }
    const bool implicit = Has(grant_types_, kImplicit);
    for (size_t i = 0; i < redirects.uris.size(); ++i) {
      PORTICO_RETURN_IF_ERROR(CheckRedirectUri(redirects.uris[i], redirects.texts[i],
                                               Indexed("redirect_uris", i), application_type_,
                                               implicit, policy_, kRedirectTag));
    }
    redirect_uris_ = std::move(redirects);
    if (value != nullptr) Put("redirect_uris", StringsJson(redirect_uris_.texts));
    return Status::Ok();
  }

  Status HumanReadableValue(std::string_view field, const std::string& member, const Json& value) {
    if (field == "client_name") {
      PORTICO_ASSIGN_OR_RETURN(std::string name, ExpectText(value, member, limits_));
      Put(member, name);
      return Status::Ok();
    }
    PORTICO_ASSIGN_OR_RETURN(std::string text, ExpectString(value, member, kMetadataTag));
    PORTICO_ASSIGN_OR_RETURN(Uri uri, CheckUri(text, member, limits_, kMetadataTag));
    // Pages for people: a fragment pointing into the page is fine.
    PORTICO_RETURN_IF_ERROR(CheckHttpsUri(uri, text, member, policy_, /*allow_fragment=*/true));
    Put(member, text);
    return Status::Ok();
  }

  // RFC 7591 §2.2: stored under the member name exactly as sent.
  Status HumanReadable() {
    for (std::string_view field : kHumanReadable) {
      if (const Json* value = Field(field)) {
        PORTICO_RETURN_IF_ERROR(HumanReadableValue(field, std::string(field), *value));
      }
      const auto it = members_.variants.find(field);
      if (it == members_.variants.end()) continue;
      for (const LanguageVariant& variant : it->second) {
        PORTICO_RETURN_IF_ERROR(HumanReadableValue(field, variant.member, *variant.value));
      }
    }
    return Status::Ok();
  }

  Status Scope() {
    std::vector<std::string> scopes;
    if (const Json* value = Field("scope")) {
      PORTICO_ASSIGN_OR_RETURN(std::string text, ExpectString(*value, "scope", kMetadataTag));
      if (text.size() > limits_.max_scope_length) {
        return MetadataError("scope is longer than " + std::to_string(limits_.max_scope_length) +
                             " bytes");
      }
      // RFC 6749 §3.3: space-delimited; runs of spaces are tolerated.
      size_t start = 0;
      while (start <= text.size()) {
        const size_t space = text.find(' ', start);
        const size_t end = space == std::string::npos ? text.size() : space;
        if (end > start) {
          const std::string token = text.substr(start, end - start);
          if (!IsScopeToken(token)) {
            return MetadataError("scope has the malformed scope token " + Quote(token) +
                                 " (RFC 6749 §3.3)");
          }
          if (policy_.allowed_scopes.count(token) == 0) {
            return MetadataError("scope " + Quote(token) + " is not allowed for this tenant");
          }
          if (!Has(scopes, token)) scopes.push_back(token);
        }
        if (space == std::string::npos) break;
        start = space + 1;
      }
      if (scopes.empty()) return MetadataError("scope must name at least one scope");
    } else {
      for (const std::string& token : policy_.default_scopes) {
        if (!Has(scopes, token)) scopes.push_back(token);
      }
    }
    if (scopes.empty()) return Status::Ok();
    std::string joined;
    for (const std::string& token : scopes) {
      if (!joined.empty()) joined += ' ';
      joined += token;
    }
    Put("scope", joined);
    return Status::Ok();
  }

  Status Contacts() {
    const Json* value = Field("contacts");
    if (value == nullptr) return Status::Ok();
    PORTICO_ASSIGN_OR_RETURN(
        std::vector<std::string> contacts,
        ExpectStringArray(*value, "contacts", limits_.max_contacts, kMetadataTag));
    for (size_t i = 0; i < contacts.size(); ++i) {
      if (!IsValidEmailAddress(contacts[i])) {
        return MetadataError(Indexed("contacts", i) + " " + Quote(contacts[i]) +
                             " is not an email address");
      }
    }
    Put("contacts", StringsJson(contacts));
    return Status::Ok();
  }

  Status Keys() {
    const Json* jwks_uri = Field("jwks_uri");
    const Json* jwks = Field("jwks");
    if (jwks_uri != nullptr && jwks != nullptr) {
      return MetadataError("jwks_uri and jwks must not both be present (RFC 7591 §2)");
    }
    if (jwks_uri != nullptr) {
      PORTICO_ASSIGN_OR_RETURN(std::string text, ExpectString(*jwks_uri, "jwks_uri", kMetadataTag));
      PORTICO_ASSIGN_OR_RETURN(Uri uri, CheckUri(text, "jwks_uri", limits_, kMetadataTag));
      PORTICO_RETURN_IF_ERROR(CheckHttpsUri(uri, text, "jwks_uri", policy_, false));
      Put("jwks_uri", text);
    }
    if (jwks != nullptr) {
      const Json* keys = jwks->Find("keys");
      if (!jwks->is_object() || keys == nullptr || !keys->is_array()) {
        return MetadataError(
            "jwks must be a JWK Set: an object with a \"keys\" array (RFC 7517 §5)");
      }
      const Json::Array& entries = keys->as_array();
      for (size_t i = 0; i < entries.size(); ++i) {
        if (!entries[i].is_object()) {
          return MetadataError(Indexed("jwks.keys", i) + " must be a JSON object (a JWK)");
        }
      }
      Put("jwks", *jwks);
    }
    return Status::Ok();
  }

  Status Software() {
    for (std::string_view member : {"software_id", "software_version"}) {
      if (const Json* value = Field(member)) {
        PORTICO_ASSIGN_OR_RETURN(std::string text,
                                 ExpectText(*value, std::string(member), limits_));
        Put(member, text);
      }
    }
    return Status::Ok();
  }

  Status SubjectType() {
    if (const Json* value = Field("sector_identifier_uri")) {
      PORTICO_ASSIGN_OR_RETURN(std::string text,
                               ExpectString(*value, "sector_identifier_uri", kMetadataTag));
      PORTICO_ASSIGN_OR_RETURN(Uri uri,
                               CheckUri(text, "sector_identifier_uri", limits_, kMetadataTag));
      PORTICO_RETURN_IF_ERROR(CheckHttpsUri(uri, text, "sector_identifier_uri", policy_, false));
      Put("sector_identifier_uri", text);
    }
    std::string subject_type;
    if (const Json* value = Field("subject_type")) {
      PORTICO_ASSIGN_OR_RETURN(subject_type, ExpectString(*value, "subject_type", kMetadataTag));
      if (policy_.supported_subject_types.count(subject_type) == 0) {
        return MetadataError(
            "subject_type " + Quote(subject_type) +
            " is not supported; supported: " + JoinSet(policy_.supported_subject_types));
      }
    } else if (UsesIdTokens() && !policy_.supported_subject_types.empty()) {
      // Server-provisioned, so the response shows what the client gets.
      subject_type = policy_.supported_subject_types.count("public") != 0
                         ? "public"
                         : *policy_.supported_subject_types.begin();
    }
    if (subject_type.empty()) return Status::Ok();
    // OpenID Connect Core §8.1: pairwise identifiers are computed from the
    // redirect URI host; several hosts need a sector_identifier_uri. (Fetching
    // it and checking it lists the redirect URIs is the service's job.)
    if (subject_type == "pairwise" && Field("sector_identifier_uri") == nullptr) {
      std::set<std::string> hosts;
      for (const Uri& uri : redirect_uris_.uris) {
        if (uri.has_authority && !uri.host.empty()) hosts.insert(uri.host);
      }
      if (hosts.size() > 1) {
        return MetadataError(
            "subject_type \"pairwise\" with redirect URIs on several hosts needs a "
            "sector_identifier_uri (OpenID Connect Core §8.1)");
      }
    }
    Put("subject_type", subject_type);
    return Status::Ok();
  }

  StatusOr<std::string> SigningAlg(std::string_view member) {
    const Json* value = Field(member);
    if (value == nullptr) return std::string();
    PORTICO_ASSIGN_OR_RETURN(std::string alg,
                             ExpectString(*value, std::string(member), kMetadataTag));
    if (policy_.supported_signing_algs.count(alg) == 0) {
      return MetadataError(
          std::string(member) + " " + Quote(alg) +
          " is not supported; supported: " + JoinSet(policy_.supported_signing_algs));
    }
    return alg;
  }

  // A JWE alg/enc pair (OpenID Connect DCR §2): enc needs alg; alg alone
  // gets enc A128CBC-HS256.
  Status EncryptionPair(std::string_view alg_member, std::string_view enc_member) {
    const Json* alg_value = Field(alg_member);
    const Json* enc_value = Field(enc_member);
    if (enc_value != nullptr && alg_value == nullptr) {
      return MetadataError(std::string(enc_member) + " requires " + std::string(alg_member));
    }
    if (alg_value == nullptr) return Status::Ok();
    PORTICO_ASSIGN_OR_RETURN(std::string alg,
                             ExpectString(*alg_value, std::string(alg_member), kMetadataTag));
    if (policy_.supported_encryption_algs.count(alg) == 0) {
      return MetadataError(
          std::string(alg_member) + " " + Quote(alg) +
          (policy_.supported_encryption_algs.empty()
               ? std::string(" cannot be honoured: this server does not encrypt")
               : " is not supported; supported: " + JoinSet(policy_.supported_encryption_algs)));
    }
    std::string enc = kDefaultEncryptionEnc;
    if (enc_value != nullptr) {
      PORTICO_ASSIGN_OR_RETURN(enc,
                               ExpectString(*enc_value, std::string(enc_member), kMetadataTag));
    }
    if (policy_.supported_encryption_encs.count(enc) == 0) {
      return MetadataError(
          std::string(enc_member) + " " + Quote(enc) +
          " is not supported; supported: " + JoinSet(policy_.supported_encryption_encs));
    }
    Put(alg_member, alg);
    Put(enc_member, enc);
    return Status::Ok();
  }

  Status Algorithms() {
    // ID tokens: RS256 unless asked otherwise (OpenID Connect DCR §2), only
    // for clients of the flows that return ID tokens.
    PORTICO_ASSIGN_OR_RETURN(std::string id_token_alg, SigningAlg("id_token_signed_response_alg"));
    if (id_token_alg == "none" && std::any_of(response_types_.begin(), response_types_.end(),
                                              [](const ResponseType& t) { return t.id_token; })) {
      return MetadataError(
          "id_token_signed_response_alg \"none\" is not allowed with a response type that "
          "returns an ID token (OpenID Connect DCR §2)");
    }
    if (id_token_alg.empty() && UsesIdTokens()) id_token_alg = "RS256";
    if (!id_token_alg.empty()) Put("id_token_signed_response_alg", id_token_alg);
    PORTICO_RETURN_IF_ERROR(
        EncryptionPair("id_token_encrypted_response_alg", "id_token_encrypted_response_enc"));

    PORTICO_ASSIGN_OR_RETURN(std::string userinfo_alg, SigningAlg("userinfo_signed_response_alg"));
    if (!userinfo_alg.empty()) Put("userinfo_signed_response_alg", userinfo_alg);
    PORTICO_RETURN_IF_ERROR(
        EncryptionPair("userinfo_encrypted_response_alg", "userinfo_encrypted_response_enc"));

    PORTICO_ASSIGN_OR_RETURN(request_object_alg_, SigningAlg("request_object_signing_alg"));
    if (!request_object_alg_.empty()) Put("request_object_signing_alg", request_object_alg_);
    PORTICO_RETURN_IF_ERROR(
        EncryptionPair("request_object_encryption_alg", "request_object_encryption_enc"));

    if (const Json* value = Field("token_endpoint_auth_signing_alg")) {
      PORTICO_ASSIGN_OR_RETURN(
          std::string alg, ExpectString(*value, "token_endpoint_auth_signing_alg", kMetadataTag));
      if (alg == "none") {
        return MetadataError(
            "token_endpoint_auth_signing_alg must not be \"none\" (OpenID Connect DCR §2)");
      }
      PORTICO_ASSIGN_OR_RETURN(alg, SigningAlg("token_endpoint_auth_signing_alg"));
      const bool hmac = alg.rfind("HS", 0) == 0;
      if (auth_method_ == "private_key_jwt" && hmac) {
        return MetadataError("token_endpoint_auth_signing_alg " + Quote(alg) +
                             " is symmetric; private_key_jwt needs an asymmetric algorithm");
      }
      if (auth_method_ == "client_secret_jwt" && !hmac) {
        return MetadataError("token_endpoint_auth_signing_alg " + Quote(alg) +
                             " is not an HMAC algorithm, which client_secret_jwt needs");
      }
      Put("token_endpoint_auth_signing_alg", alg);
    }
    return Status::Ok();
  }

  Status OpenIdMisc() {
    if (const Json* value = Field("default_max_age")) {
      if (!value->is_int() || value->as_int() < 0) {
        return MetadataError("default_max_age must be a non-negative integer number of seconds");
      }
      Put("default_max_age", *value);
    }
    if (const Json* value = Field("require_auth_time")) {
      if (!value->is_bool()) return MetadataError("require_auth_time must be true or false");
      Put("require_auth_time", *value);
    }
    if (const Json* value = Field("default_acr_values")) {
      PORTICO_ASSIGN_OR_RETURN(
          std::vector<std::string> values,
          ExpectStringArray(*value, "default_acr_values", limits_.max_array_entries, kMetadataTag));
      for (size_t i = 0; i < values.size(); ++i) {
        PORTICO_RETURN_IF_ERROR(CheckText(values[i], Indexed("default_acr_values", i), limits_));
      }
      Put("default_acr_values", StringsJson(values));
    }
    if (const Json* value = Field("initiate_login_uri")) {
      PORTICO_ASSIGN_OR_RETURN(std::string text,
                               ExpectString(*value, "initiate_login_uri", kMetadataTag));
      PORTICO_ASSIGN_OR_RETURN(Uri uri,
                               CheckUri(text, "initiate_login_uri", limits_, kMetadataTag));
      PORTICO_RETURN_IF_ERROR(CheckHttpsUri(uri, text, "initiate_login_uri", policy_, false));
      Put("initiate_login_uri", text);
    }
    if (const Json* value = Field("request_uris")) {
      PORTICO_ASSIGN_OR_RETURN(ParsedUriList list,
                               ParseUriList(*value, "request_uris", limits_, kMetadataTag));
      for (size_t i = 0; i < list.uris.size(); ++i) {
        // OpenID Connect DCR §2: the fragment may carry a hash of the content.
        PORTICO_RETURN_IF_ERROR(
            CheckHttpsUri(list.uris[i], list.texts[i], Indexed("request_uris", i), policy_, true));
      }
      Put("request_uris", StringsJson(list.texts));
    }
    return Status::Ok();
  }

  // RP-Initiated Logout 1.0 §3.1: where the user agent goes after logout;
  // the redirect URI rules apply, with the metadata error code.
  Status PostLogoutRedirectUris() {
    const Json* value = Field("post_logout_redirect_uris");
    if (value == nullptr) return Status::Ok();
    PORTICO_ASSIGN_OR_RETURN(ParsedUriList list, ParseUriList(*value, "post_logout_redirect_uris",
                                                              limits_, kMetadataTag));
    for (size_t i = 0; i < list.uris.size(); ++i) {
      PORTICO_RETURN_IF_ERROR(CheckRedirectUri(list.uris[i], list.texts[i],
                                               Indexed("post_logout_redirect_uris", i),
                                               application_type_, false, policy_, kMetadataTag));
    }
    Put("post_logout_redirect_uris", StringsJson(list.texts));
    return Status::Ok();
  }

  // Metadata that only works with the client's public keys.
  Status KeysRequired() {
    const bool has_keys = Field("jwks") != nullptr || Field("jwks_uri") != nullptr;
    std::string needs;
    if (auth_method_ == "private_key_jwt") {
      needs = "token_endpoint_auth_method \"private_key_jwt\"";
    } else if (!request_object_alg_.empty() && request_object_alg_ != "none" &&
               request_object_alg_.rfind("HS", 0) != 0) {
      needs = "request_object_signing_alg " + Quote(request_object_alg_);
    } else {
      for (std::string_view member :
           {"id_token_encrypted_response_alg", "userinfo_encrypted_response_alg"}) {
        const auto it = out_.find(std::string(member));
        if (it == out_.end()) continue;
        const std::string& alg = it->second.as_string();
        if (alg.rfind("RSA", 0) == 0 || alg.rfind("ECDH", 0) == 0) {
          needs = std::string(member) + " " + Quote(alg);
          break;
        }
      }
    }
    if (needs.empty()) return Status::Ok();
    if (!has_keys) return MetadataError(needs + " requires jwks or jwks_uri");
    const Json* jwks = Field("jwks");
    if (jwks != nullptr && jwks->Find("keys")->as_array().empty()) {
      return MetadataError(needs + " requires at least one key in jwks");
    }
    return Status::Ok();
  }

  Status ValidateJwks() {
    const Json* jwks = Field("jwks");
    if (jwks == nullptr) return Status::Ok();
    if (!validate_jwks_) return Internal("no JWK Set validator configured");
    Status status = validate_jwks_(*jwks);
    if (status.ok()) return Status::Ok();
    return MetadataError("jwks is not a valid JWK Set: " + status.message())
        .WithInternal(status.internal());
  }

  Json Assemble() const {
    Json out = Json::MakeObject();
    for (std::string_view field : kFieldOrder) {
      if (const auto it = out_.find(std::string(field)); it != out_.end()) {
        out.Set(field, it->second);
      }
      if (const auto variants = members_.variants.find(field);
          variants != members_.variants.end()) {
        for (const LanguageVariant& variant : variants->second) {
          out.Set(variant.member, out_.at(variant.member));
        }
      }
    }
    return out;
  }

  const Json& request_;
  const RegistrationPolicy& policy_;
  const MetadataLimits& limits_;
  const JwksValidator& validate_jwks_;

  Members members_;
  std::map<std::string, Json> out_;  // validated members by name
  std::string auth_method_;
  std::vector<std::string> grant_types_;
  std::vector<ResponseType> response_types_;
  ApplicationType application_type_ = ApplicationType::kWeb;
  ParsedUriList redirect_uris_;
  std::string request_object_alg_;
};

}  // namespace

StatusOr<ClientMetadata> ValidateClientMetadata(const Json& request,
                                                const RegistrationPolicy& policy,
                                                const JwksValidator& validate_jwks) {
  return Validator(request, policy, validate_jwks).Run();
}

}  // namespace portico::dcr
