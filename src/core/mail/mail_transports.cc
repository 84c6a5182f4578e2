#include "src/core/mail/mail_transports.h"

#include <cctype>
#include <utility>

#include "portico/clock.h"
#include "portico/random.h"
#include "src/core/mail/console_transport.h"
#include "src/core/mail/curl_util.h"
#include "src/core/mail/mime.h"
#include "src/core/mail/resend_transport.h"
#include "src/core/mail/smtp_transport.h"

namespace portico::mail {
namespace {

// Resend limits idempotency keys to 256 characters.
constexpr size_t kMaxIdempotencyKey = 256;

// A bearer token travels in a header: printable ASCII without spaces, so it
// can neither break the header line nor be mangled.
bool IsTokenText(std::string_view text) {
  for (unsigned char c : text) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

StatusOr<std::string> ValidateApiUrl(std::string_view url) {
  std::string_view rest;
  if (url.substr(0, 8) == "https://") {
    rest = url.substr(8);
  } else if (url.substr(0, 7) == "http://") {
    rest = url.substr(7);
  } else {
    return InvalidArgument(
        "RESEND_API_URL: must start with https:// (or http:// for a test server)");
  }
  if (rest.empty() || rest.front() == '/')
    return InvalidArgument("RESEND_API_URL: the host is missing");
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7f)
      return InvalidArgument("RESEND_API_URL: has a space or control character");
  }
  if (url.find_first_of("?#") != std::string_view::npos) {
    return InvalidArgument("RESEND_API_URL: takes no query or fragment");
  }
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

std::chrono::milliseconds TimeoutOf(const MailSettings& settings) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(settings.timeout);
}

}  // namespace

Status ValidateMailMessage(const MailMessage& message) {
  if (HasLineBreak(message.to) || HasLineBreak(message.subject)) {
    return InvalidArgument("mail recipient and subject must not contain line breaks");
  }
  if (!IsValidAddress(message.to)) {
    return InvalidArgument("the mail recipient is not a valid email address");
  }
  if (!IsValidUtf8(message.subject) || !IsValidUtf8(message.text)) {
    return InvalidArgument("mail subject and text must be UTF-8");
  }
  for (unsigned char c : message.subject) {
    if (c < 0x20 || c == 0x7f) return InvalidArgument("the mail subject has a control character");
  }
  if (message.idempotency_key.size() > kMaxIdempotencyKey ||
      !IsTokenText(message.idempotency_key)) {
    return InvalidArgument("the mail idempotency key must be at most 256 printable characters");
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<MailTransport>> MakeMailTransport(const MailSettings& settings) {
  const std::string& url = settings.url;
  if (url == "console:") {
    return std::unique_ptr<MailTransport>(std::make_unique<ConsoleTransport>());
  }
  if (settings.timeout.count() <= 0) {
    return InvalidArgument("mail timeout must be positive");
  }

  if (url == "resend:") {
    if (settings.resend_api_key.empty()) {
      return InvalidArgument("RESEND_API_KEY: required when MAIL_URL is resend:");
    }
    if (!IsTokenText(settings.resend_api_key)) {
      // Never echo the key, not even in part.
      return InvalidArgument("RESEND_API_KEY: must be printable ASCII without spaces");
    }
    PORTICO_ASSIGN_OR_RETURN(Mailbox from, ParseMailbox(settings.from, "RESEND_FROM_EMAIL"));
    (void)from;  // validated only: Resend takes the `Name <address>` text as is
    PORTICO_ASSIGN_OR_RETURN(std::string api_url, ValidateApiUrl(settings.resend_api_url));
    PORTICO_RETURN_IF_ERROR(EnsureCurlInitialized());
    return std::unique_ptr<MailTransport>(std::make_unique<ResendTransport>(
        std::move(api_url), settings.resend_api_key, settings.from, TimeoutOf(settings)));
  }

  if (url.rfind("smtp://", 0) == 0 || url.rfind("smtps://", 0) == 0) {
    PORTICO_ASSIGN_OR_RETURN(SmtpEndpoint endpoint, ParseSmtpUrl(url));
    PORTICO_ASSIGN_OR_RETURN(Mailbox from, ParseMailbox(settings.from, "MAIL_FROM"));
    PORTICO_RETURN_IF_ERROR(EnsureCurlInitialized());
    return std::unique_ptr<MailTransport>(std::make_unique<SmtpTransport>(
        std::move(endpoint), std::move(from), TimeoutOf(settings), SystemClock(), SecureRandom()));
  }

  // Never echo the value: a mistyped URL may still carry a password.
  return InvalidArgument(
      "MAIL_URL: unsupported value; expected console:, smtp://[user:pass@]host:port, "
      "smtps://[user:pass@]host:port or resend:");
}

}  // namespace portico::mail
