#include "src/core/mail/console_transport.h"

#include "portico/json.h"
#include "portico/log.h"

namespace portico::mail {

Status ConsoleTransport::Send(const MailMessage& message) {
  // Showing the message (codes included) is the whole point of this transport.
  Json fields = Json::MakeObject();
  fields.Set("to", message.to);
  fields.Set("subject", message.subject);
  fields.Set("text", message.text);
  fields.Set("template_id", message.template_id);
  if (!message.template_id.empty()) fields.Set("template_data", message.template_data);
  Log(LogLevel::kInfo, "mail_console", fields);
  return Status::Ok();
}

}  // namespace portico::mail
