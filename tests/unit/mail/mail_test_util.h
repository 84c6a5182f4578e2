#pragma once

#include <openssl/evp.h>

#include <regex>
#include <string>
#include <string_view>

namespace portico::testing {

// The value of header `name` in an RFC 5322 message, unfolded (CRLF SP
// removed), or "" when absent. Only the header section is searched.
inline std::string HeaderValue(const std::string& message, const std::string& name) {
  std::string head = message.substr(0, message.find("\r\n\r\n") + 2);
  std::string needle = "\r\n" + name + ": ";
  head = "\r\n" + head;
  size_t pos = head.find(needle);
  if (pos == std::string::npos) return "";
  size_t start = pos + needle.size();
  std::string value;
  size_t end = start;
  while (true) {
    size_t eol = head.find("\r\n", end);
    value += head.substr(end, eol - end);
    if (eol + 2 < head.size() && (head[eol + 2] == ' ' || head[eol + 2] == '\t')) {
      end = eol + 2;
      continue;
    }
    break;
  }
  return value;
}

// The body after the blank line that ends the header section.
inline std::string Body(const std::string& message) {
  size_t pos = message.find("\r\n\r\n");
  return pos == std::string::npos ? "" : message.substr(pos + 4);
}

// Decodes the RFC 2047 B-encoded UTF-8 words of an (unfolded) header value,
// dropping the whitespace between adjacent encoded words, as a reader does.
inline std::string DecodeEncodedWords(const std::string& value) {
  static const std::regex kWord(R"(=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=)");
  std::string out;
  bool previous_was_word = false;
  size_t last = 0;
  for (auto it = std::sregex_iterator(value.begin(), value.end(), kWord);
       it != std::sregex_iterator(); ++it) {
    std::string between = value.substr(last, it->position() - last);
    bool only_space = between.find_first_not_of(" \t") == std::string::npos;
    if (!(previous_was_word && only_space)) out += between;
    std::string b64 = (*it)[1];
    std::string raw(b64.size(), '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()),
                            reinterpret_cast<const unsigned char*>(b64.data()),
                            static_cast<int>(b64.size()));
    if (n < 0) return "<bad base64>";
    size_t padding = 0;
    if (!b64.empty() && b64.back() == '=') ++padding;
    if (b64.size() > 1 && b64[b64.size() - 2] == '=') ++padding;
    raw.resize(static_cast<size_t>(n) - padding);
    out += raw;
    previous_was_word = true;
    last = it->position() + it->length();
  }
  out += value.substr(last);
  return out;
}

}  // namespace portico::testing
