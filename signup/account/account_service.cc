#include "signup/account/account_service.h"

#include <algorithm>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include "portico/account_store.h"
#include "portico/case_fold.h"
#include "portico/crypto.h"
#include "portico/log.h"
#include "portico/mail.h"
#include "signup/account/auth_requests.h"
#include "signup/account/bcrypt_import.h"
#include "signup/account/password_policy.h"
#include "src/core/mail/mail_outbox.h"

namespace portico::signup {
namespace {

constexpr char kSessionTokenPrefix[] = "portico_st_";
constexpr size_t kSessionTokenBytes = 32;  // 256 bits
// What a preflight learns is cached this long: a tenant's new origin works
// for browsers within seconds, without a database scan per preflight.
constexpr std::chrono::seconds kOriginCacheTtl{10};

// The one body of the enumeration-protected mode, for new and existing
// emails alike (seed 002): nothing in it depends on which it was.
constexpr char kProtectedMessage[] =
    "If this email can be used for a new account, a verification code is on its way. "
    "Check your inbox to continue.";

std::string SessionTokenHash(const CredentialIssuer& issuer, std::string_view token) {
  return issuer.Hash(token);
}

Json UserJson(const UserAccount& user) {
  Json out = Json::MakeObject();
  out.Set("id", user.id)
      .Set("email", user.email)
      .Set("name", user.name.empty() ? Json(nullptr) : Json(user.name))
      .Set("emailVerified", user.email_verified_at.has_value())
      .Set("createdAt", FormatRfc3339(user.created_at));
  if (!user.roles.empty()) {
    Json roles = Json::MakeArray();
    for (const std::string& r : user.roles) roles.Push(Json(r));
    out.Set("roles", std::move(roles));
  }
  return out;
}

Json Envelope(Json data, std::string_view message) {
  Json body = Json::MakeObject();
  body.Set("success", true).Set("data", std::move(data)).Set("message", message);
  return body;
}

Status EnqueueAudit(Stores& stores, Json event, TimePoint now) {
  event.Set("at", FormatRfc3339(now));
  return stores.outbox().Enqueue("audit", event.Dump(), now).status();
}

Status EnqueueMail(Stores& stores, const MailMessage& mail, TimePoint now) {
  return stores.outbox().Enqueue(mail::kMailTopic, mail::EncodeMailPayload(mail), now).status();
}

std::string OtpSubject(const UserAccount& user) { return user.tenant_id + ":" + user.id; }

MailMessage VerificationMail(const Tenant& tenant, const UserAccount& user, const IssuedOtp& otp,
                             const std::string& template_id) {
  MailMessage mail;
  mail.to = user.email;
  mail.subject = "Your " + tenant.name + " verification code";
  mail.text = "Your verification code is: " + otp.code +
              "\n\nEnter it to confirm this email address for your " + tenant.name +
              " account. It expires at " + FormatRfc3339(otp.expires_at) +
              ".\n\nIf you did not sign up, ignore this message.\n";
  mail.template_id = template_id;
  mail.template_data = Json::MakeObject()
                           .Set("code", otp.code)
                           .Set("expiresAt", FormatRfc3339(otp.expires_at))
                           .Set("tenantName", tenant.name);
  return mail;
}

// Protected mode: the owner of an existing account learns someone tried to
// sign up with it, and where to go instead.
MailMessage ExistingAccountMail(const Tenant& tenant, const UserAccount& user) {
  MailMessage mail;
  mail.to = user.email;
  mail.subject = "Sign-up attempt for your " + tenant.name + " account";
  mail.text = "Someone (perhaps you) tried to create a " + tenant.name +
              " account with this email address, which already has one.\n\n" +
              (user.password_hash ? "If it was you, sign in instead; if you forgot your "
                                    "password, reset it."
                                  : "Your account has no password yet: set one with the "
                                    "password reset.") +
              "\n\nIf it was not you, you can ignore this message: nothing was changed.\n";
  return mail;
}

Status RateLimited(const Status& limited, std::string_view scope, const RateLimit& limit) {
  const int retry = limited.retry_after_seconds().value_or(1);
  return ResourceExhausted("too many requests; try again in " + std::to_string(retry) + " s")
      .WithTag(kAccountRateLimited)
      .WithRetryAfter(retry)
      .WithDetails(Json::MakeObject()
                       .Set("scope", scope)
                       .Set("limit", limit.max_hits)
                       .Set("windowSeconds", static_cast<int64_t>(limit.window.count()))
                       .Set("retryAfterSeconds", retry));
}

Status ForbiddenOrigin() {
  return PermissionDenied("this origin may not use the sign-up API of this tenant")
      .WithTag(kOriginForbidden);
}

Status InvalidCredentials() {
  return Unauthenticated("the email or password is wrong").WithTag(kInvalidCredentials);
}

Status EmailExists(const UserAccount& existing) {
  const char* action = existing.password_hash ? kActionSignIn : kActionResetPassword;
  return AlreadyExists("an account with this email already exists")
      .WithTag(kEmailExists)
      .WithDetails(Json::MakeObject().Set("recommendedAction", action));
}

}  // namespace

struct AccountService::TenantRules {
  AuthSettings auth;
  PasswordPolicy password;
};

// Server-wide answer to "may this origin call the API at all" (preflights).
struct OriginCache {
  std::mutex mu;
  std::set<std::string> origins;
  TimePoint loaded_at{};
  bool loaded = false;
};

namespace {
OriginCache& SharedOriginCache() {
  static OriginCache cache;
  return cache;
}
}  // namespace

AccountService::AccountService(Database& db, const CredentialIssuer& issuer,
                               const PasswordHasher& hasher, const PasswordBlocklist& blocklist,
                               const CaptchaVerifier* captcha, const OtpVerifier& otp,
                               const AuthSettingsStorage& settings, Random& random,
                               const Clock& clock, AccountServiceOptions options)
    : db_(db),
      issuer_(issuer),
      hasher_(hasher),
      blocklist_(blocklist),
      captcha_(captcha),
      otp_(otp),
      settings_(settings),
      random_(random),
      clock_(clock),
      options_(std::move(options)) {
  if (options_.metrics != nullptr) {
    attempts_ = &SignupAttempts(*options_.metrics);
    blocked_ = &SignupBlocked(*options_.metrics);
    rejections_ = &RateLimitRejections(*options_.metrics);
  }
}

StatusOr<AccountCaller> AccountService::Authenticate(std::string_view bearer) const {
  PORTICO_ASSIGN_OR_RETURN(CredentialWithTenant found, issuer_.VerifyWithTenant(db_, bearer));
  AccountCaller caller;
  const Credential& credential = found.credential;
  if (credential.kind == CredentialKind::kBootstrapToken) {
    return Unauthenticated("a public login token or an integration key is required");
  }
  if (found.tenant.status != "active") {
    return PermissionDenied("this tenant is suspended");
  }
  caller.privileged =
      credential.kind == CredentialKind::kIntegrationKey &&
      std::find(credential.scopes.begin(), credential.scopes.end(), kScopeTenantAdmin) !=
          credential.scopes.end();
  caller.tenant = std::move(found.tenant);
  return caller;
}

StatusOr<AccountService::TenantRules> AccountService::LoadRules(const AccountCaller& caller) const {
  TenantRules rules;
  PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(rules.auth, settings_.Load(stores.tenant_settings(), caller.tenant.id));
    PORTICO_ASSIGN_OR_RETURN(
        std::optional<Json> policy,
        stores.tenant_settings().Get(caller.tenant.id, kPasswordPolicySettingName));
    if (policy) {
      StatusOr<PasswordPolicy> parsed = ParsePasswordPolicy(*policy);
      if (!parsed.ok()) {
        return Internal("tenant settings error")
            .WithInternal("stored password policy: " + parsed.status().message());
      }
      rules.password = *parsed;
    }
    return Status::Ok();
  }));
  if (!OriginAllowed(rules.auth, caller.origin)) return ForbiddenOrigin();
  return rules;
}

