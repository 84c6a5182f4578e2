#include "src/core/mail/mime.h"

#include <openssl/evp.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace portico::mail {
namespace {

// RFC 2047 §2: an encoded word is at most 75 characters, and a header line
// holding one at most 76. 39 raw bytes → 52 base64 characters → a 64-character
// word, which fits after "Subject: " on the first line.
constexpr size_t kMaxBytesPerEncodedWord = 39;
// Longer plain text is encoded too, so every line stays far below RFC 5322's
// 998-octet limit without header folding rules for unstructured text.
constexpr size_t kMaxRawHeaderText = 900;
constexpr size_t kMaxQuotedPrintableLine = 76;
constexpr size_t kMaxLineOctets = 998;  // RFC 5322 §2.1.1

bool IsPrintableAscii(unsigned char c) { return c >= 0x20 && c <= 0x7e; }

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(written < 0 ? 0 : static_cast<size_t>(written));
  return out;
}

// Length of the UTF-8 sequence starting with `lead` (1 for a stray byte, so
// malformed input still makes progress).
size_t Utf8SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) == 0xc0) return 2;
  if ((lead & 0xf0) == 0xe0) return 3;
  if ((lead & 0xf8) == 0xf0) return 4;
  return 1;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

size_t LastLineLength(const std::string& text) {
  size_t pos = text.rfind("\r\n");
  return pos == std::string::npos ? text.size() : text.size() - pos - 2;
}

}  // namespace

bool IsValidAddress(std::string_view address) {
  if (address.size() > 254) return false;  // RFC 5321 §4.5.3.1.3 path limit
  size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return false;
  if (at > 64) return false;  // local part limit
  for (size_t i = 0; i < address.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(address[i]);
    if (!IsPrintableAscii(c) || c == ' ') return false;
    if (std::string_view("<>()[]\\,;:\"").find(static_cast<char>(c)) != std::string_view::npos) {
      return false;
    }
    if (c == '@' && i != at) return false;
  }
  std::string_view domain = address.substr(at + 1);
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != domain.npos) {
    return false;
  }
  return true;
}

bool HasLineBreak(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      // ASCII, nearly all of a mail, eight bytes at a time.
      uint64_t word;
      while (i + sizeof word <= text.size() &&
             (std::memcpy(&word, text.data() + i, sizeof word), (word & 0x8080808080808080u) == 0)) {
        i += sizeof word;
      }
      continue;
    }
    size_t len = Utf8SequenceLength(c);
    if (len == 1 || i + len > text.size()) return false;
    uint32_t cp = c & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
    for (size_t k = 1; k < len; ++k) {
      unsigned char cont = static_cast<unsigned char>(text[i + k]);
      if ((cont & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cont & 0x3f);
    }
    bool overlong =
        (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

StatusOr<Mailbox> ParseMailbox(std::string_view text, std::string_view setting) {
  const std::string prefix = std::string(setting) + ": ";
  if (HasLineBreak(text)) return InvalidArgument(prefix + "must not contain line breaks");
  if (!IsValidUtf8(text)) return InvalidArgument(prefix + "must be UTF-8");
  std::string_view trimmed = Trim(text);
  if (trimmed.empty()) return InvalidArgument(prefix + "must not be empty");

  Mailbox mailbox;
  size_t open = trimmed.rfind('<');
  if (open == std::string_view::npos) {
    mailbox.address = std::string(trimmed);
  } else {
    if (trimmed.back() != '>') {
      return InvalidArgument(prefix + "must look like `Name <address@example.com>`");
    }
    mailbox.address = std::string(trimmed.substr(open + 1, trimmed.size() - open - 2));
    std::string_view name = Trim(trimmed.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
      for (size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '\\' && i + 1 < name.size()) ++i;  // quoted-pair
        mailbox.display_name.push_back(name[i]);
      }
    } else {
      mailbox.display_name = std::string(name);
    }
    for (unsigned char c : mailbox.display_name) {
      if (c < 0x20 || c == 0x7f) return InvalidArgument(prefix + "has a control character");
    }
  }
  if (!IsValidAddress(mailbox.address)) {
    return InvalidArgument(prefix + "needs a valid email address (local@domain)");
  }
  return mailbox;
}

std::string EncodeHeaderText(std::string_view utf8) {
  bool plain = utf8.size() <= kMaxRawHeaderText && utf8.find("=?") == std::string_view::npos;
  for (unsigned char c : utf8) plain = plain && IsPrintableAscii(c);
  if (plain) return std::string(utf8);

  std::string out;
  size_t i = 0;
  while (i < utf8.size()) {
    size_t start = i;
    while (i < utf8.size()) {
      size_t len = Utf8SequenceLength(static_cast<unsigned char>(utf8[i]));
      if (i + len > utf8.size()) len = utf8.size() - i;
      if (i - start + len > kMaxBytesPerEncodedWord) break;
      i += len;
    }
    if (!out.empty()) out += "\r\n ";  // folding whitespace between words is not displayed
    out += "=?UTF-8?B?" + Base64(utf8.substr(start, i - start)) + "?=";
  }
  return out;
}

std::string FormatMailbox(const Mailbox& mailbox) {
  if (mailbox.display_name.empty()) return mailbox.address;
  std::string name;
  bool ascii = true;
  for (unsigned char c : mailbox.display_name) ascii = ascii && IsPrintableAscii(c);
  if (ascii && mailbox.display_name.size() <= 200 &&
      mailbox.display_name.find("=?") == std::string::npos) {
    // RFC 5322 §3.2.4: a quoted-string carries specials such as , . < >.
    bool needs_quotes = mailbox.display_name.find_first_of("()<>[]:;@\\,.\"") != std::string::npos;
    if (!needs_quotes) {
      name = mailbox.display_name;
    } else {
      name = "\"";
      for (char c : mailbox.display_name) {
        if (c == '"' || c == '\\') name.push_back('\\');
        name.push_back(c);
      }
      name += "\"";
    }
  } else {
    name = EncodeHeaderText(mailbox.display_name);
  }
  std::string angle = "<" + mailbox.address + ">";
  // Keep a line with encoded words within 76 characters ("From: " included).
  bool fold = LastLineLength(name) + 1 + angle.size() + 6 > kMaxQuotedPrintableLine &&
              name.find("=?") != std::string::npos;
  return name + (fold ? "\r\n " : " ") + angle;
}

std::string FormatRfc5322Date(TimePoint time) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  // Fixed English names: strftime's %a/%b follow the locale.
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[utc.tm_wday],
                utc.tm_mday, kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min,
                utc.tm_sec);
  return buffer;
}

