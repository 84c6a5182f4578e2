-- wrk script for bench/dcr. MODE (environment):
--   register  POST /oauth/register with the bootstrap token (BEARER), a
--             client_credentials client per request;
--   read      GET PATH with BEARER (a registration access token);
--   token     POST /oauth/token, client_credentials, Basic BASIC.
local mode = os.getenv("MODE")
local bearer = os.getenv("BEARER")
local basic = os.getenv("BASIC")
local path = os.getenv("PATH_TO_READ")

function init(args)
  if mode == "register" then
    wrk.method = "POST"
    wrk.path = "/oauth/register"
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Bearer " .. bearer
    wrk.body = '{"client_name":"Bench agent","grant_types":["client_credentials"],"scope":"read"}'
  elseif mode == "read" then
    wrk.method = "GET"
    wrk.path = path
    wrk.headers["Authorization"] = "Bearer " .. bearer
  else
    wrk.method = "POST"
    wrk.path = "/oauth/token"
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
    wrk.headers["Authorization"] = "Basic " .. basic
    wrk.body = "grant_type=client_credentials&scope=read"
  end
end

-- wrk counts a non-2xx answer in its summary; a bench that measured errors would lie.
local bad = 0
function response(status, headers, body)
  if status >= 300 then bad = bad + 1 end
end
