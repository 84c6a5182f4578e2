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

}  // namespace portico::http