Status AccountService::Limit(std::string_view bucket, const RateLimit& limit,
                             std::string_view scope) const {
  Status status = db_.Run([&](Stores& stores) {
    return CheckRateLimit(stores.rate_limits(), bucket, limit, clock_.Now());
  });
  if (status.code() == StatusCode::kResourceExhausted) {
    if (rejections_ != nullptr) rejections_->WithLabels({"auth", scope}).Inc();
    return RateLimited(status, scope, limit);
  }
  return status;
}

StatusOr<AccountReply> AccountService::SignUp(const AccountCaller& caller, const Json& body) const {
  StatusOr<AccountReply> reply = SignUpUncounted(caller, body);
  if (attempts_ == nullptr) return reply;
  attempts_->WithLabels({"account"}).Inc();
  if (!reply.ok()) {
    // Anti-abuse refusals only; a malformed request or a taken email is not a block.
    const std::string tag = reply.status().tag();  // a copy: status() returns one
    const char* reason = tag == kAccountRateLimited                         ? "rate_limit"
                         : tag == kInvalidCaptcha                           ? "captcha"
                         : tag == kOriginForbidden || tag == kRolesForbidden ? "policy"
                                                                             : nullptr;
    if (reason != nullptr) blocked_->WithLabels({"account", reason}).Inc();
  }
  return reply;
}

