#include "portico/parse_json.h"

// x86-64 always has SSE2: RapidJSON then copies unescaped string runs 16
// bytes at a time from a StringStream (ParseJson below) instead of one
// character per call. Only this file includes RapidJSON.
#if defined(__SSE2__) && !defined(RAPIDJSON_SSE2)
#define RAPIDJSON_SSE2
#endif
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstdint>
#include <limits>
#include <string>
#include <unordered_set>
#include <vector>

#include "portico/utf8.h"

namespace portico {
namespace {

// Builds a portico::Json straight from RapidJSON's SAX events, so no
// intermediate DOM is allocated. Returning false stops the reader; `error_`
// then says why.
class Builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Builder> {
 public:
  explicit Builder(int max_depth) : max_depth_(max_depth) {}

  bool Null() { return Add(nullptr); }
  bool Bool(bool b) { return Add(b); }
  bool Int(int i) { return Add(static_cast<int64_t>(i)); }
  bool Uint(unsigned u) { return Add(static_cast<int64_t>(u)); }
  bool Int64(int64_t i) { return Add(i); }
  bool Uint64(uint64_t u) {
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Add(static_cast<int64_t>(u));
    }
    return Add(static_cast<double>(u));  // too large for int64
  }
  bool Double(double d) { return Add(d); }
  bool String(const char* s, rapidjson::SizeType n, bool) { return Add(std::string(s, n)); }

  bool StartObject() {
    if (!Enter()) return false;
    frames_.push_back(Frame{Json::MakeObject(), {}, {}});
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    Frame& frame = frames_.back();
    std::string_view key(s, n);
    if (IsDuplicate(frame, key)) {
      error_ = InvalidArgument("duplicate member name \"" + std::string(key) + "\"")
                   .WithTag("duplicate_member");
      return false;
    }
    frame.key.assign(key);
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return Leave(); }
  bool StartArray() {
    if (!Enter()) return false;
    frames_.push_back(Frame{Json::MakeArray(), {}, {}});
    return true;
  }
  bool EndArray(rapidjson::SizeType) { return Leave(); }

  Json TakeResult() { return std::move(result_); }
  const Status& error() const { return error_; }

 private:
  struct Frame {
    Json value;
    std::string key;  // the pending member name (objects only)
    std::unordered_set<std::string> keys;  // filled only once the object is large
  };

  // Small objects (nearly all) are scanned: no allocation per member. A large
  // one gets a hash set, so a hostile body with many members stays linear.
  static bool IsDuplicate(Frame& frame, std::string_view key) {
    constexpr size_t kScanLimit = 16;
    const Json::Object& members = frame.value.as_object();
    if (members.size() < kScanLimit) {
      for (const auto& [name, value] : members) {
        if (name == key) return true;
      }
      return false;
    }
    if (frame.keys.empty()) {
      for (const auto& [name, value] : members) frame.keys.insert(name);
    }
    return !frame.keys.insert(std::string(key)).second;
  }

  bool Enter() {
    if (static_cast<int>(frames_.size()) >= max_depth_) {
      error_ = InvalidArgument("nesting deeper than " + std::to_string(max_depth_) + " levels")
                   .WithTag("invalid_json");
      return false;
    }
    return true;
  }

  bool Leave() {
    Json done = std::move(frames_.back().value);
    frames_.pop_back();
    return Add(std::move(done));
  }

  // Constructs the value in place from its C++ representation (fewer
  // variant moves, which also keeps GCC 12's -Wmaybe-uninitialized quiet).
  template <typename T>
  bool Add(T&& value) {
    if (frames_.empty()) {
      result_ = Json(std::forward<T>(value));
      return true;
    }
    Frame& frame = frames_.back();
    if (frame.value.is_array()) {
      frame.value.as_array().emplace_back(std::forward<T>(value));
    } else {
      // Keys are unique (checked in Key), so append without searching.
      frame.value.as_object().emplace_back(std::move(frame.key), Json(std::forward<T>(value)));
      frame.key.clear();
    }
    return true;
  }

  int max_depth_;
  std::vector<Frame> frames_;
  Json result_;
  Status error_;
};

}  // namespace

StatusOr<Json> ParseJson(std::string_view text, const JsonParseOptions& options) {
  // RapidJSON's streams treat NUL as the end of input; a raw NUL is never
  // valid JSON, so reject it here rather than silently ignoring what follows.
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return InvalidArgument("invalid JSON: NUL byte at byte offset " + std::to_string(nul))
        .WithTag("invalid_json");
  }
  Builder builder(options.max_depth);
  rapidjson::Reader reader;
  // RapidJSON's encoding check decodes every string one character at a time,
  // and rules out its fast string copy. One pass over the whole text (ASCII
  // eight bytes at a time) proves the same for valid UTF-8, the usual case:
  // it is then parsed unchecked from a NUL-terminated copy (StringStream, the
  // stream the fast copy reads; no NUL is inside, see above). Invalid text,
  // where the two checks agree (both reject overlong forms, surrogates and
  // code points past U+10FFFF), is parsed with RapidJSON's check for its
  // error and offset.
  constexpr unsigned kFlags = rapidjson::kParseFullPrecisionFlag;
  rapidjson::ParseResult result;
  if (FindInvalidUtf8(text) == std::string_view::npos) {
    // Padded with NULs: the SSE2 copy loads aligned 16-byte blocks, and the
    // one holding the terminator may reach up to 15 bytes past it.
    std::string terminated;
    terminated.reserve(text.size() + 16);
    terminated.append(text).append(16, '\0');
    rapidjson::StringStream stream(terminated.c_str());
    result = reader.Parse<kFlags>(stream, builder);
  } else {
    rapidjson::MemoryStream stream(text.data(), text.size());
    result = reader.Parse<kFlags | rapidjson::kParseValidateEncodingFlag>(stream, builder);
  }
  if (!result) {
    const std::string at = " at byte offset " + std::to_string(result.Offset());
    if (result.Code() == rapidjson::kParseErrorTermination && !builder.error().ok()) {
      Status error = builder.error();
      return Status(error.code(), "invalid JSON: " + error.message() + at).WithTag(error.tag());
    }
    return InvalidArgument(std::string("invalid JSON: ") +
                           rapidjson::GetParseError_En(result.Code()) + at)
        .WithTag("invalid_json");
  }
  return builder.TakeResult();
}

}  // namespace portico
