#include "scim/list_query.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "portico/crypto.h"
#include "portico/parse_json.h"
#include "scim/filter/parser.h"
#include "scim/scim_errors.h"

namespace portico::scim {
namespace {

StatusOr<int64_t> ParseInteger(const std::string& text, const char* name) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return BadRequest(kInvalidValue, std::string(name) + " must be an integer");
  }
  return value;
}

StatusOr<std::optional<std::string>> StringOrList(const Json& value, const char* name) {
  if (value.is_null()) return std::optional<std::string>();
  if (value.is_string()) return std::optional<std::string>(value.as_string());
  if (value.is_array()) {
    std::string joined;
    for (const Json& item : value.as_array()) {
      if (!item.is_string()) {
        return BadRequest(kInvalidValue, std::string(name) + " must be an array of strings");
      }
      if (!joined.empty()) joined += ',';
      joined += item.as_string();
    }
    return std::optional<std::string>(joined);
  }
  return BadRequest(kInvalidValue, std::string(name) + " must be a string or an array of strings");
}

StatusOr<std::optional<std::string>> StringOrNumber(const Json& value, const char* name) {
  if (value.is_null()) return std::optional<std::string>();
  if (value.is_int()) return std::optional<std::string>(std::to_string(value.as_int()));
  if (value.is_string()) return std::optional<std::string>(value.as_string());
  return BadRequest(kInvalidValue, std::string(name) + " must be an integer");
}

}  // namespace

StatusOr<ListParams> ListParamsFromSearchBody(const Json& body) {
  if (!body.is_object())
    return BadRequest(kInvalidSyntax, "the request body must be a JSON object");
  ListParams p;
  for (const auto& [name, value] : body.as_object()) {
    if (NameEquals(name, "schemas")) continue;
    if (NameEquals(name, "filter") || NameEquals(name, "sortBy") || NameEquals(name, "sortOrder") ||
        NameEquals(name, "cursor")) {
      if (!value.is_string() && !value.is_null()) {
        return BadRequest(kInvalidValue, name + " must be a string");
      }
      std::optional<std::string> text;
      if (value.is_string()) text = value.as_string();
      if (NameEquals(name, "filter"))
        p.filter = text;
      else if (NameEquals(name, "sortBy"))
        p.sort_by = text;
      else if (NameEquals(name, "sortOrder"))
        p.sort_order = text;
      else
        p.cursor = text;
    } else if (NameEquals(name, "attributes")) {
      PORTICO_ASSIGN_OR_RETURN(p.attributes, StringOrList(value, "attributes"));
    } else if (NameEquals(name, "excludedAttributes")) {
      PORTICO_ASSIGN_OR_RETURN(p.excluded_attributes, StringOrList(value, "excludedAttributes"));
    } else if (NameEquals(name, "startIndex")) {
      PORTICO_ASSIGN_OR_RETURN(p.start_index, StringOrNumber(value, "startIndex"));
    } else if (NameEquals(name, "count")) {
      PORTICO_ASSIGN_OR_RETURN(p.count, StringOrNumber(value, "count"));
    } else {
      return BadRequest(kInvalidSyntax, "unknown search parameter '" + name + "'");
    }
  }
  return p;
}

std::string MakeCursor(std::string_view position, const ListQuery& query,
                       std::string_view cursor_key, TimePoint expires_at) {
  Json payload = Json::MakeObject();
  payload.Set("p", position).Set("q", query.query_hash).Set("e", ToUnixMillis(expires_at));
  const std::string body = Base64UrlEncode(payload.Dump());
  const std::string mac = HmacSha256(cursor_key, body).substr(0, 16);
  return body + "." + Base64UrlEncode(mac);
}

namespace {

// RFC 9865 §2: an empty cursor starts cursor paging; otherwise ours.
StatusOr<std::optional<std::string>> OpenCursor(const std::string& cursor, const ListQuery& query,
                                                std::string_view cursor_key, TimePoint now) {
  if (cursor.empty()) return std::optional<std::string>();
  const Status invalid = BadRequest(kInvalidCursor, "the cursor is not valid for this query");
  const size_t dot = cursor.find('.');
  if (dot == std::string::npos) return invalid;
  const std::string body = cursor.substr(0, dot);
  std::optional<std::string> mac = Base64UrlDecode(cursor.substr(dot + 1));
  if (!mac || !ConstantTimeEquals(*mac, HmacSha256(cursor_key, body).substr(0, 16))) {
    return invalid;
  }
  std::optional<std::string> text = Base64UrlDecode(body);
  if (!text) return invalid;
  StatusOr<Json> payload = ParseJson(*text);
  if (!payload.ok() || !payload->is_object()) return invalid;
  const Json* p = payload->Find("p");
  const Json* q = payload->Find("q");
  const Json* e = payload->Find("e");
  if (p == nullptr || !p->is_string() || q == nullptr || !q->is_string() || e == nullptr ||
      !e->is_int()) {
    return invalid;
  }
  if (q->as_string() != query.query_hash) return invalid;
  if (e->as_int() < ToUnixMillis(now)) {
    return BadRequest(kExpiredCursor, "the cursor has expired; start the listing again");
  }
  return std::optional<std::string>(p->as_string());
}

}  // namespace

StatusOr<ListQuery> BuildListQuery(const ListParams& params, const ResourceType& type,
                                   const ListLimits& limits, std::string_view cursor_key,
                                   TimePoint now) {
  ListQuery q;
  if (params.filter && !params.filter->empty()) {
    PORTICO_ASSIGN_OR_RETURN(Filter filter, ParseFilter(*params.filter, type));
    q.filter = std::make_unique<Filter>(std::move(filter));
    q.page.filter = q.filter.get();
  }
  bool descending = false;
  if (params.sort_order) {
    if (NameEquals(*params.sort_order, "descending"))
      descending = true;
    else if (!NameEquals(*params.sort_order, "ascending")) {
      return BadRequest(kInvalidValue, "sortOrder must be ascending or descending");
    }
  }
  if (params.sort_by && !params.sort_by->empty()) {
    StatusOr<Filter> probe = ParseFilter(*params.sort_by + " pr", type);
    if (!probe.ok() || probe->kind != Filter::Kind::kPresent ||
        probe->attr.type == AttrType::kComplex) {
      return BadRequest(kInvalidValue, "sortBy must name a simple attribute of " + type.name());
    }
    q.page.sort = SortSpec{probe->attr, descending};
  }
  q.page.count = limits.default_count;
  if (params.count) {
    PORTICO_ASSIGN_OR_RETURN(int64_t count, ParseInteger(*params.count, "count"));
    q.page.count = static_cast<int>(std::clamp<int64_t>(count, 0, limits.max_count));
  }
  if (params.start_index) {
    PORTICO_ASSIGN_OR_RETURN(int64_t start, ParseInteger(*params.start_index, "startIndex"));
    q.page.start_index = std::max<int64_t>(start, 1);
  }
  PORTICO_ASSIGN_OR_RETURN(q.projection,
                           ParseProjection(params.attributes, params.excluded_attributes, type));
  q.query_hash = HexEncode(Sha256(type.name() + "\n" + (q.filter ? ToString(*q.filter) : "") +
                                  "\n" + (q.page.sort ? PathToString(q.page.sort->attr) : "") +
                                  (descending ? "\nd" : "\na"))
                               .substr(0, 8));
  if (params.cursor) {
    q.cursor_paging = true;
    PORTICO_ASSIGN_OR_RETURN(q.page.after, OpenCursor(*params.cursor, q, cursor_key, now));
  }
  return q;
}

}  // namespace portico::scim
