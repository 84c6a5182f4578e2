#include "src/http/json_body.h"

#include "portico/parse_json.h"

namespace portico::http {

StatusOr<Json> ParseJsonBody(const Request& req) {
  if (req.body.empty()) return InvalidArgument("request body is empty").WithTag("invalid_json");
  PORTICO_ASSIGN_OR_RETURN(Json json, ParseJson(req.body));
  if (!json.is_object()) {
    return InvalidArgument("request body must be a JSON object").WithTag("invalid_json");
  }
  return json;
}

Status CheckMediaType(const Request& req, std::initializer_list<std::string_view> accepted) {
  const std::optional<std::string> type = req.Header("content-type");
  if (!type) return Status::Ok();
  std::string_view media = std::string_view(*type).substr(0, type->find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  std::string names;
  for (std::string_view a : accepted) {
    if (EqualsIgnoreCase(media, a)) return Status::Ok();
    names += names.empty() ? "" : " or ";
    names += a;
  }
  return InvalidArgument("Content-Type must be " + names).WithTag("unsupported_media_type");
}

}  // namespace portico::http
