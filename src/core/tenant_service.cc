#include "portico/tenant_service.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "src/core/mail/mail_outbox.h"

namespace portico {
namespace {

// Names that would collide with routes, hostnames or common confusion.
constexpr std::array<std::string_view, 28> kReservedSlugs = {
    "api",    "admin",   "www",     "scim",     "oauth",      "auth",   "login",
    "logout", "signup",  "sign-up", "register", "well-known", "static", "assets",
    "app",    "portico", "support", "help",     "status",     "docs",   "mail",
    "root",   "system",  "default", "null",     "undefined",  "test",   "localhost"};

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

Status BadSlug(std::string message) {
  return InvalidArgument(std::move(message)).WithTag("invalid_slug");
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Counts UTF-8 code points (continuation bytes are not counted).
size_t CodePoints(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

StatusOr<std::string> ValidateName(std::string_view raw) {
  const std::string_view name = Trim(raw);
  if (name.empty() || CodePoints(name) > 200) {
    return InvalidArgument("name must be 1 to 200 characters").WithTag("invalid_name");
  }
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return InvalidArgument("name must not contain control characters").WithTag("invalid_name");
    }
  }
  return std::string(name);
}

StatusOr<std::vector<std::string>> ValidateModules(const std::vector<std::string>& requested) {
  if (requested.empty()) return KnownModules();
  const auto& known = KnownModules();
  std::vector<std::string> modules;
  for (const std::string& m : requested) {
    if (std::find(known.begin(), known.end(), m) == known.end()) {
      return InvalidArgument("unknown module \"" + m + "\"").WithTag("invalid_modules");
    }
    if (std::find(modules.begin(), modules.end(), m) != modules.end()) {
      return InvalidArgument("module \"" + m + "\" is listed twice").WithTag("invalid_modules");
    }
    modules.push_back(m);
  }
  return modules;
}

StatusOr<std::string> NormaliseEmail(std::string_view email) {
  const auto bad = [](std::string message) {
    return InvalidArgument(std::move(message)).WithTag("invalid_email");
  };
  if (email.size() > 254) return bad("email address must be at most 254 characters");
  for (const char c : email) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f)
      return bad("email address must not contain spaces or control characters");
  }
  const size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return bad("email address must contain exactly one @");
  }
  const std::string_view local = email.substr(0, at);
  const std::string_view domain = email.substr(at + 1);
  if (local.empty() || local.size() > 64) {
    return bad("email address local part must be 1 to 64 characters");
  }
  const size_t dot = domain.find('.');
  if (domain.empty() || dot == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.' || domain.find("..") != std::string_view::npos) {
    return bad("email address domain must be a name with a dot");
  }
  std::string out(local);
  out.push_back('@');
  for (const char c : domain) {
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

struct ValidTenant {
  std::string name;
  std::vector<std::string> modules;
  std::optional<std::string> admin_email;
};

StatusOr<ValidTenant> ValidateRequest(const NewTenant& request) {
  PORTICO_RETURN_IF_ERROR(ValidateSlug(request.slug));
  ValidTenant valid;
  PORTICO_ASSIGN_OR_RETURN(valid.name, ValidateName(request.name));
  PORTICO_ASSIGN_OR_RETURN(valid.modules, ValidateModules(request.modules));
  if (request.admin_email) {
    PORTICO_ASSIGN_OR_RETURN(valid.admin_email, NormaliseEmail(*request.admin_email));
  }
  return valid;
}

}  // namespace

const std::vector<std::string>& KnownModules() {
  static const std::vector<std::string> modules = {"scim", "dcr", "signup"};
  return modules;
}

Status ValidateSlug(std::string_view slug) {
  if (slug.size() < 3 || slug.size() > 40) return BadSlug("slug must be 3 to 40 characters");
  for (const char c : slug) {
    if (!IsLowerAlnum(c) && c != '-') {
      return BadSlug("slug may contain only lowercase letters, digits and hyphens");
    }
  }
  if (!IsLowerAlnum(slug.front()) || !IsLowerAlnum(slug.back())) {
    return BadSlug("slug must start and end with a letter or digit");
  }
  if (std::find(kReservedSlugs.begin(), kReservedSlugs.end(), slug) != kReservedSlugs.end()) {
    return BadSlug("slug \"" + std::string(slug) + "\" is reserved");
  }
  return Status::Ok();
}

