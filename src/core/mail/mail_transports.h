#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "portico/mail.h"
#include "portico/status.h"

namespace portico::mail {

struct MailSettings {
  // MAIL_URL: "console:", "smtp://[user:pass@]host[:port]" (STARTTLS when the
  // server offers it; port 25 by default), "smtps://…" (implicit TLS; port
  // 465 by default), "resend:". User and password are percent-decoded.
  std::string url = "console:";
  std::string from = "Portico <no-reply@localhost>";      // RESEND_FROM_EMAIL / MAIL_FROM
  std::string resend_api_key;                             // RESEND_API_KEY (required for resend:)
  std::string resend_api_url = "https://api.resend.com";  // RESEND_API_URL
  std::chrono::seconds timeout{10};  // connect and whole-request limit of one Send
};

// Builds the transport MAIL_URL names. InvalidArgument whose message names the
// setting (MAIL_URL, MAIL_FROM, RESEND_API_KEY, RESEND_FROM_EMAIL or
// RESEND_API_URL) for a malformed or incomplete value; the message never
// contains a password or an API key (nor the URL that may hold one). Internal
// if libcurl cannot be initialised. Thread-safe; the transports are too.
StatusOr<std::unique_ptr<MailTransport>> MakeMailTransport(const MailSettings& settings);

// Checks what every delivering transport needs before talking to anyone:
// `to` is a plain address, subject has no CR/LF (header injection), to/subject/
// text are UTF-8, the idempotency key has no CR/LF. InvalidArgument
// (permanent) otherwise. Thread-safe.
Status ValidateMailMessage(const MailMessage& message);

}  // namespace portico::mail
