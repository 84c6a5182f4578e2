#pragma once

#include <string>
#include <string_view>

#include "portico/mail.h"
#include "portico/outbox.h"
#include "portico/status.h"

// Mail as an outbox topic: a service enqueues EncodeMailPayload(message) under
// kMailTopic in the transaction that owes the mail; the dispatcher calls
// DeliverMail for it, at least once.
namespace portico::mail {

inline constexpr char kMailTopic[] = "mail";

// JSON text for the outbox: {"to", "subject", "text", "template_id",
// "template_data"}. The idempotency key is not stored: DeliverMail derives it
// from the outbox id. Thread-safe.
std::string EncodeMailPayload(const MailMessage& message);

// Reverses EncodeMailPayload. `to`, `subject` and `text` are required strings;
// `template_id` (string) and `template_data` (object) are optional; unknown
// members are ignored (a newer process may add some). InvalidArgument
// (permanent: the payload will never become valid) when malformed.
// Thread-safe.
StatusOr<MailMessage> DecodeMailPayload(std::string_view payload);

// The outbox handler for kMailTopic: decodes the payload, sets
// idempotency_key = "outbox-<message id>" so a provider that deduplicates sends
// a retried message once, and returns transport.Send's result (OK, Unavailable
// to retry, InvalidArgument/FailedPrecondition permanent), or the decoding
// error. Thread-safe when the transport is.
Status DeliverMail(MailTransport& transport, const OutboxMessage& message);

}  // namespace portico::mail
