#include "scim/filter/parser.h"

#include <charconv>
#include <cstdint>
#include <string>
#include <utility>

#include "portico/json.h"
#include "portico/utf8.h"
#include "scim/filter/date_time.h"

namespace portico::scim {
namespace {

constexpr char kInvalidFilter[] = "invalidFilter";
constexpr char kInvalidPath[] = "invalidPath";
// Request text echoed in an error message is cut here, so an error stays small.
constexpr size_t kMaxEcho = 64;

bool IsWs(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
// RFC 7644 ATTRNAME = ALPHA *(nameChar); nameChar = "-" / "_" / DIGIT / ALPHA. "$ref" (RFC 7643
// §2.3.7) is a name too, so "$" may start one.
bool IsNameStart(char c) { return IsAlpha(c) || c == '$'; }
bool IsNameChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '-' || c == '_'; }
// Characters of an attribute path token, URN included; its structure is checked afterwards.
bool IsPathChar(char c) { return IsNameChar(c) || c == '.' || c == ':' || c == '$'; }
bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// A JSON-quoted, length-capped echo of request text for error messages.
std::string Quote(std::string_view s) {
  std::string out;
  if (s.size() <= kMaxEcho) {
    Json(s).DumpTo(out);
    return out;
  }
  size_t cut = kMaxEcho;
  while (cut > 0 && IsContinuationByte(s[cut])) --cut;  // never split a code point
  Json(std::string(s.substr(0, cut)) + "...").DumpTo(out);
  return out;
}

std::optional<CompareOp> OperatorFromWord(std::string_view word) {
  static constexpr std::pair<std::string_view, CompareOp> kOps[] = {
      {"eq", CompareOp::kEq}, {"ne", CompareOp::kNe}, {"co", CompareOp::kCo},
      {"sw", CompareOp::kSw}, {"ew", CompareOp::kEw}, {"gt", CompareOp::kGt},
      {"ge", CompareOp::kGe}, {"lt", CompareOp::kLt}, {"le", CompareOp::kLe},
  };
  for (const auto& [name, op] : kOps) {
    if (EqualsIgnoreCase(word, name)) return op;
  }
  return std::nullopt;
}

bool IsOrdering(CompareOp op) {
  return op == CompareOp::kGt || op == CompareOp::kGe || op == CompareOp::kLt ||
         op == CompareOp::kLe;
}

bool IsSubstring(CompareOp op) {
  return op == CompareOp::kCo || op == CompareOp::kSw || op == CompareOp::kEw;
}

// A literal as written, before it is checked against the attribute's type.
struct RawLiteral {
  enum class Kind { kNull, kString, kBoolean, kNumber };
  Kind kind = Kind::kNull;
  Literal literal;  // kString, kBoolean, kNumber (kInteger or kDecimal)
};

// Recursive descent over the text, one instance per call. Grammar (RFC 7644 Figure 1, with
// precedence made explicit):
//   or     = and *("or" and)
//   and    = unary *("and" unary)
//   unary  = "(" or ")" / "not" "(" or ")" / attrExp / valuePath
//   valuePath = attrPath "[" or "]" ["." ATTRNAME op]    ; the trailing part: Entra's form
// Recursion happens only through ( ), not ( ) and [ ], each of which counts against max_depth.
class Parser {
 public:
  Parser(std::string_view text, const AttributeResolver& resolver, const FilterLimits& limits,
         const char* tag)
      : text_(text), resolver_(resolver), limits_(limits), tag_(tag) {}

  StatusOr<Filter> ParseWholeFilter() {
    PORTICO_RETURN_IF_ERROR(CheckText("filter"));
    SkipWs();
    if (AtEnd()) return Error(pos_, "empty filter");
    PORTICO_ASSIGN_OR_RETURN(Filter filter, ParseOr(nullptr));
    SkipWs();
    if (!AtEnd()) {
      if (Peek() == ')') return Error(pos_, "unmatched ')'");
      if (Peek() == ']') return Error(pos_, "unmatched ']'");
      return Error(pos_, "expected \"and\", \"or\" or the end of the filter, found " + Found());
    }
    return filter;
  }

