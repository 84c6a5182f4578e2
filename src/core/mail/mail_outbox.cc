#include "src/core/mail/mail_outbox.h"

#include <utility>

#include "portico/json.h"
#include "portico/parse_json.h"

namespace portico::mail {
namespace {

Status PayloadError(const std::string& what) {
  return InvalidArgument("mail payload: " + what).WithTag("invalid_mail_payload");
}

StatusOr<std::string> RequiredString(const Json& object, std::string_view name) {
  const Json* value = object.Find(name);
  if (value == nullptr || !value->is_string()) {
    return PayloadError("\"" + std::string(name) + "\" must be a string");
  }
  return value->as_string();
}

}  // namespace

std::string EncodeMailPayload(const MailMessage& message) {
  Json payload = Json::MakeObject();
  payload.Set("to", message.to);
  payload.Set("subject", message.subject);
  payload.Set("text", message.text);
  payload.Set("template_id", message.template_id);
  payload.Set("template_data",
              message.template_data.is_object() ? message.template_data : Json::MakeObject());
  return payload.Dump();
}

StatusOr<MailMessage> DecodeMailPayload(std::string_view payload) {
  StatusOr<Json> parsed = ParseJson(payload);
  if (!parsed.ok()) {
    return PayloadError("not valid JSON").WithInternal(parsed.status().message());
  }
  const Json& json = *parsed;
  if (!json.is_object()) return PayloadError("must be a JSON object");

  MailMessage message;
  PORTICO_ASSIGN_OR_RETURN(message.to, RequiredString(json, "to"));
  PORTICO_ASSIGN_OR_RETURN(message.subject, RequiredString(json, "subject"));
  PORTICO_ASSIGN_OR_RETURN(message.text, RequiredString(json, "text"));
  if (message.to.empty()) return PayloadError("\"to\" must not be empty");
  if (const Json* id = json.Find("template_id"); id != nullptr && !id->is_null()) {
    if (!id->is_string()) return PayloadError("\"template_id\" must be a string");
    message.template_id = id->as_string();
  }
  if (const Json* data = json.Find("template_data"); data != nullptr && !data->is_null()) {
    if (!data->is_object()) return PayloadError("\"template_data\" must be an object");
    message.template_data = *data;
  }
  return message;
}

Status DeliverMail(MailTransport& transport, const OutboxMessage& message) {
  PORTICO_ASSIGN_OR_RETURN(MailMessage mail, DecodeMailPayload(message.payload));
  mail.idempotency_key = "outbox-" + std::to_string(message.id);
  return transport.Send(mail);
}

}  // namespace portico::mail
