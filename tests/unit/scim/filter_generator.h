#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "portico/json.h"
#include "portico/parse_json.h"
#include "scim/filter/attribute_resolver.h"

// Random valid SCIM filters, and random resources to run them against, over a schema given as a
// list of leaf attributes. Deterministic for a seed (no std distributions, whose output differs
// between standard libraries), so a failing seed reproduces anywhere. Used by the filter tests
// and by the differential tests that compare the SQL translation with the in-memory evaluator.
namespace portico::scim::test {

struct GenAttribute {
  // As written in a filter: "userName", "name.givenName", "emails.type",
  // "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value".
  std::string path;
  AttrType type = AttrType::kString;  // of the leaf
  bool multi_valued = false;          // of the top-level attribute ("emails.type": true)
  // JSON texts of values, used both as filter literals and as stored values: "\"work\"", "42",
  // "true", "\"2024-01-31T12:00:00Z\"".
  std::vector<std::string> samples;
};

struct GenOptions {
  int max_depth = 3;        // of and / or / not / ( ) above the comparisons
  bool vary_case = true;    // random case in keywords, operators, names and string literals
  bool value_paths = true;  // emails[...] and the emails[...].value eq "x" form
  int max_elements = 3;     // of a generated multi-valued attribute
};

class FilterGenerator {
 public:
  FilterGenerator(std::vector<GenAttribute> attributes, uint64_t seed, GenOptions options = {})
      : attributes_(std::move(attributes)), rng_(seed), options_(options) {
    for (size_t i = 0; i < attributes_.size(); ++i) {
      Split split = SplitPath(attributes_[i].path);
      if (!split.sub.empty() && attributes_[i].multi_valued) {
        value_path_members_[split.prefix].push_back(i);
      }
    }
  }

  // A filter that ParseFilter accepts for the schema the attributes come from.
  std::string NextFilter() { return Expression(options_.max_depth); }

  // A resource (SCIM JSON form) holding random sample values of random attributes; extension
  // attributes under their URN. Some attributes are absent, null, "" or [].
  Json NextResource() {
    Json resource = Json::MakeObject();
    // Group leaves by their top-level attribute.
    std::map<std::string, std::vector<size_t>> tops;
    std::vector<std::string> order;
    for (size_t i = 0; i < attributes_.size(); ++i) {
      const std::string prefix = SplitPath(attributes_[i].path).prefix;
      if (tops.find(prefix) == tops.end()) order.push_back(prefix);
      tops[prefix].push_back(i);
    }
    for (const std::string& prefix : order) {
      if (Chance(30)) continue;  // absent
      const std::vector<size_t>& leaves = tops[prefix];
      const GenAttribute& first = attributes_[leaves[0]];
      const Split split = SplitPath(first.path);
      Json value;
      if (split.sub.empty()) {
        if (first.multi_valued) {
          value = Json::MakeArray();
          const int n = static_cast<int>(Below(options_.max_elements + 1));
          for (int k = 0; k < n; ++k) value.Push(StoredValue(first));
        } else {
          value = Chance(5) ? Json() : StoredValue(first);
        }
      } else if (first.multi_valued) {
        value = Json::MakeArray();
        const int n = static_cast<int>(Below(options_.max_elements + 1));
        for (int k = 0; k < n; ++k) value.Push(ComplexValue(leaves));
      } else {
        value = ComplexValue(leaves);
      }
      Json* container = &resource;
      if (!split.urn.empty() && !IsCore(split.urn)) {
        if (resource.Find(split.urn) == nullptr) resource.Set(split.urn, Json::MakeObject());
        container = resource.Find(split.urn);
      }
      container->Set(split.attr, std::move(value));
    }
    return resource;
  }

 private:
  struct Split {
    std::string urn;  // empty when none
    std::string attr;
    std::string sub;     // empty when none
    std::string prefix;  // everything before ".sub"
  };

  static Split SplitPath(const std::string& path) {
    Split s;
    const size_t colon = path.rfind(':');
    std::string rest = path;
    if (colon != std::string::npos) {
      s.urn = path.substr(0, colon);
      rest = path.substr(colon + 1);
    }
    const size_t dot = rest.find('.');
    s.attr = rest.substr(0, dot);
    if (dot != std::string::npos) s.sub = rest.substr(dot + 1);
    s.prefix = dot == std::string::npos ? path : path.substr(0, path.size() - s.sub.size() - 1);
    return s;
  }

  static bool IsCore(const std::string& urn) {
    return urn.rfind("urn:ietf:params:scim:schemas:core:", 0) == 0;
  }

