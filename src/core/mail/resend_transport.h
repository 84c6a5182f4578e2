#pragma once

#include <chrono>
#include <string>

#include "portico/mail.h"
#include "portico/status.h"

namespace portico::mail {

// Delivers through Resend's HTTP API: POST {api_url}/emails with
// `Authorization: Bearer <key>` and `Idempotency-Key: <message.idempotency_key>`
// (Resend then sends a retried request only once within 24 hours).
//
// Body without a template: {"from", "to": [to], "subject", "text"}.
// With message.template_id set, the template form of Resend's send-email API:
// {"from", "to": [to], "subject", "template": {"id": template_id,
// "variables": template_data}} — Resend rejects html/text next to a template,
// so `text` is left out; `subject` and `from` are sent because Resend uses them
// over the template's defaults and requires them when the template has none.
// `variables` is sent only when template_data is a non-empty object.
//
// One CURL handle per Send: concurrent Sends are safe.
// Send returns OK on 2xx; Unavailable on 429 (retry_after_seconds from
// Retry-After when present), 5xx, 409 concurrent_idempotent_requests, timeouts
// and network errors; InvalidArgument for a message failing
// ValidateMailMessage and for any other 4xx, with the provider's message
// (with the API key scrubbed should it ever appear).
class ResendTransport : public MailTransport {
 public:
  // `api_url` without trailing slash, e.g. "https://api.resend.com".
  ResendTransport(std::string api_url, std::string api_key, std::string from,
                  std::chrono::milliseconds timeout);

  Status Send(const MailMessage& message) override;
  const char* name() const override { return "resend"; }

 private:
  const std::string endpoint_;  // {api_url}/emails
  const std::string api_key_;
  const std::string from_;
  const std::chrono::milliseconds timeout_;
};

}  // namespace portico::mail