StatusOr<AccountReply> AccountService::SignUpUncounted(const AccountCaller& caller,
                                                       const Json& body) const {
  PORTICO_ASSIGN_OR_RETURN(TenantRules rules, LoadRules(caller));
  const std::string& tenant_id = caller.tenant.id;
  PORTICO_RETURN_IF_ERROR(Limit("auth:signup:ip:" + tenant_id + ":" + caller.client_ip,
                                options_.limits.sign_up_per_ip, "ip"));

  std::vector<FieldError> errors;
  SignUpRequest request = ParseSignUpRequest(body, errors);
  if (request.roles && !caller.privileged) {
    return PermissionDenied("roles may only be granted with a privileged tenant key")
        .WithTag(kRolesForbidden);
  }
  if (request.callback_origin) {
    StatusOr<std::string> origin = NormalizeOrigin(*request.callback_origin);
    if (!origin.ok() || std::find(rules.auth.allowed_origins.begin(),
                                  rules.auth.allowed_origins.end(),
                                  *origin) == rules.auth.allowed_origins.end()) {
      errors.push_back({"callbackOrigin", kInvalidValue,
                        "callbackOrigin must be one of the tenant's allowed origins",
                        {}});
    }
  }
  if (request.password && !request.email.empty()) {
    std::vector<std::string> reasons =
        WeakPasswordReasons(rules.password, *request.password, request.email, blocklist_);
    if (!reasons.empty()) {
      errors.push_back({"password", kTooWeak, "the password does not meet the password policy",
                        std::move(reasons)});
    }
  }
  if (!errors.empty()) return ValidationFailed(errors);

  if (rules.auth.captcha) {
    if (captcha_ == nullptr) return Unavailable("CAPTCHA verification is not available");
    PORTICO_RETURN_IF_ERROR(captcha_->Verify(
        *rules.auth.captcha, CaptchaRequest{.token = request.captcha_token.value_or(""),
                                            .remote_ip = caller.client_ip,
                                            .idempotency_key = NewUuid(random_)}));
  }

  const bool protect = rules.auth.enumeration_protection;
  const AccountReply protected_reply{202, Envelope(Json(nullptr), kProtectedMessage)};
  // The same work for a new and an existing email in protected mode: the
  // hash is computed before anyone looks the email up.
  std::optional<std::string> password_hash = request.password_hash;
  if (request.password) {
    PORTICO_ASSIGN_OR_RETURN(password_hash, hasher_.Hash(*request.password));
  }

  const TimePoint now = clock_.Now();
  UserAccount user;
  user.id = NewUuid(random_);
  user.tenant_id = tenant_id;
  user.email = request.email;
  user.name = request.name;
  user.password_hash = password_hash;
  user.roles = request.roles.value_or(std::vector<std::string>{});
  user.created_at = now;

  std::optional<Organization> organization;
  if (request.organization_name) {
    organization = Organization{NewUuid(random_), tenant_id, *request.organization_name, now};
  }
  std::string session_token;
  AccountSession session;
  if (!protect) {
    session_token = kSessionTokenPrefix + RandomToken(random_, kSessionTokenBytes);
    session = AccountSession{.id = NewUuid(random_),
                             .tenant_id = tenant_id,
                             .user_id = user.id,
                             .token_hash = SessionTokenHash(issuer_, session_token),
                             .client_ip = caller.client_ip,
                             .user_agent = caller.user_agent,
                             .created_at = now,
                             .expires_at = now + rules.auth.session_ttl};
  }

  std::optional<UserAccount> existing;
  Status written = db_.Transact([&](Stores& stores) -> Status {
    existing.reset();
    StatusOr<UserAccount> found = stores.accounts().FindUserByEmail(tenant_id, user.email);
    if (found.ok()) {
      existing = *found;
      if (!protect) return Status::Ok();
      // Tell the owner, within the verification-mail limit so this cannot flood them.
      Status limited = CheckRateLimit(stores.rate_limits(),
                                      "auth:mail:email:" + tenant_id + ":" + FoldCase(user.email),
                                      options_.limits.verification_mails_per_email, now);
      if (limited.code() == StatusCode::kResourceExhausted) return Status::Ok();
      PORTICO_RETURN_IF_ERROR(limited);
      return EnqueueMail(stores, ExistingAccountMail(caller.tenant, *found), now);
    }
    if (found.status().code() != StatusCode::kNotFound) return found.status();

    PORTICO_RETURN_IF_ERROR(stores.accounts().InsertUser(user));
    PORTICO_RETURN_IF_ERROR(EnqueueAudit(stores,
                                         Json::MakeObject()
                                             .Set("type", "user.created")
                                             .Set("tenantId", tenant_id)
                                             .Set("userId", user.id)
                                             .Set("email", user.email)
                                             .Set("source", "sign-up"),
                                         now));
    if (organization) {
      PORTICO_RETURN_IF_ERROR(stores.accounts().InsertOrganization(*organization));
      PORTICO_RETURN_IF_ERROR(stores.accounts().AddOrganizationMember(
          tenant_id, {organization->id, user.id, "owner"}, now));
      PORTICO_RETURN_IF_ERROR(EnqueueAudit(stores,
                                           Json::MakeObject()
                                               .Set("type", "organization.created")
                                               .Set("tenantId", tenant_id)
                                               .Set("organizationId", organization->id)
                                               .Set("name", organization->name)
                                               .Set("ownerUserId", user.id),
                                           now));
    }
    if (!protect) {
      PORTICO_RETURN_IF_ERROR(stores.accounts().InsertSession(session));
      PORTICO_RETURN_IF_ERROR(EnqueueAudit(stores,
                                           Json::MakeObject()
                                               .Set("type", "session.created")
                                               .Set("tenantId", tenant_id)
                                               .Set("sessionId", session.id)
                                               .Set("userId", user.id)
                                               .Set("expiresAt", FormatRfc3339(session.expires_at)),
                                           now));
    }
    // The first verification mail counts against the per-email mail limit.
    Status limited = CheckRateLimit(stores.rate_limits(),
                                    "auth:mail:email:" + tenant_id + ":" + FoldCase(user.email),
                                    options_.limits.verification_mails_per_email, now);
    if (limited.code() == StatusCode::kResourceExhausted) return Status::Ok();
    PORTICO_RETURN_IF_ERROR(limited);
    PORTICO_ASSIGN_OR_RETURN(IssuedOtp otp,
                             otp_.Issue(stores.otps(), kAccountEmailOtpPurpose, OtpSubject(user)));
    return EnqueueMail(
        stores,
        VerificationMail(caller.tenant, user, otp, options_.verification_template_id), now);
  });
  if (written.code() == StatusCode::kAlreadyExists && !existing) {
    // Another request created the same email between the look-up and the insert.
    (void)db_.Run([&](Stores& stores) -> Status {
      StatusOr<UserAccount> raced = stores.accounts().FindUserByEmail(tenant_id, user.email);
      if (raced.ok()) existing = *raced;
      return raced.status();
    });
    written = Status::Ok();
  }
  PORTICO_RETURN_IF_ERROR(written);
  if (protect) return protected_reply;
  if (existing) return EmailExists(*existing);

  Json data = Json::MakeObject();
  data.Set("user", UserJson(user))
      .Set("session", Json::MakeObject()
                          .Set("token", session_token)
                          .Set("expiresAt", FormatRfc3339(session.expires_at)));
  if (organization) {
    data.Set("organization",
             Json::MakeObject().Set("id", organization->id).Set("name", organization->name));
  }
  return AccountReply{201, Envelope(std::move(data), "Account created successfully")};
}

