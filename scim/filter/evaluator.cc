#include "scim/filter/evaluator.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "portico/case_fold.h"
#include "scim/filter/date_time.h"

namespace portico::scim {
namespace {

// -1, 0 or 1 as a < b, a == b, a > b, exactly (no rounding of the integer to a double).
int CompareIntDouble(int64_t a, double b) {
  // 2^63 as a double; every double in [-2^63, 2^63) truncates to a representable int64_t.
  constexpr double kTwo63 = 9223372036854775808.0;
  if (b >= kTwo63) return -1;
  if (b < -kTwo63) return 1;
  const double whole = std::trunc(b);
  const int64_t w = static_cast<int64_t>(whole);
  if (a != w) return a < w ? -1 : 1;
  const double frac = b - whole;
  return frac > 0 ? -1 : (frac < 0 ? 1 : 0);
}

template <typename T>
int Compare3(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// The stored number against the literal.
int CompareNumbers(const Json& value, const Literal& literal) {
  if (value.is_int()) {
    if (literal.kind == Literal::Kind::kInteger) return Compare3(value.as_int(), literal.integer);
    return CompareIntDouble(value.as_int(), literal.decimal);
  }
  const double v = value.as_double();
  if (literal.kind == Literal::Kind::kInteger) return -CompareIntDouble(literal.integer, v);
  return Compare3(v, literal.decimal);
}

bool Ordered(CompareOp op, int cmp) {
  switch (op) {
    case CompareOp::kEq:
      return cmp == 0;
    case CompareOp::kNe:
      return cmp != 0;
    case CompareOp::kGt:
      return cmp > 0;
    case CompareOp::kGe:
      return cmp >= 0;
    case CompareOp::kLt:
      return cmp < 0;
    case CompareOp::kLe:
      return cmp <= 0;
    default:
      return false;  // co, sw, ew are not orderings
  }
}

bool CompareStrings(std::string_view value, std::string_view literal, CompareOp op) {
  switch (op) {
    case CompareOp::kCo:
      return value.find(literal) != std::string_view::npos;
    case CompareOp::kSw:
      return value.substr(0, literal.size()) == literal;
    case CompareOp::kEw:
      return value.size() >= literal.size() &&
             value.substr(value.size() - literal.size()) == literal;
    default:
      // std::string_view compares through char_traits<char>, which orders bytes as unsigned char.
      return Ordered(op, value.compare(literal));
  }
}

// One stored value against the literal; `op` is never ne (that is not eq).
bool CompareOne(const Json& value, const ResolvedAttr& attr, CompareOp op, const Literal& literal) {
  switch (literal.kind) {
    case Literal::Kind::kString:
      if (!value.is_string()) return false;
      if (attr.case_exact) return CompareStrings(value.as_string(), literal.text, op);
      return CompareStrings(FoldCase(value.as_string()), FoldCase(literal.text), op);
    case Literal::Kind::kBoolean:
      return value.is_bool() && op == CompareOp::kEq && value.as_bool() == literal.boolean;
    case Literal::Kind::kInteger:
    case Literal::Kind::kDecimal:
      return value.is_number() && Ordered(op, CompareNumbers(value, literal));
    case Literal::Kind::kDateTime: {
      if (!value.is_string()) return false;
      const std::optional<int64_t> millis = ParseDateTimeMillis(value.as_string());
      return millis && Ordered(op, Compare3(*millis, literal.millis));
    }
  }
  return false;
}

// The object that holds the attribute's members: the resource, or its extension object.
const Json* Container(const ResolvedAttr& attr, const Json& resource) {
  if (IsCoreSchemaUrn(attr.urn)) return &resource;
  const Json* extension = resource.Find(attr.urn);
  return extension != nullptr && extension->is_object() ? extension : nullptr;
}

// Adds `value`, or each element of it when it is an array (multi-valued).
void AddFlattened(const Json* value, std::vector<const Json*>& out) {
  if (value == nullptr) return;
  if (!value->is_array()) {
    out.push_back(value);
    return;
  }
  for (const Json& element : value->as_array()) out.push_back(&element);
}

// The values the attribute has: in `element` (inside [ ]: attr.sub of that element) or in the
// resource (attr, or attr.sub of each element / of the single complex value).
std::vector<const Json*> Values(const ResolvedAttr& attr, const Json& resource,
                                const Json* element) {
  std::vector<const Json*> out;
  if (element != nullptr) {
    AddFlattened(element->is_object() ? element->Find(attr.sub) : nullptr, out);
    return out;
  }
  const Json* container = Container(attr, resource);
  const Json* top = container != nullptr ? container->Find(attr.attr) : nullptr;
  if (top == nullptr || attr.sub.empty()) {
    AddFlattened(top, out);
    return out;
  }
  if (top->is_array()) {
    for (const Json& item : top->as_array()) {
      if (item.is_object()) AddFlattened(item.Find(attr.sub), out);
    }
  } else if (top->is_object()) {
    AddFlattened(top->Find(attr.sub), out);
  }
  return out;
}

bool IsPresent(const Json& value) {
  switch (value.type()) {
    case Json::Type::kNull:
      return false;
    case Json::Type::kString:
      return !value.as_string().empty();
    case Json::Type::kArray:
      for (const Json& item : value.as_array()) {
        if (IsPresent(item)) return true;
      }
      return false;
    case Json::Type::kObject:
      for (const auto& member : value.as_object()) {
        if (IsPresent(member.second)) return true;
      }
      return false;
    default:
      return true;
  }
}

bool Eval(const Filter& node, const Json& resource, const Json* element) {
  switch (node.kind) {
    case Filter::Kind::kAnd:
      return Eval(node.children[0], resource, element) && Eval(node.children[1], resource, element);
    case Filter::Kind::kOr:
      return Eval(node.children[0], resource, element) || Eval(node.children[1], resource, element);
    case Filter::Kind::kNot:
      return !Eval(node.children[0], resource, element);
    case Filter::Kind::kPresent:
      for (const Json* value : Values(node.attr, resource, element)) {
        if (IsPresent(*value)) return true;
      }
      return false;
    case Filter::Kind::kCompare: {
      // ne is exactly not eq: true when no value equals (so also when there is none).
      const bool negate = node.op == CompareOp::kNe;
      const CompareOp op = negate ? CompareOp::kEq : node.op;
      bool any = false;
      for (const Json* value : Values(node.attr, resource, element)) {
        if (CompareOne(*value, node.attr, op, node.value)) {
          any = true;
          break;
        }
      }
      return negate ? !any : any;
    }
    case Filter::Kind::kValuePath: {
      const Json* container = Container(node.attr, resource);
      const Json* parent = container != nullptr ? container->Find(node.attr.attr) : nullptr;
      if (parent == nullptr) return false;
      if (parent->is_object()) return Eval(node.children[0], resource, parent);
      if (!parent->is_array()) return false;
      for (const Json& item : parent->as_array()) {
        if (item.is_object() && Eval(node.children[0], resource, &item)) return true;
      }
      return false;
    }
  }
  return false;
}

}  // namespace

bool Matches(const Filter& filter, const Json& resource) { return Eval(filter, resource, nullptr); }

bool MatchesValueFilter(const Filter& value_filter, const Json& element) {
  return Eval(value_filter, element, &element);
}

}  // namespace portico::scim
