#include "src/core/mail/smtp_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>

#include "src/core/mail/curl_util.h"
#include "src/core/mail/mail_transports.h"

namespace portico::mail {
namespace {

constexpr char kSetting[] = "MAIL_URL";

Status UrlError(const std::string& what) {
  // Never echo the URL: its userinfo may carry a password.
  return InvalidArgument(std::string(kSetting) + ": " + what);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 §2.1 percent-decoding; nullopt for a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = HexValue(text[i + 1]);
    int lo = HexValue(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

struct UploadCursor {
  std::string_view rest;
};

size_t ReadUpload(char* buffer, size_t size, size_t nitems, void* userdata) {
  auto* cursor = static_cast<UploadCursor*>(userdata);
  size_t n = std::min(size * nitems, cursor->rest.size());
  std::memcpy(buffer, cursor->rest.data(), n);
  cursor->rest.remove_prefix(n);
  return n;
}

}  // namespace

std::string SmtpEndpoint::CurlUrl() const {
  return std::string(implicit_tls ? "smtps://" : "smtp://") + host + ":" + std::to_string(port);
}

StatusOr<SmtpEndpoint> ParseSmtpUrl(std::string_view url) {
  SmtpEndpoint endpoint;
  std::string_view rest;
  if (url.substr(0, 7) == "smtp://") {
    rest = url.substr(7);
  } else if (url.substr(0, 8) == "smtps://") {
    endpoint.implicit_tls = true;
    endpoint.port = 465;
    rest = url.substr(8);
  } else {
    return UrlError("expected smtp:// or smtps://");
  }

  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  if (authority_end != std::string_view::npos && rest.substr(authority_end) != "/") {
    return UrlError("an SMTP URL takes no path, query or fragment");
  }

  // The last '@' ends the userinfo, so an unencoded '@' in a password still works.
  size_t at = authority.rfind('@');
  std::string_view host_port = authority;
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    host_port = authority.substr(at + 1);
    size_t colon = userinfo.find(':');
    std::optional<std::string> user = PercentDecode(userinfo.substr(0, colon));
    std::optional<std::string> password = colon == std::string_view::npos
                                              ? std::optional<std::string>("")
                                              : PercentDecode(userinfo.substr(colon + 1));
    if (!user || !password) return UrlError("malformed percent-encoding in the user or password");
    if (user->empty()) return UrlError("the user name before ':' is empty");
    endpoint.username = std::move(*user);
    endpoint.password = std::move(*password);
  }

  std::string_view port_text;
  if (!host_port.empty() && host_port.front() == '[') {
    size_t close = host_port.find(']');
    if (close == std::string_view::npos) return UrlError("unterminated IPv6 address");
    endpoint.host = std::string(host_port.substr(0, close + 1));
    std::string_view after = host_port.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return UrlError("unexpected text after the IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) return UrlError("the port after ':' is empty");
    }
    for (char c : std::string_view(endpoint.host).substr(1, close - 1)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') {
        return UrlError("invalid IPv6 address");
      }
    }
  } else {
    size_t colon = host_port.find(':');
    endpoint.host = std::string(host_port.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = host_port.substr(colon + 1);
      if (port_text.empty()) return UrlError("the port after ':' is empty");
    }
    for (char c : endpoint.host) {
      if (!IsHostChar(c)) return UrlError("the host name has an invalid character");
    }
  }
  if (endpoint.host.empty() || endpoint.host == "[]") return UrlError("the host is missing");

  if (!port_text.empty()) {
    if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(),
                                             [](char c) { return c >= '0' && c <= '9'; })) {
      return UrlError("the port must be a number from 1 to 65535");
    }
    int port = std::stoi(std::string(port_text));
    if (port < 1 || port > 65535) return UrlError("the port must be a number from 1 to 65535");
    endpoint.port = port;
  }
  return endpoint;
}

struct SmtpTransport::Attempt {
  CURLcode result = CURLE_OK;
  long reply = 0;        // the last SMTP reply code of this transfer; 0 = none
  bool reused = false;   // ran on a connection an earlier transfer had opened
  std::string detail;    // for Status::internal when failed
};

SmtpTransport::SmtpTransport(SmtpEndpoint endpoint, Mailbox from, std::chrono::milliseconds timeout,
                             const Clock& clock, Random& random)
    : endpoint_(std::move(endpoint)),
      from_(std::move(from)),
      timeout_(timeout),
      clock_(clock),
      random_(random),
      url_(endpoint_.CurlUrl()),
      mail_from_("<" + from_.address + ">") {}