StatusOr<AccountReply> AccountService::SignIn(const AccountCaller& caller, const Json& body) const {
  PORTICO_ASSIGN_OR_RETURN(TenantRules rules, LoadRules(caller));
  const std::string& tenant_id = caller.tenant.id;
  PORTICO_RETURN_IF_ERROR(Limit("auth:signin:ip:" + tenant_id + ":" + caller.client_ip,
                                options_.limits.sign_in_per_ip, "ip"));
  std::vector<FieldError> errors;
  SignInRequest request = ParseSignInRequest(body, errors);
  if (!errors.empty()) return ValidationFailed(errors);
  PORTICO_RETURN_IF_ERROR(Limit("auth:signin:account:" + tenant_id + ":" + FoldCase(request.email),
                                options_.limits.sign_in_per_account, "account"));

  StatusOr<UserAccount> found = NotFound("user not found");
  PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) -> Status {
    found = stores.accounts().FindUserByEmail(tenant_id, request.email);
    return found.ok() || found.status().code() == StatusCode::kNotFound ? Status::Ok()
                                                                       : found.status();
  }));
  if (!found.ok() && found.status().code() != StatusCode::kNotFound) return found.status();
  if (!found.ok() || !found->password_hash || !found->active) {
    // As long as a real verification, so the answer time does not reveal the account.
    hasher_.DummyVerify(request.password);
    return InvalidCredentials();
  }
  UserAccount user = *found;
  const std::string& stored = *user.password_hash;
  bool matches = false;
  bool rehash = false;
  if (stored.rfind("$2b$", 0) == 0) {
    matches = VerifyBcrypt(stored, request.password);
    rehash = true;  // imported: argon2id from now on
  } else {
    StatusOr<bool> verified = hasher_.Verify(request.password, stored);
    if (!verified.ok()) {
      Log(LogLevel::kError, "account_password_hash_unreadable",
          Json::MakeObject().Set("userId", user.id).Set("error", verified.status().message()));
      return InvalidCredentials();
    }
    matches = *verified;
    rehash = matches && hasher_.NeedsRehash(stored);
  }
  if (!matches) return InvalidCredentials();
  std::optional<std::string> fresh_hash;
  if (rehash) {
    StatusOr<std::string> hashed = hasher_.Hash(request.password);
    if (hashed.ok()) fresh_hash = *hashed;  // a failed re-hash keeps the old one; sign-in goes on
  }

  const TimePoint now = clock_.Now();
  const std::string token = kSessionTokenPrefix + RandomToken(random_, kSessionTokenBytes);
  const AccountSession session{.id = NewUuid(random_),
                               .tenant_id = tenant_id,
                               .user_id = user.id,
                               .token_hash = SessionTokenHash(issuer_, token),
                               .client_ip = caller.client_ip,
                               .user_agent = caller.user_agent,
                               .created_at = now,
                               .expires_at = now + rules.auth.session_ttl};
  PORTICO_RETURN_IF_ERROR(db_.Transact([&](Stores& stores) -> Status {
    if (fresh_hash) {
      PORTICO_RETURN_IF_ERROR(
          stores.accounts().SetPasswordHash(tenant_id, user.id, *fresh_hash, now));
    }
    PORTICO_RETURN_IF_ERROR(stores.accounts().InsertSession(session));
    return EnqueueAudit(stores,
                        Json::MakeObject()
                            .Set("type", "session.created")
                            .Set("tenantId", tenant_id)
                            .Set("sessionId", session.id)
                            .Set("userId", user.id)
                            .Set("expiresAt", FormatRfc3339(session.expires_at)),
                        now);
  }));
  Json data = Json::MakeObject();
  data.Set("user", UserJson(user))
      .Set("session", Json::MakeObject()
                          .Set("token", token)
                          .Set("expiresAt", FormatRfc3339(session.expires_at)));
  return AccountReply{200, Envelope(std::move(data), "Signed in")};
}

