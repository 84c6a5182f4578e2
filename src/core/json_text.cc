#include "portico/json_text.h"

#include <cstdint>
#include <cstring>

#include "portico/parse_json.h"
#include "portico/utf8.h"

namespace portico {
namespace {

// Checks one value of Dump-form text, moving `p` past it. A recursive
// descent that allocates nothing: the point is to be much cheaper than
// ParseJson, which builds the tree this avoids.
class DumpFormScanner {
 public:
  DumpFormScanner(const char* begin, const char* end) : p_(begin), end_(end) {}

  const char* position() const { return p_; }
  bool AtEnd() const { return p_ == end_; }
  bool Consume(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  bool Value() {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return Object();
      case '[':
        return Array();
      case '"':
        return String();
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return Integer();
    }
  }

  // At an opening quote; leaves `p_` after the closing one.
  bool String() {
    ++p_;
    while (p_ != end_) {
      SkipPlainWords();
      if (p_ == end_) break;
      const unsigned char c = static_cast<unsigned char>(*p_++);
      if (c == '"') return true;
      if (c < 0x20 || c == 0x7f) return false;  // Dump escapes these
      if (c == '\\' && !Escape()) return false;
    }
    return false;
  }

  // Skips eight bytes at a time while none of them is '"', '\\', a control or DEL
  // (json.cc's CleanPrefix test): most of a document is such runs.
  void SkipPlainWords() {
    constexpr uint64_t kOnes = 0x0101010101010101ULL;
    constexpr uint64_t kHighs = 0x8080808080808080ULL;
    const auto has_byte = [](uint64_t x, unsigned char c) {
      const uint64_t y = x ^ (kOnes * c);
      return (y - kOnes) & ~y & kHighs;
    };
    while (end_ - p_ >= 8) {
      uint64_t x;
      std::memcpy(&x, p_, 8);
      const uint64_t control = (x - kOnes * 0x20) & ~x & kHighs;
      if (control | has_byte(x, '"') | has_byte(x, '\\') | has_byte(x, 0x7f)) return;
      p_ += 8;
    }
  }

  // The outermost object, whose members are recorded (names must not repeat).
  bool TopObject(std::vector<JsonTextMember>& members) {
    const size_t first = members.size();
    if (p_ == end_ || *p_ != '{' || !Enter()) return false;
    if (Consume('}')) return Leave();
    do {
      const char* name = p_;
      if (p_ == end_ || *p_ != '"' || !String()) return false;
      JsonTextMember member{std::string_view(name + 1, static_cast<size_t>(p_ - name - 2)), {}};
      if (!Consume(':')) return false;
      const char* value = p_;
      if (!Value()) return false;
      member.value = std::string_view(value, static_cast<size_t>(p_ - value));
      for (size_t i = first; i < members.size(); ++i) {
        if (members[i].name == member.name) return false;  // ParseJson refuses a repeat
      }
      members.push_back(member);
    } while (Consume(','));
    return Consume('}') && Leave();
  }

  bool Object() {
    if (!Enter()) return false;
    if (Consume('}')) return Leave();
    do {
      if (p_ == end_ || *p_ != '"' || !String() || !Consume(':') || !Value()) return false;
    } while (Consume(','));
    return Consume('}') && Leave();
  }

 private:
  // The escapes Dump writes, and only those: \" \\ \b \f \n \r \t, and
  // \u00xx (lower-case hex) for the other controls and DEL.
  bool Escape() {
    if (p_ == end_) return false;
    switch (*p_++) {
      case '"':
      case '\\':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    if (end_ - p_ < 4 || p_[0] != '0' || p_[1] != '0') return false;
    int value = 0;
    for (int i = 2; i < 4; ++i) {
      const char h = p_[i];
      if (h >= '0' && h <= '9') {
        value = value * 16 + (h - '0');
      } else if (h >= 'a' && h <= 'f') {
        value = value * 16 + (h - 'a' + 10);
      } else {
        return false;
      }
    }
    p_ += 4;
    const bool short_form =
        value == '\b' || value == '\f' || value == '\n' || value == '\r' || value == '\t';
    return (value < 0x20 && !short_form) || value == 0x7f;
  }

  bool Array() {
    if (!Enter()) return false;
    if (Consume(']')) return Leave();
    do {
      if (!Value()) return false;
    } while (Consume(','));
    return Consume(']') && Leave();
  }

  // -?(0|[1-9][0-9]*), at most 18 digits: an int64 that to_chars writes the
  // same way. Anything else (fractions, exponents, -0, larger) is left to the parser.
  bool Integer() {
    const bool minus = Consume('-');
    const char* digits = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    const long n = p_ - digits;
    if (n == 0 || n > 18) return false;
    if (digits[0] == '0' && (n > 1 || minus)) return false;
    return p_ == end_ || (*p_ != '.' && *p_ != 'e' && *p_ != 'E');
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  // ParseJson's nesting limit: beyond it the parser refuses the text.
  bool Enter() {
    ++p_;
    return ++depth_ <= JsonParseOptions().max_depth;
  }
  bool Leave() {
    --depth_;
    return true;
  }

  const char* p_;
  const char* end_;
  int depth_ = 0;
};

}  // namespace

bool SplitDumpedObject(std::string_view text, std::vector<JsonTextMember>& members) {
  if (FindInvalidUtf8(text) != std::string_view::npos) return false;
  DumpFormScanner scan(text.data(), text.data() + text.size());
  return scan.TopObject(members) && scan.AtEnd();
}

}  // namespace portico
