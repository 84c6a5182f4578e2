#include "scim/filter/ast.h"

#include <charconv>
#include <utility>

#include "portico/json.h"

namespace portico::scim {

const char* AttrTypeName(AttrType type) {
  switch (type) {
    case AttrType::kString:
      return "string";
    case AttrType::kBoolean:
      return "boolean";
    case AttrType::kDecimal:
      return "decimal";
    case AttrType::kInteger:
      return "integer";
    case AttrType::kDateTime:
      return "dateTime";
    case AttrType::kReference:
      return "reference";
    case AttrType::kBinary:
      return "binary";
    case AttrType::kComplex:
      return "complex";
  }
  return "string";
}

namespace {

// Binding strength for printing: or < and < everything else.
int Precedence(const Filter& f) {
  switch (f.kind) {
    case Filter::Kind::kOr:
      return 1;
    case Filter::Kind::kAnd:
      return 2;
    default:
      return 3;
  }
}

void LiteralTo(const Literal& lit, std::string& out) {
  switch (lit.kind) {
    case Literal::Kind::kString:
    case Literal::Kind::kDateTime:
      Json(lit.text).DumpTo(out);
      break;
    case Literal::Kind::kBoolean:
      out += lit.boolean ? "true" : "false";
      break;
    case Literal::Kind::kInteger:
      out += std::to_string(lit.integer);
      break;
    case Literal::Kind::kDecimal: {
      char buf[64];
      const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, lit.decimal);
      std::string_view text(buf, ec == std::errc() ? static_cast<size_t>(end - buf) : 0);
      out += text;
      // Keep it a decimal when read back ("1" would be an integer).
      if (text.find_first_of(".eE") == std::string_view::npos) out += ".0";
      break;
    }
  }
}

// `in_element`: inside [ ], where attributes are written as bare sub-attribute names.
void FilterTo(const Filter& f, bool in_element, std::string& out) {
  const auto child = [&](const Filter& c, bool parens) {
    if (parens) out.push_back('(');
    FilterTo(c, in_element, out);
    if (parens) out.push_back(')');
  };
  const auto path = [&](const ResolvedAttr& attr) {
    out += in_element ? attr.sub : PathToString(attr);
  };
  switch (f.kind) {
    case Filter::Kind::kCompare:
      path(f.attr);
      out.push_back(' ');
      out += CompareOpName(f.op);
      out.push_back(' ');
      LiteralTo(f.value, out);
      break;
    case Filter::Kind::kPresent:
      path(f.attr);
      out += " pr";
      break;
    case Filter::Kind::kAnd:
    case Filter::Kind::kOr:
      // Left-associative: a left child of equal precedence needs no parentheses, a right one does.
      child(f.children[0], Precedence(f.children[0]) < Precedence(f));
      out += f.kind == Filter::Kind::kAnd ? " and " : " or ";
      child(f.children[1], Precedence(f.children[1]) <= Precedence(f));
      break;
    case Filter::Kind::kNot:
      out += "not ";
      child(f.children[0], true);
      break;
    case Filter::Kind::kValuePath:
      out += PathToString(f.attr);
      out.push_back('[');
      FilterTo(f.children[0], true, out);
      out.push_back(']');
      break;
  }
}

}  // namespace

bool IsCoreSchemaUrn(std::string_view urn) {
  return urn.empty() || urn.substr(0, kCoreSchemaUrnPrefix.size()) == kCoreSchemaUrnPrefix;
}

const char* CompareOpName(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "eq";
    case CompareOp::kNe:
      return "ne";
    case CompareOp::kCo:
      return "co";
    case CompareOp::kSw:
      return "sw";
    case CompareOp::kEw:
      return "ew";
    case CompareOp::kGt:
      return "gt";
    case CompareOp::kGe:
      return "ge";
    case CompareOp::kLt:
      return "lt";
    case CompareOp::kLe:
      return "le";
  }
  return "?";
}

Literal Literal::String(std::string text) {
  Literal l;
  l.kind = Kind::kString;
  l.text = std::move(text);
  return l;
}

Literal Literal::Boolean(bool value) {
  Literal l;
  l.kind = Kind::kBoolean;
  l.boolean = value;
  return l;
}

Literal Literal::Integer(int64_t value) {
  Literal l;
  l.kind = Kind::kInteger;
  l.integer = value;
  return l;
}

Literal Literal::Decimal(double value) {
  Literal l;
  l.kind = Kind::kDecimal;
  l.decimal = value;
  return l;
}

Literal Literal::DateTime(std::string text, int64_t millis) {
  Literal l;
  l.kind = Kind::kDateTime;
  l.text = std::move(text);
  l.millis = millis;
  return l;
}

Filter Filter::Compare(ResolvedAttr attr, CompareOp op, Literal value) {
  Filter f;
  f.kind = Kind::kCompare;
  f.attr = std::move(attr);
  f.op = op;
  f.value = std::move(value);
  return f;
}

Filter Filter::Present(ResolvedAttr attr) {
  Filter f;
  f.kind = Kind::kPresent;
  f.attr = std::move(attr);
  return f;
}

Filter Filter::And(Filter lhs, Filter rhs) {
  Filter f;
  f.kind = Kind::kAnd;
  f.children.reserve(2);
  f.children.push_back(std::move(lhs));
  f.children.push_back(std::move(rhs));
  return f;
}

Filter Filter::Or(Filter lhs, Filter rhs) {
  Filter f = And(std::move(lhs), std::move(rhs));
  f.kind = Kind::kOr;
  return f;
}

Filter Filter::Not(Filter operand) {
  Filter f;
  f.kind = Kind::kNot;
  f.children.push_back(std::move(operand));
  return f;
}

Filter Filter::ValuePath(ResolvedAttr parent, Filter inner) {
  Filter f;
  f.kind = Kind::kValuePath;
  f.attr = std::move(parent);
  f.children.push_back(std::move(inner));
  return f;
}

bool operator==(const ResolvedAttr& a, const ResolvedAttr& b) {
  return a.urn == b.urn && a.attr == b.attr && a.sub == b.sub && a.type == b.type &&
         a.multi_valued == b.multi_valued && a.case_exact == b.case_exact;
}

bool operator==(const Literal& a, const Literal& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Literal::Kind::kString:
      return a.text == b.text;
    case Literal::Kind::kBoolean:
      return a.boolean == b.boolean;
    case Literal::Kind::kInteger:
      return a.integer == b.integer;
    case Literal::Kind::kDecimal:
      return a.decimal == b.decimal;
    case Literal::Kind::kDateTime:
      return a.millis == b.millis && a.text == b.text;
  }
  return false;
}

bool operator==(const Filter& a, const Filter& b) {
  if (a.kind != b.kind || a.children != b.children) return false;
  switch (a.kind) {
    case Filter::Kind::kCompare:
      return a.attr == b.attr && a.op == b.op && a.value == b.value;
    case Filter::Kind::kPresent:
    case Filter::Kind::kValuePath:
      return a.attr == b.attr;
    default:
      return true;
  }
}

std::string ToString(const Filter& filter) {
  std::string out;
  FilterTo(filter, false, out);
  return out;
}

std::string PathToString(const ResolvedAttr& attr) {
  std::string out;
  if (!IsCoreSchemaUrn(attr.urn)) {
    out += attr.urn;
    out.push_back(':');
  }
  out += attr.attr;
  if (!attr.sub.empty()) {
    out.push_back('.');
    out += attr.sub;
  }
  return out;
}

}  // namespace portico::scim