Status AccountService::AdmitVerification(const AccountCaller& caller) const {
  PORTICO_RETURN_IF_ERROR(LoadRules(caller).status());  // the browser origin check
  return Limit("auth:verify:ip:" + caller.tenant.id + ":" + caller.client_ip,
               options_.limits.verify_per_ip, "ip");
}

StatusOr<AccountReply> AccountService::VerifyEmail(const AccountCaller& caller,
                                                   const Json& body) const {
  PORTICO_RETURN_IF_ERROR(AdmitVerification(caller));
  const std::string& tenant_id = caller.tenant.id;
  std::vector<FieldError> errors;
  VerifyEmailRequest request = ParseVerifyEmailRequest(body, errors);
  if (!errors.empty()) return ValidationFailed(errors);

  const TimePoint now = clock_.Now();
  UserAccount user;
  Status verified = db_.Transact([&](Stores& stores) -> Status {
    StatusOr<UserAccount> found = stores.accounts().FindUserByEmail(tenant_id, request.email);
    // An unknown email fails like a wrong code, so the endpoint reveals no account.
    const std::string subject =
        found.ok() ? OtpSubject(*found) : tenant_id + ":unknown:" + FoldCase(request.email);
    if (!found.ok() && found.status().code() != StatusCode::kNotFound) return found.status();
    PORTICO_RETURN_IF_ERROR(
        otp_.Verify(stores.otps(), kAccountEmailOtpPurpose, subject, request.code));
    user = *found;
    if (!user.email_verified_at) {
      PORTICO_RETURN_IF_ERROR(stores.accounts().MarkEmailVerified(tenant_id, user.id, now));
      user.email_verified_at = now;
      return EnqueueAudit(stores,
                          Json::MakeObject()
                              .Set("type", "user.email_verified")
                              .Set("tenantId", tenant_id)
                              .Set("userId", user.id),
                          now);
    }
    return Status::Ok();
  });
  if (!verified.ok() && verified.code() == StatusCode::kInvalidArgument) {
    // The verifier's OTP_INVALID / OTP_EXPIRED / OTP_LOCKED, as this API's code.
    Json details = verified.details().is_object() ? verified.details() : Json::MakeObject();
    return InvalidArgument(verified.message()).WithTag(kInvalidCode).WithDetails(std::move(details));
  }
  PORTICO_RETURN_IF_ERROR(verified);
  return AccountReply{200, Envelope(Json::MakeObject().Set("user", UserJson(user)),
                                    "Email verified")};
}