  StatusOr<PatchPath> ParseWholePatchPath() {
    PORTICO_RETURN_IF_ERROR(CheckText("path"));
    if (AtEnd()) return Error(pos_, "empty path");
    const size_t start = pos_;
    const std::string_view token = ScanPathToken();
    if (token.empty()) return Error(start, "expected an attribute path, found " + Found());
    PORTICO_ASSIGN_OR_RETURN(AttrPath path, SplitPath(token, start));
    std::optional<ResolvedAttr> resolved = resolver_.Resolve(path);
    if (!resolved) return Error(start, "unknown attribute " + Quote(token));
    PatchPath result;
    result.attr = *resolved;
    if (!AtEnd() && Peek() == '[') {
      PORTICO_RETURN_IF_ERROR(CheckValuePathParent(*resolved, token, start));
      const ResolvedAttr parent = *resolved;
      tag_ = kInvalidFilter;  // RFC 7644 §3.12: a bad filter inside a path is invalidFilter
      PORTICO_ASSIGN_OR_RETURN(Filter inner, ParseBracketFilter(parent));
      tag_ = kInvalidPath;
      if (!AtEnd() && Peek() == '.') {
        ++pos_;
        PORTICO_ASSIGN_OR_RETURN(ResolvedAttr sub, ParseTrailingSubAttr(parent));
        result.attr = std::move(sub);
      }
      result.value_filter = std::move(inner);
    }
    if (!AtEnd()) return Error(pos_, "unexpected " + Found() + " in path");
    return result;
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }
  void SkipWs() {
    while (!AtEnd() && IsWs(Peek())) ++pos_;
  }

  // 0-based code point offset of a byte offset: what a client counts in its own string.
  size_t CharPosition(size_t byte_pos) const {
    size_t n = 0;
    for (size_t i = 0; i < byte_pos && i < text_.size(); ++i) {
      if (!IsContinuationByte(text_[i])) ++n;
    }
    return n;
  }

  Status Error(size_t byte_pos, std::string what) const {
    const size_t position = CharPosition(byte_pos);
    return InvalidArgument(what + " at position " + std::to_string(position))
        .WithTag(tag_)
        .WithDetails(Json::MakeObject().Set("position", static_cast<int64_t>(position)));
  }

  // What is at pos_, for "found …" in messages.
  std::string Found() const {
    if (AtEnd()) return "the end";
    size_t end = pos_;
    while (end < text_.size() && IsPathChar(text_[end])) ++end;
    if (end == pos_) {  // one character (a whole code point)
      ++end;
      while (end < text_.size() && IsContinuationByte(text_[end])) ++end;
    }
    return Quote(text_.substr(pos_, end - pos_));
  }

  Status CheckText(const char* what) {
    size_t chars = 0;
    for (size_t i = 0; i < text_.size(); ++i) {
      if (IsContinuationByte(text_[i])) continue;
      if (++chars > limits_.max_length) {
        return Error(i, std::string(what) + " too long: more than " +
                            std::to_string(limits_.max_length) + " characters");
      }
    }
    const size_t bad = FindInvalidUtf8(text_);
    if (bad != std::string_view::npos) return Error(bad, "invalid UTF-8");
    return Status::Ok();
  }

  Status Enter(size_t byte_pos) {
    if (++depth_ > limits_.max_depth) {
      return Error(byte_pos, "filter too complex: nested deeper than " +
                                 std::to_string(limits_.max_depth) + " levels");
    }
    return Status::Ok();
  }
  void Leave() { --depth_; }

  Status CountNodes(int n) {
    nodes_ += n;
    if (nodes_ > limits_.max_nodes) {
      return Error(pos_,
                   "filter too complex: more than " + std::to_string(limits_.max_nodes) + " terms");
    }
    return Status::Ok();
  }

  // A keyword at pos_ (case-insensitive) that is a whole word.
  bool PeekKeyword(std::string_view keyword) const {
    if (text_.size() - pos_ < keyword.size()) return false;
    if (!EqualsIgnoreCase(text_.substr(pos_, keyword.size()), keyword)) return false;
    const size_t after = pos_ + keyword.size();
    return after == text_.size() || !IsPathChar(text_[after]);
  }

