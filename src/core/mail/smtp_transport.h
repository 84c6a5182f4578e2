#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

#include "portico/clock.h"
#include "portico/mail.h"
#include "portico/random.h"
#include "portico/status.h"
#include "src/core/mail/curl_util.h"
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

// Delivers over SMTP with libcurl. The message is RFC 5322 text built by
// BuildTextMessage; libcurl dot-stuffs it.
//
// Connection reuse: one CURL handle is kept between Sends, and libcurl keeps
// its SMTP connection open after a transfer, so the next message goes out as
// MAIL FROM on the same connection (no TCP connect, greeting, EHLO, STARTTLS,
// AUTH or QUIT per mail: these were most of a mail's cost). Such a connection
// is dropped after kMaxIdle without use (libcurl's CURLOPT_MAXAGE_CONN), after
// kMaxMessagesPerConnection messages, and after any failed Send. libcurl sees
// a connection the server has closed meanwhile before using it (the socket
// reads as closed) and opens a new one; if the server closed it in the
// instant between that check and the first command, so that it answered
// nothing at all (or answered 421, closing) on a reused connection, nothing
// can have been accepted and the Send is repeated once on a fresh connection.
// Every other failure is reported as before, for the outbox to retry.
// Concurrent Sends are safe: one of them uses the kept handle, any other
// runs on a handle (and a connection) of its own, as every Send used to.
//
// Send returns OK once the server accepted the message (250 after DATA);
// InvalidArgument for a message that fails ValidateMailMessage (header
// injection, bad address) or that the server refused permanently (5xx);
// FailedPrecondition when the server rejected the credentials;
// Unavailable when the server could not be reached, timed out, cut the
// connection or answered 4xx (transient: retry later).
class SmtpTransport : public MailTransport {
 public:
  // Kept short of the idle timeouts of common servers (RFC 5321 §4.5.3.2.7
  // asks for at least 5 minutes; some use a minute), so that the server
  // seldom closes a connection just as it is reused.
  static constexpr std::chrono::seconds kMaxIdle{30};
  // Servers limit messages per connection (often 100 or more); reconnecting
  // before that avoids a 4xx that would delay a mail by the outbox's backoff.
  static constexpr int kMaxMessagesPerConnection = 100;

  SmtpTransport(SmtpEndpoint endpoint, Mailbox from, std::chrono::milliseconds timeout,
                const Clock& clock, Random& random);

  Status Send(const MailMessage& message) override;
  const char* name() const override { return "smtp"; }

 private:
  struct Attempt;
  // One transfer of `data` on `handle` (its options set afresh); `fresh`
  // forbids reusing a kept connection, `close_after` keeping this one.
  Attempt Perform(CURL* handle, curl_slist* recipients, const std::string& data, bool fresh,
                  bool close_after) const;

  const SmtpEndpoint endpoint_;
  const Mailbox from_;
  const std::chrono::milliseconds timeout_;
  const Clock& clock_;
  Random& random_;
  const std::string url_;        // endpoint_.CurlUrl()
  const std::string mail_from_;  // "<from address>"

  std::mutex mu_;  // held by the Send using kept_
  CurlEasy kept_;  // with its open connection, if any; null after a failure
  int kept_messages_ = 0;  // sent on kept_'s current connection (0: none open)
};

}  // namespace portico::mail