std::string NormalizeLineEndings(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32 + 2);
  // Whole runs between line breaks are copied at once (memchr finds the
  // breaks); text without a CR, the usual case, needs only the '\n' search.
  const bool has_cr = text.find('\r') != std::string_view::npos;
  size_t i = 0;
  while (i < text.size()) {
    const size_t brk = has_cr ? text.find_first_of("\r\n", i) : text.find('\n', i);
    if (brk == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, brk - i));
    out += "\r\n";
    i = brk + 1;
    if (text[brk] == '\r' && i < text.size() && text[i] == '\n') ++i;
  }
  return out;
}

std::string EncodeQuotedPrintable(std::string_view crlf_text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(crlf_text.size() + crlf_text.size() / 4 + 8);
  size_t line_start = 0;
  while (line_start <= crlf_text.size()) {
    size_t line_end = crlf_text.find("\r\n", line_start);
    bool last = line_end == std::string_view::npos;
    std::string_view line =
        crlf_text.substr(line_start, last ? std::string_view::npos : line_end - line_start);
    size_t used = 0;  // characters on the current encoded line
    for (size_t i = 0; i < line.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(line[i]);
      bool trailing_space = (c == ' ' || c == '\t') && i + 1 == line.size();
      bool literal =
          ((c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t') && !trailing_space;
      const size_t width = literal ? 1 : 3;
      // Leave room for the soft line break's "=".
      if (used + width > kMaxQuotedPrintableLine - 1) {
        out += "=\r\n";
        used = 0;
      }
      if (literal) {
        out.push_back(static_cast<char>(c));
      } else {
        const char escaped[3] = {'=', kHex[c >> 4], kHex[c & 0x0f]};
        out.append(escaped, 3);
      }
      used += width;
    }
    if (last) break;
    out += "\r\n";
    line_start = line_end + 2;
  }
  return out;
}

std::string BuildTextMessage(const TextMessage& message) {
  std::string body = NormalizeLineEndings(message.text);
  if (body.size() < 2 || body.compare(body.size() - 2, 2, "\r\n") != 0) body += "\r\n";

  bool seven_bit = true;
  size_t line_length = 0;
  for (size_t i = 0; i < body.size() && seven_bit; ++i) {
    unsigned char c = static_cast<unsigned char>(body[i]);
    if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n') {
      line_length = 0;
      ++i;
      continue;
    }
    seven_bit = (IsPrintableAscii(c) || c == '\t') && ++line_length <= kMaxLineOctets;
  }

  std::string out;
  out.reserve(body.size() + 512);
  out += "Date: " + FormatRfc5322Date(message.date) + "\r\n";
  out += "From: " + FormatMailbox(message.from) + "\r\n";
  out += "To: " + message.to + "\r\n";
  out += "Subject: " + EncodeHeaderText(message.subject) + "\r\n";
  out += "Message-ID: <" + message.message_id + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += std::string("Content-Transfer-Encoding: ") + (seven_bit ? "7bit" : "quoted-printable") +
         "\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  out += "\r\n";
  if (seven_bit) {
    out += body;
  } else {
    out += EncodeQuotedPrintable(body);  // keeps the final CRLF (an empty last line)
  }
  return out;
}

}  // namespace portico::mail