  StatusOr<Filter> ParseOr(const ResolvedAttr* scope) {
    PORTICO_ASSIGN_OR_RETURN(Filter lhs, ParseAnd(scope));
    while (true) {
      SkipWs();
      if (AtEnd() || !PeekKeyword("or")) return lhs;
      pos_ += 2;
      PORTICO_ASSIGN_OR_RETURN(Filter rhs, ParseAnd(scope));
      PORTICO_RETURN_IF_ERROR(CountNodes(1));
      lhs = Filter::Or(std::move(lhs), std::move(rhs));
    }
  }

  StatusOr<Filter> ParseAnd(const ResolvedAttr* scope) {
    PORTICO_ASSIGN_OR_RETURN(Filter lhs, ParseUnary(scope));
    while (true) {
      SkipWs();
      if (AtEnd() || !PeekKeyword("and")) return lhs;
      pos_ += 3;
      PORTICO_ASSIGN_OR_RETURN(Filter rhs, ParseUnary(scope));
      PORTICO_RETURN_IF_ERROR(CountNodes(1));
      lhs = Filter::And(std::move(lhs), std::move(rhs));
    }
  }

  // "(" or ")" with pos_ at the "(".
  StatusOr<Filter> ParseGroup(const ResolvedAttr* scope) {
    const size_t open = pos_;
    PORTICO_RETURN_IF_ERROR(Enter(open));
    ++pos_;
    PORTICO_ASSIGN_OR_RETURN(Filter inner, ParseOr(scope));
    SkipWs();
    if (AtEnd() || Peek() != ')') {
      return Error(pos_, "expected \")\" to close the \"(\" opened at position " +
                             std::to_string(CharPosition(open)) + ", found " + Found());
    }
    ++pos_;
    Leave();
    return inner;
  }

  StatusOr<Filter> ParseUnary(const ResolvedAttr* scope) {
    SkipWs();
    if (AtEnd()) {
      return Error(pos_, "unexpected end of filter; expected an attribute name, \"(\" or \"not\"");
    }
    if (Peek() == '(') return ParseGroup(scope);
    if (PeekKeyword("not")) {
      size_t after = pos_ + 3;
      while (after < text_.size() && IsWs(text_[after])) ++after;
      if (after < text_.size() && text_[after] == '(') {
        pos_ = after;  // "not (" is one nesting level, counted by the group
        PORTICO_ASSIGN_OR_RETURN(Filter inner, ParseGroup(scope));
        PORTICO_RETURN_IF_ERROR(CountNodes(1));
        return Filter::Not(std::move(inner));
      }
      // Otherwise an attribute that happens to be called "not", or a mistake.
    }
    if (IsNameStart(Peek())) return ParseAttrExp(scope);
    return Error(pos_, "expected an attribute name, \"(\" or \"not\", found " + Found());
  }