SmtpTransport::Attempt SmtpTransport::Perform(CURL* h, curl_slist* recipients,
                                              const std::string& data, bool fresh,
                                              bool close_after) const {
  Attempt attempt;
  UploadCursor cursor{data};
  char error_buffer[CURL_ERROR_SIZE] = {0};
  const long timeout_ms = static_cast<long>(timeout_.count());

  curl_easy_setopt(h, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM from other threads' timeouts
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  // Also bounds the QUIT a kept connection sends when the handle is cleaned up.
  curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT,
                   static_cast<long>(std::max<int64_t>(1, (timeout_.count() + 999) / 1000)));
  curl_easy_setopt(h, CURLOPT_MAXAGE_CONN, static_cast<long>(kMaxIdle.count()));
  curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, fresh ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, close_after ? 1L : 0L);  // QUIT after this message
  if (!endpoint_.implicit_tls) {
    // Opportunistic STARTTLS: upgrade whenever the server offers it (and then
    // verify its certificate), so credentials travel encrypted where possible.
    curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  }
  if (!endpoint_.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, endpoint_.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, endpoint_.password.c_str());
  }
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from_.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(h, CURLOPT_READDATA, &cursor);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));

  attempt.result = curl_easy_perform(h);
  long connects = 0;
  curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
  attempt.reused = connects == 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &attempt.reply);
  if (attempt.result != CURLE_OK) {
    attempt.detail = DescribeCurlError(attempt.result, error_buffer) + " (last SMTP reply " +
                     std::to_string(attempt.reply) + ")";
  }
  // The handle may outlive this frame: no pointers into it stay behind.
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, static_cast<char*>(nullptr));
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, static_cast<curl_slist*>(nullptr));
  curl_easy_setopt(h, CURLOPT_READDATA, static_cast<void*>(nullptr));
  return attempt;
}

Status SmtpTransport::Send(const MailMessage& message) {
  PORTICO_RETURN_IF_ERROR(ValidateMailMessage(message));

  TextMessage text;
  text.from = from_;
  text.to = message.to;
  text.subject = message.subject;
  text.text = message.text;
  text.date = clock_.Now();
  // A random left part keeps Message-IDs unique across processes and restarts.
  text.message_id =
      RandomToken(random_, 18) + "@" + from_.address.substr(from_.address.rfind('@') + 1);
  const std::string data = BuildTextMessage(text);
  CurlSlist recipients;
  if (!SlistAppend(recipients, "<" + message.to + ">")) {
    return Unavailable("mail delivery failed").WithInternal("out of memory");
  }

  Attempt attempt;
  std::unique_lock lock(mu_, std::try_to_lock);
  if (lock.owns_lock()) {
    if (!kept_) {
      kept_.reset(curl_easy_init());
      kept_messages_ = 0;
      if (!kept_) return Unavailable("mail delivery failed").WithInternal("curl_easy_init failed");
    }
    // The connection's last message closes it; the next Send opens another.
    const bool last = kept_messages_ + 1 >= kMaxMessagesPerConnection;
    attempt = Perform(kept_.get(), recipients.get(), data, /*fresh=*/false, last);
    // The server closed the kept connection as it was reused (no reply, or
    // 421 "closing channel"): this message was not accepted, so it is sent
    // again at once on a new connection rather than after the outbox's backoff.
    if (attempt.result != CURLE_OK && attempt.reused &&
        ((attempt.reply == 0 && IsTransientCurlError(attempt.result)) || attempt.reply == 421)) {
      attempt = Perform(kept_.get(), recipients.get(), data, /*fresh=*/true, last);
    }
    if (attempt.result == CURLE_OK) {
      kept_messages_ = last ? 0 : attempt.reused ? kept_messages_ + 1 : 1;
    } else {
      // Whatever state the connection is in, the next Send starts afresh.
      kept_.reset();
    }
  } else {
    // Another thread's Send holds the kept handle: this one uses its own.
    CurlEasy curl(curl_easy_init());
    if (!curl) return Unavailable("mail delivery failed").WithInternal("curl_easy_init failed");
    attempt = Perform(curl.get(), recipients.get(), data, /*fresh=*/true, /*close_after=*/true);
  }
  if (attempt.result == CURLE_OK) return Status::Ok();

  const long reply = attempt.reply;
  const std::string& detail = attempt.detail;
  if (attempt.result == CURLE_LOGIN_DENIED) {
    return FailedPrecondition("the SMTP server rejected the credentials").WithInternal(detail);
  }
  if (reply >= 500 && reply < 600) {
    // RFC 5321 §4.2.1: 5yz is a permanent negative reply (unknown recipient,
    // refused sender, message too large): sending again will not help.
    return InvalidArgument("the SMTP server refused the message (" + std::to_string(reply) + ")")
        .WithInternal(detail);
  }
  if (reply >= 400 && reply < 500) {
    return Unavailable("the SMTP server deferred the message (" + std::to_string(reply) + ")")
        .WithInternal(detail);
  }
  if (IsTransientCurlError(attempt.result)) {
    return Unavailable("the SMTP server could not be reached").WithInternal(detail);
  }
  // TLS and certificate problems and anything unforeseen: retrying with backoff
  // lets an operator fix the server or the configuration without losing mail.
  return Unavailable("mail delivery over SMTP failed").WithInternal(detail);
}

}  // namespace portico::mail
