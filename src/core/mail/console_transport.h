#pragma once

#include "portico/mail.h"
#include "portico/status.h"

namespace portico::mail {

// The local-development transport (MAIL_URL=console:): it delivers nothing and
// instead writes each message — including any sign-up code in its text or
// template data — to the log as event "mail_console", so a developer can read
// the mail without a mail server. Never use it in production: the log then
// holds the codes. Send always returns OK. Thread-safe (Log is).
class ConsoleTransport : public MailTransport {
 public:
  Status Send(const MailMessage& message) override;
  const char* name() const override { return "console"; }
};

}  // namespace portico::mail
