#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scim/filter/attribute_resolver.h"

// The SCIM filter AST (RFC 7644 §3.4.2.2) that ParseFilter produces, Matches evaluates in memory
// and db/ translates to SQL. Every attribute in it is resolved (canonical spelling, schema URN,
// type, caseExact), so nothing downstream ever sees the request's spelling.
//
// Semantics — fixed; the in-memory evaluator (evaluator.h) is the oracle and the SQL translation
// must return exactly the same resources:
//
//  * Where a value lives: an attribute whose urn is empty or starts with kCoreSchemaUrnPrefix is a
//    member of the resource object itself ("userName", "meta"); any other urn names an extension,
//    whose attributes are members of the object under that URN key. Members are looked up by
//    canonical name, exactly. A value of the wrong JSON type for the attribute counts as absent.
//  * Two-valued logic everywhere: every node is true or false, never unknown. kNot is the exact
//    complement of its child; kAnd / kOr are the usual conjunction / disjunction.
//  * ne ≡ not eq. So an absent attribute matches `ne`, and every other operator on an absent
//    (missing or null) value is false.
//  * Multi-valued attributes ("emails.value", "emails" in `pr`): a comparison is true if ANY value
//    satisfies it; `ne` is true if NO value equals the literal.
//  * kValuePath (`emails[type eq "work" and value co "@x"]`): true if ONE element of the parent
//    satisfies the whole inner filter (same-element semantics); the inner filter's attributes are
//    sub-attributes of that parent and are looked up in the element. A single-valued complex
//    parent is one element. An absent parent has no element, so the node is false.
//  * Strings (kString literals; string, reference and binary attributes): caseExact=false
//    compares FoldCase(value) with FoldCase(literal) (include/portico/case_fold.h), caseExact=true
//    compares the bytes. co / sw / ew are substring / prefix / suffix tests on those byte strings
//    (an empty literal matches every string value, even ""); gt / ge / lt / le compare them
//    lexicographically byte by byte (UTF-8 byte order = code point order).
//  * Numbers (kInteger and kDecimal literals; integer and decimal attributes) compare by numeric
//    value, an integer against a decimal exactly (1 eq 1.0; 9007199254740993 gt
//    9007199254740992.0).
//  * dateTime (kDateTime literals): both sides are parsed by ParseDateTimeMillis (date_time.h) and
//    compared as Unix milliseconds; a stored value that does not parse never matches (except ne).
//  * Booleans: eq / ne only.
//  * kPresent: true if some value is present: not null, not "", not [] and, for a complex value,
//    having at least one present sub-attribute (recursively by this rule). For a multi-valued
//    attribute: at least one element is present.
//  * The parser never emits a null literal: `x eq null` becomes not (x pr) and `x ne null` becomes
//    x pr. It never emits co / sw / ew on numbers, booleans or dateTimes, nor gt / ge / lt / le on
//    booleans or binaries, nor a comparison of a complex attribute: those are invalidFilter. A
//    comparison of a multi-valued complex attribute without sub-attribute (`emails co "x"`) is
//    parsed as one of its "value" sub-attribute.
namespace portico::scim {

// The prefix of the core schema URNs ("…:core:2.0:User", "…:core:2.0:Group"); the enterprise
// User extension ("…:extension:enterprise:2.0:User") is an extension like any other.
inline constexpr std::string_view kCoreSchemaUrnPrefix = "urn:ietf:params:scim:schemas:core:";

// True when attributes of `urn` are members of the resource object itself (see above).
bool IsCoreSchemaUrn(std::string_view urn);

enum class CompareOp { kEq, kNe, kCo, kSw, kEw, kGt, kGe, kLt, kLe };

// "eq", "ne", … as written in a filter.
const char* CompareOpName(CompareOp op);

struct Literal {
  enum class Kind { kString, kBoolean, kInteger, kDecimal, kDateTime };
  Kind kind = Kind::kString;
  // kString: the value after unescaping (not case-folded). kDateTime: the literal as written.
  std::string text;
  bool boolean = false;  // kBoolean
  int64_t integer = 0;   // kInteger
  double decimal = 0;    // kDecimal
  int64_t millis = 0;    // kDateTime: the instant, Unix milliseconds

  static Literal String(std::string text);
  static Literal Boolean(bool value);
  static Literal Integer(int64_t value);
  static Literal Decimal(double value);
  static Literal DateTime(std::string text, int64_t millis);
};

struct Filter {
  enum class Kind {
    kCompare,    // attr op value
    kPresent,    // attr pr
    kAnd,        // children[0] and children[1]
    kOr,         // children[0] or children[1]
    kNot,        // not (children[0])
    kValuePath,  // attr[children[0]]: attr is the complex parent (sub empty); children[0]'s
                 // attributes are its sub-attributes (same urn and attr, sub set)
  };

  Kind kind = Kind::kPresent;
  ResolvedAttr attr{};            // kCompare, kPresent, kValuePath
  CompareOp op = CompareOp::kEq;  // kCompare
  Literal value;                  // kCompare
  std::vector<Filter> children;   // kAnd, kOr: 2; kNot, kValuePath: 1; otherwise none

  static Filter Compare(ResolvedAttr attr, CompareOp op, Literal value);
  static Filter Present(ResolvedAttr attr);
  static Filter And(Filter lhs, Filter rhs);
  static Filter Or(Filter lhs, Filter rhs);
  static Filter Not(Filter operand);
  static Filter ValuePath(ResolvedAttr parent, Filter inner);
};

// Structural equality (attributes by urn, attr, sub, type and flags; literals by kind and value).
bool operator==(const ResolvedAttr& a, const ResolvedAttr& b);
bool operator==(const Literal& a, const Literal& b);
bool operator==(const Filter& a, const Filter& b);

// Canonical filter text: canonical attribute names (extension attributes with their URN),
// lower-case keywords, JSON-escaped strings, parentheses only where precedence needs them.
// ParseFilter(ToString(f)) == f for every f that ParseFilter returns. For logs and tests.
std::string ToString(const Filter& filter);

// Canonical path text of an attribute: "userName", "emails.value",
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value".
std::string PathToString(const ResolvedAttr& attr);

}  // namespace portico::scim
