#pragma once

#include <string>
#include <string_view>

#include "portico/clock.h"
#include "portico/status.h"

// Pure building blocks for an RFC 5322 text message (no I/O). Thread-safe.
namespace portico::mail {

// An address with an optional display name, e.g. `Portico <no-reply@example.com>`.
struct Mailbox {
  std::string display_name;  // UTF-8, may be empty
  std::string address;       // addr-spec: local@domain, ASCII
};

// A plain addr-spec (`local@domain`) in printable ASCII without whitespace,
// quotes, angle brackets, commas or other characters that could split an SMTP
// command or a header. Quoted local parts are not supported.
bool IsValidAddress(std::string_view address);

// True when `text` contains CR or LF: a header value with either could inject
// headers (or SMTP commands).
bool HasLineBreak(std::string_view text);

// Well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Parses `addr@example.com`, `<addr@example.com>`, `Name <addr@example.com>` or
// `"Name, Inc." <addr@example.com>`. InvalidArgument (message starting with
// `setting`, never echoing the value) when malformed or containing CR/LF.
StatusOr<Mailbox> ParseMailbox(std::string_view text, std::string_view setting);

// A header value safe for any header: printable ASCII as is; anything else
// (non-ASCII, control characters, text that looks like an encoded word, very
// long text) as RFC 2047 B-encoded UTF-8 words of at most 75 characters, never
// splitting a UTF-8 sequence, folded with CRLF SP.
std::string EncodeHeaderText(std::string_view utf8);

// `Name <addr>` with the name quoted (RFC 5322 quoted-string) or encoded
// (RFC 2047) as needed; just `addr` without a name.
std::string FormatMailbox(const Mailbox& mailbox);

// RFC 5322 §3.3 date-time in UTC, e.g. "Sat, 21 Nov 2026 23:13:56 +0000".
std::string FormatRfc5322Date(TimePoint time);

// Converts every line ending (CRLF, lone LF, lone CR) to CRLF.
std::string NormalizeLineEndings(std::string_view text);

// RFC 2045 §6.7 quoted-printable of CRLF-separated text: encoded lines of at
// most 76 characters (soft breaks "=" CRLF), trailing whitespace encoded.
std::string EncodeQuotedPrintable(std::string_view crlf_text);

struct TextMessage {
  Mailbox from;
  std::string to;       // addr-spec
  std::string subject;  // UTF-8
  std::string text;     // UTF-8, any line endings
  TimePoint date;
  std::string message_id;  // without angle brackets: "unique@domain"
};

// The whole message with CRLF line endings, ending in CRLF: Date, From, To,
// Subject, Message-ID, MIME-Version, Content-Type text/plain; charset=utf-8,
// Content-Transfer-Encoding 7bit (ASCII with lines of at most 998 octets) or
// quoted-printable (anything else, so no 8BITMIME support is needed), and
// Auto-Submitted: auto-generated (RFC 3834: no auto-replies). SMTP
// dot-stuffing is NOT applied (libcurl does it while sending).
// The caller has validated the fields (no CR/LF in header values).
std::string BuildTextMessage(const TextMessage& message);

}  // namespace portico::mail
