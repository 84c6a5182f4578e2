-- wrk script for bench/scim: one request generator per figure.
--   wrk … -s bench/scim.lua URL -- get    IDS_FILE           GET /Users/{id}, ids at random
--   wrk … -s bench/scim.lua URL -- filter USERS              GET /Users?filter=userName eq "…"
--   wrk … -s bench/scim.lua URL -- post   RUN                POST /Users, a new userName each
--   wrk … -s bench/scim.lua URL -- patch  GROUP IDS_FILE [QUERY]
--                                   PATCH /Groups/GROUP adding, then removing, one member
-- URL is the SCIM base (…/scim/v2); the Authorization header comes from -H.
-- userNames are "user%08d@bench.example" as bench/scim_seed.cc seeds them.

local next_thread = 1

function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

local mode, ids, users, run, started, group, query
local counter = 0
local base = wrk.path
local headers = {}

local function read_lines(path)
  local out = {}
  for line in io.lines(path) do
    if line ~= "" then out[#out + 1] = line end
  end
  return out
end

function init(args)
  mode = args[1]
  -- wrk.format uses the table it is given instead of wrk.headers: copy the -H ones.
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/scim+json"
  math.randomseed(os.time() * 100 + thread_id)
  if mode == "get" then
    ids = read_lines(args[2])
  elseif mode == "filter" then
    users = tonumber(args[2])
  elseif mode == "post" then
    run = args[2]
    started = os.time()
  elseif mode == "patch" then
    group = args[2]
    local all = read_lines(args[3])
    query = args[4] or ""
    -- Each thread adds and removes only its own users, so that one thread's
    -- remove never races another thread's add of the same member.
    ids = {}
    for i = thread_id, #all, 2 do ids[#ids + 1] = all[i] end
  else
    error("unknown mode " .. tostring(mode))
  end
end

local user_schemas = '"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",' ..
    '"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]'

-- The shape bench/scim_seed.cc seeds (what an IdP such as Entra ID sends).
local function user_body(name, n)
  return '{' .. user_schemas .. ',"userName":"' .. name .. '","externalId":"ext-' .. n ..
      '","active":true,"displayName":"Bench User ' .. n ..
      '","name":{"givenName":"Bench","familyName":"User ' .. n ..
      '","formatted":"Bench User ' .. n .. '"},"emails":[{"value":"' .. name ..
      '","type":"work","primary":true}],' ..
      '"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"' .. n ..
      '","department":"Dept 1"}}'
end

local patch_schema = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],'

function request()
  counter = counter + 1
  if mode == "get" then
    return wrk.format("GET", base .. "/Users/" .. ids[math.random(#ids)], headers)
  elseif mode == "filter" then
    local name = string.format("user%08d%%40bench.example", math.random(users) - 1)
    return wrk.format("GET", base .. "/Users?filter=userName%20eq%20%22" .. name .. "%22", headers)
  elseif mode == "post" then
    -- The start time keeps the names of successive runs apart.
    local n = run .. "-" .. started .. "-" .. thread_id .. "-" .. counter
    return wrk.format("POST", base .. "/Users", headers,
                      user_body("post-" .. n .. "@bench.example", n))
  else
    -- Request 2k adds a member, request 2k+1 removes it again (as Entra ID
    -- does: one member per operation, value-filtered remove).
    local member = ids[(math.floor((counter - 1) / 2) % #ids) + 1]
    local body
    if counter % 2 == 1 then
      body = patch_schema .. '"Operations":[{"op":"add","path":"members","value":[{"value":"' ..
          member .. '"}]}]}'
    else
      body = patch_schema .. '"Operations":[{"op":"remove","path":"members[value eq \\"' ..
          member .. '\\"]"}]}'
    end
    return wrk.format("PATCH", base .. "/Groups/" .. group .. query, headers, body)
  end
end
