#pragma once

#include "portico/status.h"
#include "src/http/request.h"
#include "src/http/response.h"

namespace portico::dcr {

// Renders a non-OK Status as an OAuth error (RFC 6749 §5.2, RFC 7591
// §3.2.2, RFC 7592 §2): {"error", "error_description"}. The Status tag is
// the `error` code when it is one of OAuth's (invalid_client_metadata,
// invalid_client, invalid_grant, …); otherwise the code is derived from the
// StatusCode (invalid_request, invalid_token, server_error, …). 401 carries
// WWW-Authenticate: Basic for invalid_client (token endpoint client
// authentication), Bearer with the error otherwise (RFC 6750 §3). Every
// response is Cache-Control: no-store. The renderer of every /oauth route
// and of the /oauth prefix.
http::Response RenderOAuthError(const Status& status, const http::Request& request);

}  // namespace portico::dcr