TenantService::TenantService(Database& db, const CredentialIssuer& issuer, Random& random,
                             const Clock& clock, SlugHeldFn slug_held)
    : db_(db), issuer_(issuer), random_(random), clock_(clock), slug_held_(std::move(slug_held)) {}

namespace {

// Tells the named admin that a tenant was created for them. It carries no
// secret: the operator who ran the command hands those over.
MailMessage AdminNotice(const Tenant& tenant) {
  MailMessage message;
  message.to = *tenant.admin_email;
  message.subject = "Your Portico tenant \"" + tenant.name + "\" is ready";
  std::string modules;
  for (const std::string& m : tenant.modules) modules += (modules.empty() ? "" : ", ") + m;
  message.text = "Hello,\n\nThe tenant \"" + tenant.name + "\" (slug " + tenant.slug +
                 ") was created with you as its administrator.\nEnabled modules: " + modules +
                 ".\n\nThe person who created it has its credentials; ask them for the "
                 "integration key.\n";
  message.template_data = Json::MakeObject()
                              .Set("tenantName", tenant.name)
                              .Set("tenantSlug", tenant.slug)
                              .Set("tenantId", tenant.id);
  return message;
}

}  // namespace

StatusOr<CreatedTenant> TenantService::Create(const NewTenant& request) {
  // Bad input is refused before a transaction (and SQLite's write lock) is taken.
  PORTICO_RETURN_IF_ERROR(ValidateRequest(request).status());
  std::optional<CreatedTenant> created;
  PORTICO_RETURN_IF_ERROR(db_.Transact([&](Stores& stores) -> Status {
    if (slug_held_) {
      PORTICO_ASSIGN_OR_RETURN(const bool held, slug_held_(stores, request.slug, clock_.Now()));
      if (held) {
        return AlreadyExists("slug is held by a signup session in progress").WithTag("slug_taken");
      }
    }
    PORTICO_ASSIGN_OR_RETURN(created, CreateIn(stores, request));
    if (!created->tenant.admin_email) return Status::Ok();
    // The notice is owed by the same commit: queued in the outbox, never lost.
    return stores.outbox()
        .Enqueue(mail::kMailTopic, mail::EncodeMailPayload(AdminNotice(created->tenant)),
                 created->tenant.created_at)
        .status();
  }));
  return std::move(*created);
}

StatusOr<CreatedTenant> TenantService::CreateIn(Stores& stores, const NewTenant& request) {
  PORTICO_ASSIGN_OR_RETURN(ValidTenant valid, ValidateRequest(request));

  const TimePoint now = clock_.Now();
  CreatedTenant created;
  Tenant& tenant = created.tenant;
  tenant.id = NewUuid(random_);
  tenant.slug = request.slug;
  tenant.name = std::move(valid.name);
  tenant.modules = std::move(valid.modules);
  tenant.status = "active";
  tenant.admin_email = std::move(valid.admin_email);
  tenant.created_at = now;

  if (Status s = stores.tenants().Insert(tenant); !s.ok()) {
    if (s.code() == StatusCode::kAlreadyExists) {
      return AlreadyExists("slug is already taken")
          .WithTag("slug_taken")
          .WithInternal(s.ToString());
    }
    return s;
  }

  std::vector<std::string> admin_scopes = DefaultScopes(CredentialKind::kIntegrationKey);
  admin_scopes.push_back(kScopeTenantAdmin);
  created.integration_key =
      issuer_.Mint(tenant.id, CredentialKind::kIntegrationKey, "default", std::move(admin_scopes));
  created.bootstrap_token = issuer_.Mint(tenant.id, CredentialKind::kBootstrapToken, "bootstrap",
                                         DefaultScopes(CredentialKind::kBootstrapToken));
  created.public_login_token =
      issuer_.Mint(tenant.id, CredentialKind::kPublicLoginToken, "public-login",
                   DefaultScopes(CredentialKind::kPublicLoginToken));
  for (const IssuedCredential* issued :
       {&created.integration_key, &created.bootstrap_token, &created.public_login_token}) {
    PORTICO_RETURN_IF_ERROR(stores.credentials().Insert(issued->record));
  }

  Json audit = Json::MakeObject();
  audit.Set("type", "tenant.created")
      .Set("tenantId", tenant.id)
      .Set("slug", tenant.slug)
      .Set("at", FormatRfc3339(now));
  PORTICO_ASSIGN_OR_RETURN(const int64_t message_id,
                           stores.outbox().Enqueue("audit", audit.Dump(), now));
  (void)message_id;
  return created;
}

}  // namespace portico
