#include "signup/session/session_view.h"

#include <algorithm>

namespace portico::signup {

std::string MaskEmail(std::string_view email) {
  const size_t at = email.rfind('@');
  if (at == std::string_view::npos || at == 0) return "***";
  return std::string(email.substr(0, 1)) + "***" + std::string(email.substr(at));
}

Json SessionJson(const SignupSession& session, const SignupOptions& options) {
  Json modules = Json::MakeArray();
  for (const std::string& m : session.modules) modules.Push(Json(m));
  Json view = Json::MakeObject();
  view.Set("sessionId", session.id)
      .Set("status", SignupStatusName(session.status))
      .Set("companyName", session.company_name)
      .Set("slug", session.slug)
      .Set("modules", std::move(modules))
      .Set("adminEmail", MaskEmail(session.admin_email))
      .Set("emailVerified", session.email_verified_at.has_value());
  if (session.email_verified_at) {
    view.Set("emailVerifiedAt", FormatRfc3339(*session.email_verified_at));
  }
  view.Set("otpExpiresAt", FormatRfc3339(session.otp_expires_at))
      .Set("otpSendsRemaining", std::max(0, options.max_otp_sends - session.otp_sends))
      .Set("resendAvailableAt", FormatRfc3339(session.otp_sent_at + options.resend_cooldown))
      .Set("sessionExpiresAt", FormatRfc3339(session.expires_at))
      .Set("createdAt", FormatRfc3339(session.created_at))
      .Set("provisionStepState", session.provision_step_state.is_object()
                                     ? session.provision_step_state
                                     : Json::MakeObject())
      .Set("failureReason", session.failure_reason);
  if (session.tenant_id) view.Set("tenantId", *session.tenant_id);
  return view;
}

}  // namespace portico::signup