  std::string_view ScanPathToken() {
    const size_t start = pos_;
    while (!AtEnd() && IsPathChar(Peek())) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // Byte index of the first character of `name` that makes it no ATTRNAME, or npos.
  static size_t BadNameChar(std::string_view name) {
    if (name.empty() || !IsNameStart(name[0])) return 0;
    for (size_t i = 1; i < name.size(); ++i) {
      if (!IsNameChar(name[i])) return i;
    }
    return std::string_view::npos;
  }

  Status CheckName(std::string_view name, size_t byte_pos) const {
    const size_t bad = BadNameChar(name);
    if (bad == std::string_view::npos) return Status::Ok();
    if (name.empty()) return Error(byte_pos, "expected an attribute name");
    return Error(byte_pos + bad,
                 "invalid character " + Quote(name.substr(bad, 1)) + " in attribute name");
  }

  // attrPath = [URI ":"] ATTRNAME *1subAttr. The URN is everything up to the last ":" (URNs
  // contain "." as in "2.0", attribute names never contain ":").
  StatusOr<AttrPath> SplitPath(std::string_view token, size_t start) const {
    AttrPath path;
    std::string_view rest = token;
    size_t rest_pos = start;
    const size_t colon = token.rfind(':');
    if (colon != std::string_view::npos) {
      if (token.size() < 4 || !EqualsIgnoreCase(token.substr(0, 4), "urn:")) {
        return Error(start + token.find(':'),
                     "unexpected \":\" in attribute name (a schema URN starts with \"urn:\")");
      }
      path.urn = std::string(token.substr(0, colon));
      rest = token.substr(colon + 1);
      rest_pos = start + colon + 1;
      if (rest.empty()) return Error(rest_pos, "expected an attribute name after the schema URN");
    }
    const size_t dot = rest.find('.');
    const std::string_view name = rest.substr(0, dot);
    PORTICO_RETURN_IF_ERROR(CheckName(name, rest_pos));
    path.attr = std::string(name);
    if (dot != std::string_view::npos) {
      const std::string_view sub = rest.substr(dot + 1);
      const size_t second_dot = sub.find('.');
      if (second_dot != std::string_view::npos) {
        return Error(rest_pos + dot + 1 + second_dot,
                     "unexpected \".\": an attribute path has at most one sub-attribute");
      }
      PORTICO_RETURN_IF_ERROR(CheckName(sub, rest_pos + dot + 1));
      path.sub = std::string(sub);
    }
    return path;
  }

  Status CheckValuePathParent(const ResolvedAttr& parent, std::string_view written,
                              size_t start) const {
    if (parent.type != AttrType::kComplex || !parent.sub.empty()) {
      return Error(start,
                   Quote(written) + " is not a complex attribute; only those take a [ ] filter");
    }
    return Status::Ok();
  }

  // "[" or "]" with pos_ at the "[", over the sub-attributes of `parent`.
  StatusOr<Filter> ParseBracketFilter(const ResolvedAttr& parent) {
    const size_t open = pos_;
    PORTICO_RETURN_IF_ERROR(Enter(open));
    ++pos_;
    PORTICO_ASSIGN_OR_RETURN(Filter inner, ParseOr(&parent));
    SkipWs();
    if (AtEnd() || Peek() != ']') {
      return Error(pos_, "expected \"]\" to close the \"[\" opened at position " +
                             std::to_string(CharPosition(open)) + ", found " + Found());
    }
    ++pos_;
    Leave();
    return inner;
  }

  // The ATTRNAME after "]." with pos_ just after the ".".
  StatusOr<ResolvedAttr> ParseTrailingSubAttr(const ResolvedAttr& parent) {
    const size_t start = pos_;
    while (!AtEnd() && (IsNameChar(Peek()) || Peek() == '$')) ++pos_;
    const std::string_view name = text_.substr(start, pos_ - start);
    if (name.empty()) return Error(start, "expected a sub-attribute name after \"].\"");
    PORTICO_RETURN_IF_ERROR(CheckName(name, start));
    std::optional<ResolvedAttr> sub =
        resolver_.Resolve(AttrPath{parent.urn, parent.attr, std::string(name)});
    if (!sub || sub->sub.empty()) {
      return Error(start, "unknown sub-attribute " + Quote(name) + " of " + Quote(parent.attr));
    }
    return *sub;
  }

  StatusOr<Filter> ParseAttrExp(const ResolvedAttr* scope) {
    const size_t start = pos_;
    const std::string_view token = ScanPathToken();
    PORTICO_ASSIGN_OR_RETURN(AttrPath path, SplitPath(token, start));
    if (scope != nullptr) {
      // Inside [ ]: bare sub-attribute names of the parent.
      if (!path.urn.empty() || !path.sub.empty()) {
        return Error(start, "inside " + Quote(scope->attr) +
                                "[ ], expected the name of one of its sub-attributes, found " +
                                Quote(token));
      }
      std::optional<ResolvedAttr> sub =
          resolver_.Resolve(AttrPath{scope->urn, scope->attr, path.attr});
      if (!sub || sub->sub.empty()) {
        return Error(start, "unknown sub-attribute " + Quote(token) + " of " + Quote(scope->attr));
      }
      if (!AtEnd() && Peek() == '[') {
        return Error(pos_, "a [ ] filter cannot be nested inside another");
      }
      return ParseOperation(*sub, start, token, /*in_element=*/true);
    }
    std::optional<ResolvedAttr> attr = resolver_.Resolve(path);
    if (!attr) {
      if (EqualsIgnoreCase(token, "not")) return Error(pos_, "expected \"(\" after \"not\"");
      return Error(start, "unknown attribute " + Quote(token));
    }
    if (!AtEnd() && Peek() == '[') return ParseValuePath(*attr, token, start);
    return ParseOperation(*attr, start, token, /*in_element=*/false);
  }

  StatusOr<Filter> ParseValuePath(const ResolvedAttr& parent, std::string_view written,
                                  size_t start) {
    PORTICO_RETURN_IF_ERROR(CheckValuePathParent(parent, written, start));
    PORTICO_ASSIGN_OR_RETURN(Filter inner, ParseBracketFilter(parent));
    if (!AtEnd() && Peek() == '.') {
      // Entra's `emails[type eq "work"].value eq "x"`: the condition on .value applies to the
      // same element, so it joins the bracket filter.
      ++pos_;
      const size_t sub_start = pos_;
      PORTICO_ASSIGN_OR_RETURN(ResolvedAttr sub, ParseTrailingSubAttr(parent));
      if (!AtEnd() && IsPathChar(Peek())) {
        return Error(pos_, "unexpected " + Found() + " after " + Quote(sub.sub));
      }
      PORTICO_ASSIGN_OR_RETURN(
          Filter condition,
          ParseOperation(sub, sub_start, text_.substr(sub_start, pos_ - sub_start), true));
      PORTICO_RETURN_IF_ERROR(CountNodes(1));
      inner = Filter::And(std::move(inner), std::move(condition));
    }
    PORTICO_RETURN_IF_ERROR(CountNodes(1));
    return Filter::ValuePath(parent, std::move(inner));
  }

  // The operator and value after an attribute path, pos_ just after the path.
  StatusOr<Filter> ParseOperation(ResolvedAttr attr, size_t path_pos, std::string_view written,
                                  bool in_element) {
    if (AtEnd() || !IsWs(Peek())) {
      return Error(
          pos_, "expected a space and an operator after " + Quote(written) + ", found " + Found());
    }
    SkipWs();
    const size_t op_pos = pos_;
    while (!AtEnd() && IsNameChar(Peek())) ++pos_;
    const std::string_view word = text_.substr(op_pos, pos_ - op_pos);
    if (EqualsIgnoreCase(word, "pr")) {
      PORTICO_RETURN_IF_ERROR(CountNodes(1));
      return Filter::Present(std::move(attr));
    }
    const std::optional<CompareOp> op = OperatorFromWord(word);
    if (!op) {
      pos_ = op_pos;
      return Error(op_pos,
                   "expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after " +
                       Quote(written) + ", found " + Found());
    }
    if (AtEnd() || !IsWs(Peek())) {
      return Error(pos_, "expected a space and a value after \"" + std::string(CompareOpName(*op)) +
                             "\", found " + Found());
    }
    SkipWs();
    const size_t value_pos = pos_;
    PORTICO_ASSIGN_OR_RETURN(RawLiteral raw, ParseLiteral());
    if (!AtEnd() && !IsWs(Peek()) && Peek() != ')' && Peek() != ']') {
      return Error(pos_, "unexpected " + Found() + " after the value");
    }
    return BuildComparison(std::move(attr), *op, std::move(raw), path_pos, op_pos, value_pos,
                           written, in_element);
  }

  StatusOr<Filter> BuildComparison(ResolvedAttr attr, CompareOp op, RawLiteral raw, size_t path_pos,
                                   size_t op_pos, size_t value_pos, std::string_view written,
                                   bool in_element) {
    const std::string op_name = std::string("\"") + CompareOpName(op) + "\"";
    if (raw.kind == RawLiteral::Kind::kNull) {
      // Two-valued logic: null means "has no value", a presence test on the path as written.
      if (op == CompareOp::kEq) {
        PORTICO_RETURN_IF_ERROR(CountNodes(2));
        return Filter::Not(Filter::Present(std::move(attr)));
      }
      if (op == CompareOp::kNe) {
        PORTICO_RETURN_IF_ERROR(CountNodes(1));
        return Filter::Present(std::move(attr));
      }
      return Error(op_pos, "only eq and ne can compare with null, not " + op_name);
    }
    if (attr.type == AttrType::kComplex) {
      std::optional<ResolvedAttr> value;
      if (!in_element && attr.multi_valued && attr.sub.empty()) {
        // RFC 7644 §3.4.2.2: a multi-valued complex attribute without sub-attribute compares
        // its "value" sub-attribute (`emails co "@example.com"`).
        value = resolver_.Resolve(AttrPath{attr.urn, attr.attr, "value"});
      }
      if (!value || value->sub.empty() || value->type == AttrType::kComplex) {
        return Error(path_pos, "cannot compare complex attribute " + Quote(written) +
                                   " with a value; name one of its sub-attributes");
      }
      attr = std::move(*value);
    }
    const std::string attr_desc =
        std::string(AttrTypeName(attr.type)) + " attribute " + Quote(written);
    const auto op_not_allowed = [&] {
      return Error(op_pos, op_name + " cannot be used with " + attr_desc);
    };
    Literal literal;
    switch (attr.type) {
      case AttrType::kBoolean:
        if (op != CompareOp::kEq && op != CompareOp::kNe) return op_not_allowed();
        if (raw.kind != RawLiteral::Kind::kBoolean) {
          return Error(value_pos, attr_desc + " can only be compared with true or false");
        }
        literal = std::move(raw.literal);
        break;
      case AttrType::kInteger:
      case AttrType::kDecimal:
        if (IsSubstring(op)) return op_not_allowed();
        if (raw.kind != RawLiteral::Kind::kNumber) {
          return Error(value_pos, attr_desc + " can only be compared with a number");
        }
        literal = std::move(raw.literal);
        break;
      case AttrType::kDateTime: {
        if (IsSubstring(op)) return op_not_allowed();
        std::optional<int64_t> millis;
        if (raw.kind == RawLiteral::Kind::kString) millis = ParseDateTimeMillis(raw.literal.text);
        if (!millis) {
          return Error(value_pos, attr_desc +
                                      " can only be compared with an RFC 3339 date-time string "
                                      "such as \"2024-01-31T12:00:00Z\"");
        }
        literal = Literal::DateTime(std::move(raw.literal.text), *millis);
        break;
      }
      case AttrType::kBinary:
        // RFC 7644 §3.4.2.2: gt, ge, lt and le on boolean or binary attributes are invalidFilter.
        if (IsOrdering(op)) return op_not_allowed();
        [[fallthrough]];
      case AttrType::kString:
      case AttrType::kReference:
        if (raw.kind != RawLiteral::Kind::kString) {
          return Error(value_pos, attr_desc + " can only be compared with a string");
        }
        literal = std::move(raw.literal);
        break;
      case AttrType::kComplex:
        break;  // handled above
    }
    PORTICO_RETURN_IF_ERROR(CountNodes(1));
    return Filter::Compare(std::move(attr), op, std::move(literal));
  }

  // compValue = false / null / true / number / string (RFC 7159 forms).
  StatusOr<RawLiteral> ParseLiteral() {
    if (AtEnd()) {
      return Error(pos_, "expected a value (a string, number, true, false or null), found the end");
    }
    const char c = Peek();
    if (c == '"') return ParseString();
    if (c == '-' || IsDigit(c)) return ParseNumber();
    const size_t start = pos_;
    while (!AtEnd() && IsNameChar(Peek())) ++pos_;
    const std::string_view word = text_.substr(start, pos_ - start);
    RawLiteral raw;
    if (EqualsIgnoreCase(word, "null")) return raw;
    if (EqualsIgnoreCase(word, "true") || EqualsIgnoreCase(word, "false")) {
      raw.kind = RawLiteral::Kind::kBoolean;
      raw.literal = Literal::Boolean(AsciiLower(word[0]) == 't');
      return raw;
    }
    pos_ = start;
    return Error(start,
                 "expected a value (a string in double quotes, number, true, false or null)"
                 ", found " +
                     Found());
  }

  // A JSON string (RFC 8259 §7) with pos_ at the opening quote.
  StatusOr<RawLiteral> ParseString() {
    const size_t open = pos_;
    ++pos_;
    std::string out;
    while (true) {
      if (AtEnd()) return Error(open, "unterminated string");
      const char c = Peek();
      if (c == '"') {
        ++pos_;
        break;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return Error(pos_, "control character in string (escape it)");
      }
      if (c != '\\') {
        out.push_back(c);
        ++pos_;
        continue;
      }
      const size_t escape = pos_;
      ++pos_;
      if (AtEnd()) return Error(open, "unterminated string");
      const char e = Peek();
      ++pos_;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          PORTICO_ASSIGN_OR_RETURN(uint32_t cp, ParseHex4(escape));
          if (cp >= 0xDC00 && cp <= 0xDFFF) return Error(escape, "unpaired surrogate in string");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (text_.substr(pos_, 2) != "\\u") {
              return Error(escape, "unpaired surrogate in string");
            }
            pos_ += 2;
            PORTICO_ASSIGN_OR_RETURN(uint32_t low, ParseHex4(pos_ - 2));
            if (low < 0xDC00 || low > 0xDFFF) {
              return Error(escape, "unpaired surrogate in string");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return Error(escape, "invalid escape " + Quote(text_.substr(escape, 2)) + " in string");
      }
    }
    RawLiteral raw;
    raw.kind = RawLiteral::Kind::kString;
    raw.literal = Literal::String(std::move(out));
    return raw;
  }

  StatusOr<uint32_t> ParseHex4(size_t escape) {
    if (text_.size() - pos_ < 4) return Error(escape, "expected four hex digits after \\u");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[pos_ + i];
      uint32_t d;
      if (IsDigit(h)) {
        d = h - '0';
      } else if (AsciiLower(h) >= 'a' && AsciiLower(h) <= 'f') {
        d = AsciiLower(h) - 'a' + 10;
      } else {
        return Error(escape, "expected four hex digits after \\u");
      }
      v = v * 16 + d;
    }
    pos_ += 4;
    return v;
  }