StatusOr<AccountReply> AccountService::ResendVerification(const AccountCaller& caller,
                                                          const Json& body) const {
  PORTICO_RETURN_IF_ERROR(AdmitVerification(caller));
  const std::string& tenant_id = caller.tenant.id;
  std::vector<FieldError> errors;
  const std::string email = ParseResendRequest(body, errors);
  if (!errors.empty()) return ValidationFailed(errors);
  PORTICO_RETURN_IF_ERROR(Limit("auth:mail:email:" + tenant_id + ":" + FoldCase(email),
                                options_.limits.verification_mails_per_email, "email"));
  const TimePoint now = clock_.Now();
  PORTICO_RETURN_IF_ERROR(db_.Transact([&](Stores& stores) -> Status {
    StatusOr<UserAccount> found = stores.accounts().FindUserByEmail(tenant_id, email);
    if (found.status().code() == StatusCode::kNotFound) return Status::Ok();
    PORTICO_RETURN_IF_ERROR(found.status());
    if (found->email_verified_at) return Status::Ok();
    PORTICO_ASSIGN_OR_RETURN(IssuedOtp otp,
                             otp_.Issue(stores.otps(), kAccountEmailOtpPurpose, OtpSubject(*found)));
    return EnqueueMail(
        stores,
        VerificationMail(caller.tenant, *found, otp, options_.verification_template_id), now);
  }));
  return AccountReply{
      202, Envelope(Json(nullptr),
                    "If this email belongs to an unverified account, a new code is on its way.")};
}

bool AccountService::SomeTenantAllowsOrigin(std::string_view origin) const {
  OriginCache& cache = SharedOriginCache();
  const TimePoint now = clock_.Now();
  std::lock_guard<std::mutex> lock(cache.mu);
  if (!cache.loaded || now - cache.loaded_at > kOriginCacheTtl) {
    std::vector<std::pair<std::string, Json>> all;
    Status listed = db_.Run([&](Stores& stores) -> Status {
      PORTICO_ASSIGN_OR_RETURN(all, stores.tenant_settings().ListByName(kAuthSettingsName));
      return Status::Ok();
    });
    if (!listed.ok()) return false;  // fail closed: the browser retries the preflight
    cache.origins.clear();
    for (const auto& [tenant_id, document] : all) {
      const Json* origins = document.Find("allowedOrigins");
      if (origins == nullptr || !origins->is_array()) continue;
      for (const Json& o : origins->as_array()) {
        if (o.is_string()) cache.origins.insert(o.as_string());
      }
    }
    cache.loaded = true;
    cache.loaded_at = now;
  }
  return cache.origins.count(std::string(origin)) > 0;
}

}  // namespace portico::signup
