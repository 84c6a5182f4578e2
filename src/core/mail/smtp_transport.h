#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "portico/clock.h"
#include "portico/mail.h"
#include "portico/random.h"
#include "portico/status.h"
#include "src/core/mail/mime.h"

namespace portico::mail {

// Where and how to reach an SMTP server, parsed from MAIL_URL.
struct SmtpEndpoint {
  bool implicit_tls = false;  // smtps://
  std::string host;           // as in the URL ("[::1]" keeps its brackets)
  int port = 25;
  std::string username;  // percent-decoded; empty = no AUTH
  std::string password;  // percent-decoded

  // The URL handed to libcurl: scheme, host and port only, so credentials
  // never reach a curl error message or a log line.
  std::string CurlUrl() const;
};

// Parses "smtp://[user[:pass]@]host[:port][/]" or "smtps://…". InvalidArgument
// naming MAIL_URL (and never echoing the URL, which may hold a password) when
// the scheme, host, port or percent-encoding is wrong. Thread-safe.
StatusOr<SmtpEndpoint> ParseSmtpUrl(std::string_view url);

// Delivers over SMTP with libcurl: one connection and one CURL handle per
// Send, so concurrent Sends are safe. The message is RFC 5322 text built by
// BuildTextMessage; libcurl dot-stuffs it.
// Send returns OK once the server accepted the message (250 after DATA);
// InvalidArgument for a message that fails ValidateMailMessage (header
// injection, bad address) or that the server refused permanently (5xx);
// FailedPrecondition when the server rejected the credentials;
// Unavailable when the server could not be reached, timed out, cut the
// connection or answered 4xx (transient: retry later).
class SmtpTransport : public MailTransport {
 public:
  SmtpTransport(SmtpEndpoint endpoint, Mailbox from, std::chrono::milliseconds timeout,
                const Clock& clock, Random& random);

  Status Send(const MailMessage& message) override;
  const char* name() const override { return "smtp"; }

 private:
  const SmtpEndpoint endpoint_;
  const Mailbox from_;
  const std::chrono::milliseconds timeout_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace portico::mail