  uint64_t Below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  bool Chance(int percent) { return Below(100) < static_cast<uint64_t>(percent); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

  std::string VaryCase(std::string s) {
    if (!options_.vary_case || !Chance(40)) return s;
    for (char& c : s) {
      if (Chance(50)) {
        if (c >= 'a' && c <= 'z')
          c = static_cast<char>(c - 32);
        else if (c >= 'A' && c <= 'Z')
          c = static_cast<char>(c + 32);
      }
    }
    return s;
  }

  std::string Keyword(const char* word) { return VaryCase(word); }

  // The path as written: names in random case (the URN as given).
  std::string WritePath(const std::string& path) {
    const size_t colon = path.rfind(':');
    if (colon == std::string::npos) return VaryCase(path);
    return path.substr(0, colon + 1) + VaryCase(path.substr(colon + 1));
  }

  static Json ParseSample(const std::string& text) {
    StatusOr<Json> parsed = ParseJson(text);
    return parsed.ok() ? *parsed : Json();
  }

  Json StoredValue(const GenAttribute& a) {
    if (a.samples.empty()) return Json();
    Json v = ParseSample(Pick(a.samples));
    if (v.is_string() && a.type != AttrType::kDateTime && a.type != AttrType::kBinary) {
      if (Chance(5)) return Json("");
      return Json(VaryCase(v.as_string()));
    }
    return v;
  }

  Json ComplexValue(const std::vector<size_t>& leaves) {
    Json object = Json::MakeObject();
    for (size_t i : leaves) {
      if (Chance(35)) continue;
      const GenAttribute& a = attributes_[i];
      object.Set(SplitPath(a.path).sub, Chance(5) ? Json() : StoredValue(a));
    }
    return object;
  }

  std::vector<const char*> OperatorsFor(AttrType type) const {
    switch (type) {
      case AttrType::kString:
      case AttrType::kReference:
        return {"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"};
      case AttrType::kBinary:
        return {"eq", "ne", "co", "sw", "ew"};
      case AttrType::kBoolean:
        return {"eq", "ne"};
      default:
        return {"eq", "ne", "gt", "ge", "lt", "le"};
    }
  }

  // A literal for `a` under `op`: a sample, for co / sw / ew often a piece of one.
  std::string LiteralFor(const GenAttribute& a, const std::string& op) {
    const std::string& sample = Pick(a.samples);
    Json v = ParseSample(sample);
    if (!v.is_string() || a.type == AttrType::kDateTime) return sample;
    std::string s = v.as_string();
    if ((op == "co" || op == "sw" || op == "ew") && !s.empty() && Chance(70)) {
      const size_t len = 1 + Below(s.size());
      const size_t from =
          op == "sw" ? 0 : (op == "ew" ? s.size() - len : Below(s.size() - len + 1));
      size_t begin = from;
      size_t end = from + len;
      // Whole code points only: a cut UTF-8 sequence would make the filter invalid.
      while (begin > 0 && (static_cast<unsigned char>(s[begin]) & 0xC0) == 0x80) --begin;
      while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
      s = s.substr(begin, end - begin);
    }
    if (a.type != AttrType::kBinary) s = VaryCase(s);
    return Json(s).Dump();
  }

  // attr op value, attr pr, or attr eq/ne null; `written` is the path as it appears.
  std::string Comparison(const GenAttribute& a, const std::string& written) {
    const uint64_t roll = Below(100);
    if (roll < 10) return written + " " + Keyword("pr");
    if (roll < 15) return written + " " + Keyword(Chance(50) ? "eq" : "ne") + " " + Keyword("null");
    const std::vector<const char*> ops = OperatorsFor(a.type);
    const std::string op = Pick(ops);
    return written + " " + Keyword(op.c_str()) + " " + LiteralFor(a, op);
  }

  std::string Expression(int depth) {
    if (depth <= 0 || Chance(35)) return Leaf();
    switch (Below(10)) {
      case 0:
        return Keyword("not") + (Chance(50) ? " (" : "(") + Expression(depth - 1) + ")";
      case 1:
        return "(" + Expression(depth - 1) + ")";
      default:
        return Expression(depth - 1) + " " + Keyword(Chance(50) ? "and" : "or") + " " +
               Expression(depth - 1);
    }
  }

  std::string Leaf() {
    if (options_.value_paths && !value_path_members_.empty() && Chance(20)) return ValuePathLeaf();
    const GenAttribute& a = Pick(attributes_);
    return Comparison(a, WritePath(a.path));
  }

  std::string InnerExpression(const std::vector<size_t>& members, int depth) {
    if (depth <= 0 || Chance(50)) {
      const GenAttribute& a = attributes_[Pick(members)];
      return Comparison(a, VaryCase(SplitPath(a.path).sub));
    }
    switch (Below(4)) {
      case 0:
        return Keyword("not") + " (" + InnerExpression(members, depth - 1) + ")";
      default:
        return InnerExpression(members, depth - 1) + " " + Keyword(Chance(50) ? "and" : "or") +
               " " + InnerExpression(members, depth - 1);
    }
  }

  std::string ValuePathLeaf() {
    auto it = value_path_members_.begin();
    std::advance(it, static_cast<long>(Below(value_path_members_.size())));
    const std::vector<size_t>& members = it->second;
    std::string out = WritePath(it->first) + "[" + InnerExpression(members, 2) + "]";
    if (Chance(25)) {  // Entra's form: parent[filter].sub op value
      const GenAttribute& a = attributes_[Pick(members)];
      out = Comparison(a, out + "." + VaryCase(SplitPath(a.path).sub));
    }
    return out;
  }

  std::vector<GenAttribute> attributes_;
  std::mt19937_64 rng_;
  GenOptions options_;
  // Multi-valued complex parents ("emails") and the indexes of their sub-attribute leaves.
  std::map<std::string, std::vector<size_t>> value_path_members_;
};

}  // namespace portico::scim::test
