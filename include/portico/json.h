#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace portico {

// A small JSON value owned by the project, so that contracts and services can
// speak JSON without RapidJSON types. Objects keep insertion order (wire
// output stays stable and readable); member lookup is linear, which is right
// for the small documents an API handles. Parsing lives in parse_json.h.
class Json {
 public:
  enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };
  using Array = std::vector<Json>;
  using Member = std::pair<std::string, Json>;
  using Object = std::vector<Member>;

  Json() = default;
  Json(std::nullptr_t) {}
  Json(bool b) : value_(b) {}
  Json(int i) : value_(static_cast<int64_t>(i)) {}
  Json(int64_t i) : value_(i) {}
  Json(double d) : value_(d) {}
  Json(const char* s) : value_(std::string(s)) {}
  Json(std::string s) : value_(std::move(s)) {}
  Json(std::string_view s) : value_(std::string(s)) {}
  Json(Array a) : value_(std::move(a)) {}
  Json(Object o) : value_(std::move(o)) {}

  static Json MakeObject() { return Json(Object{}); }
  static Json MakeArray() { return Json(Array{}); }

  Type type() const { return static_cast<Type>(value_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_number() const { return type() == Type::kInt || type() == Type::kDouble; }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // Accessors assert the type; check with is_*() first.
  bool as_bool() const { return std::get<bool>(value_); }
  int64_t as_int() const { return std::get<int64_t>(value_); }
  double as_double() const;  // int or double
  const std::string& as_string() const { return std::get<std::string>(value_); }
  const Array& as_array() const { return std::get<Array>(value_); }
  Array& as_array() { return std::get<Array>(value_); }
  const Object& as_object() const { return std::get<Object>(value_); }
  Object& as_object() { return std::get<Object>(value_); }

  // Object member by exact name, or nullptr when absent or not an object.
  const Json* Find(std::string_view key) const;
  Json* Find(std::string_view key);
  // Sets (replacing an existing member) and returns *this, for chaining.
  Json& Set(std::string_view key, Json value);
  // Removes a member; returns whether it existed.
  bool Erase(std::string_view key);
  // Appends to an array.
  Json& Push(Json value);

  // Compact serialisation, UTF-8 passed through, control characters escaped.
  std::string Dump() const;
  void DumpTo(std::string& out) const;

  friend bool operator==(const Json& a, const Json& b) { return a.value_ == b.value_; }

 private:
  std::variant<std::nullptr_t, bool, int64_t, double, std::string, Array, Object> value_;
};

// Appends compact JSON text to a string, the same text Json::Dump writes,
// without building a Json tree first: for responses and log lines on hot
// paths, where the tree's allocations cost more than the text. The caller
// nests Begin/End correctly and gives a Key before each object member; commas
// are placed automatically. Not thread-safe (one writer per string).
class JsonWriter {
 public:
  // Appends to `out`, which must outlive the writer. When `out` already holds
  // part of a document, the writer continues it (a comma follows a value).
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view name);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Double(double value);  // as Json(double) dumps it: NaN/Inf → null
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  JsonWriter& Value(const Json& value);
  JsonWriter& StringArray(const std::vector<std::string>& values);

 private:
  // A comma unless this value opens its container or follows its key.
  void Separate();

  std::string& out_;
};

}  // namespace portico
