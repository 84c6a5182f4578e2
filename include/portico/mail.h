#pragma once

#include <string>

#include "portico/json.h"
#include "portico/status.h"

namespace portico {

struct MailMessage {
  std::string to;
  std::string subject;
  std::string text;         // plain-text body (always set: console/SMTP send it)
  std::string template_id;  // provider template, when the transport supports one (Resend)
  Json template_data = Json::MakeObject();
  // Transport-independent idempotency key: the outbox message id, so a
  // provider that deduplicates can do so on retries.
  std::string idempotency_key;
};

// Delivers one message. Thread-safe.
// Unavailable: transient (connection refused, 5xx, timeout) — retry later.
// InvalidArgument / FailedPrecondition: permanent (bad address, rejected
// credentials) — retrying will not help.
class MailTransport {
 public:
  virtual ~MailTransport() = default;
  virtual Status Send(const MailMessage& message) = 0;
  virtual const char* name() const = 0;  // "console", "smtp", "resend"
};

}  // namespace portico
