#include "portico/json.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace portico {
namespace {

// 1 for the bytes JSON text must escape: controls, '"', '\\', and DEL (kept
// out of logs). A table lookup per byte, because every response body and log
// line passes through here.
constexpr std::array<uint8_t, 256> kNeedsEscape = [] {
  std::array<uint8_t, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = 1;
  table['"'] = 1;
  table['\\'] = 1;
  table[0x7f] = 1;
  return table;
}();

// Length of the prefix of `s` that needs no escape. Eight bytes at a time
// (a word test that is exact about whether the word holds such a byte), then
// byte by byte from the first word that does.
size_t CleanPrefix(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  const auto has_byte = [](uint64_t x, unsigned char c) {
    const uint64_t y = x ^ (kOnes * c);
    return (y - kOnes) & ~y & kHighs;
  };
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t x;
    std::memcpy(&x, s.data() + i, 8);
    const uint64_t control = (x - kOnes * 0x20) & ~x & kHighs;  // a byte below 0x20
    if (control | has_byte(x, '"') | has_byte(x, '\\') | has_byte(x, 0x7f)) break;
  }
  while (i < s.size() && !kNeedsEscape[static_cast<unsigned char>(s[i])]) ++i;
  return i;
}

// Appends `lead` (when not '\0'), `s` as a JSON string, and `trail` (when not
// '\0'): one resize for the common string that needs no escape.
void AppendQuoted(std::string& out, std::string_view s, char lead = '\0', char trail = '\0') {
  static constexpr char kHex[] = "0123456789abcdef";
  const size_t n = s.size();
  size_t i = CleanPrefix(s);
  if (i == n) {
    const size_t old = out.size();
    out.resize(old + n + 2 + (lead != '\0') + (trail != '\0'));
    char* p = out.data() + old;
    if (lead != '\0') *p++ = lead;
    *p++ = '"';
    std::memcpy(p, s.data(), n);
    p += n;
    *p++ = '"';
    if (trail != '\0') *p = trail;
    return;
  }
  if (lead != '\0') out.push_back(lead);
  out.push_back('"');
  size_t run = 0;  // start of the pending run of bytes that need no escape
  for (; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (!kNeedsEscape[c]) continue;  // UTF-8 bytes pass through unchanged
    out.append(s, run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
  }
  out.append(s, run, n - run);
  out.push_back('"');
  if (trail != '\0') out.push_back(trail);
}

void EscapeStringTo(std::string_view s, std::string& out) { AppendQuoted(out, s); }

void DoubleTo(double d, std::string& out) {
  if (!std::isfinite(d)) {  // JSON has no NaN or Infinity
    out += "null";
    return;
  }
  // Shortest text that reads back to the same double.
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  if (ec != std::errc()) {
    out += "null";
    return;
  }
  std::string_view text(buf, static_cast<size_t>(end - buf));
  out += text;
  // Keep it a double on the way back in ("1" would parse as an integer).
  if (text.find_first_of(".eE") == std::string_view::npos) out += ".0";
}

}  // namespace

double Json::as_double() const {
  if (const auto* i = std::get_if<int64_t>(&value_)) return static_cast<double>(*i);
  return std::get<double>(value_);
}

const Json* Json::Find(std::string_view key) const {
  const auto* object = std::get_if<Object>(&value_);
  if (object == nullptr) return nullptr;
  for (const auto& [name, value] : *object) {
    if (name == key) return &value;
  }
  return nullptr;
}

Json* Json::Find(std::string_view key) {
  return const_cast<Json*>(static_cast<const Json&>(*this).Find(key));
}

Json& Json::Set(std::string_view key, Json value) {
  if (!is_object()) value_ = Object{};  // a null (or anything else) becomes an object
  if (Json* existing = Find(key)) {
    *existing = std::move(value);
  } else {
    std::get<Object>(value_).emplace_back(std::string(key), std::move(value));
  }
  return *this;
}

bool Json::Erase(std::string_view key) {
  auto* object = std::get_if<Object>(&value_);
  if (object == nullptr) return false;
  for (auto it = object->begin(); it != object->end(); ++it) {
    if (it->first == key) {
      object->erase(it);
      return true;
    }
  }
  return false;
}

Json& Json::Push(Json value) {
  if (!is_array()) value_ = Array{};  // a null (or anything else) becomes an array
  std::get<Array>(value_).push_back(std::move(value));
  return *this;
}

std::string Json::Dump() const {
  std::string out;
  DumpTo(out);
  return out;
}

void Json::DumpTo(std::string& out) const {
  switch (type()) {
    case Type::kNull:
      out += "null";
      break;
    case Type::kBool:
      out += as_bool() ? "true" : "false";
      break;
    case Type::kInt: {
      char buf[32];
      const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, as_int());
      (void)ec;
      out.append(buf, end);
      break;
    }
    case Type::kDouble:
      DoubleTo(std::get<double>(value_), out);
      break;
    case Type::kString:
      EscapeStringTo(as_string(), out);
      break;
    case Type::kArray: {
      out.push_back('[');
      bool first = true;
      for (const Json& item : as_array()) {
        if (!first) out.push_back(',');
        first = false;
        item.DumpTo(out);
      }
      out.push_back(']');
      break;
    }
    case Type::kObject: {
      out.push_back('{');
      bool first = true;
      for (const auto& [name, value] : as_object()) {
        if (!first) out.push_back(',');
        first = false;
        EscapeStringTo(name, out);
        out.push_back(':');
        value.DumpTo(out);
      }
      out.push_back('}');
      break;
    }
  }
}

namespace {

// The separator a value or key needs here: a comma unless it opens its
// container or follows its key (or starts the text).
char Separator(const std::string& out) {
  if (out.empty()) return '\0';
  const char last = out.back();
  return last == '{' || last == '[' || last == ':' ? '\0' : ',';
}

}  // namespace

void JsonWriter::Separate() {
  if (const char comma = Separator(out_)) out_.push_back(comma);
}

JsonWriter& JsonWriter::BeginObject() {
  Separate();
  out_.push_back('{');
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_.push_back('}');
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  Separate();
  out_.push_back('[');
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_.push_back(']');
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view name) {
  AppendQuoted(out_, name, Separator(out_), ':');
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  AppendQuoted(out_, value, Separator(out_));
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  Separate();
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;
  out_.append(buf, end);
  return *this;
}

JsonWriter& JsonWriter::Double(double value) {
  Separate();
  DoubleTo(value, out_);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  Separate();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::Null() {
  Separate();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::Value(const Json& value) {
  Separate();
  value.DumpTo(out_);
  return *this;
}

JsonWriter& JsonWriter::StringArray(const std::vector<std::string>& values) {
  BeginArray();
  for (const std::string& v : values) String(v);
  return EndArray();
}

}  // namespace portico