  // A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; integer unless it has a
  // fraction or an exponent.
  StatusOr<RawLiteral> ParseNumber() {
    const size_t start = pos_;
    const auto digits = [&] {
      const size_t from = pos_;
      while (!AtEnd() && IsDigit(Peek())) ++pos_;
      return pos_ - from;
    };
    if (Peek() == '-') ++pos_;
    if (AtEnd() || !IsDigit(Peek())) return Error(pos_, "expected a digit in number");
    if (Peek() == '0') {
      ++pos_;
    } else {
      digits();
    }
    bool decimal = false;
    if (!AtEnd() && Peek() == '.') {
      ++pos_;
      if (digits() == 0) return Error(pos_, "expected a digit after \".\" in number");
      decimal = true;
    }
    if (!AtEnd() && (Peek() == 'e' || Peek() == 'E')) {
      ++pos_;
      if (!AtEnd() && (Peek() == '+' || Peek() == '-')) ++pos_;
      if (digits() == 0) return Error(pos_, "expected a digit in the exponent of number");
      decimal = true;
    }
    const std::string_view text = text_.substr(start, pos_ - start);
    RawLiteral raw;
    raw.kind = RawLiteral::Kind::kNumber;
    if (!decimal) {
      int64_t v = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return Error(start, "integer " + Quote(text) + " out of range");
      }
      raw.literal = Literal::Integer(v);
    } else {
      double v = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return Error(start, "number " + Quote(text) + " out of range");
      }
      raw.literal = Literal::Decimal(v);
    }
    return raw;
  }

  std::string_view text_;
  const AttributeResolver& resolver_;
  const FilterLimits& limits_;
  const char* tag_;
  size_t pos_ = 0;
  int depth_ = 0;
  int nodes_ = 0;
};

}  // namespace

StatusOr<Filter> ParseFilter(std::string_view text, const AttributeResolver& resolver,
                             const FilterLimits& limits) {
  return Parser(text, resolver, limits, kInvalidFilter).ParseWholeFilter();
}

StatusOr<PatchPath> ParsePatchPath(std::string_view text, const AttributeResolver& resolver,
                                   const FilterLimits& limits) {
  return Parser(text, resolver, limits, kInvalidPath).ParseWholePatchPath();
}

}  // namespace portico::scim
