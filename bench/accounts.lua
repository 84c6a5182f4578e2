-- wrk script for bench/accounts.
--   wrk … -s bench/accounts.lua URL -- signup RUN     POST URL (/api/auth/sign-up), a new email each
--   wrk … -s bench/accounts.lua URL -- probe  [MS]    GET URL, each connection pausing MS ms
--                                                     (default 5) between requests: a low rate
-- The Authorization header comes from -H. At the end it prints one line,
-- "statuses: 2xx N 503 N other N", so that refusals are reported, not hidden
-- (503 is the hashing pool's load shedding, SERVICE_BUSY).

local threads = {}
local next_thread = 1

function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
  threads[#threads + 1] = thread
end

local mode, run, interval, static_request
local counter = 0
-- Globals, not locals: done() reads them from each thread with thread:get.
ok, busy, other = 0, 0, 0

function init(args)
  mode = args[1]
  if mode == "signup" then
    run = args[2] .. "-" .. os.time() .. "-" .. thread_id
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
  elseif mode == "probe" then
    interval = tonumber(args[2] or "5")
    static_request = wrk.format("GET")
    -- Defined only here: wrk looks for delay() after init, and a flood must not pause.
    delay = function() return interval end
  else
    error("unknown mode " .. tostring(mode))
  end
end

function request()
  if mode == "probe" then return static_request end
  counter = counter + 1
  -- A new address per request (run, thread, counter): a repeated one would be
  -- answered without a hash. The password is long enough for the default
  -- policy and does not contain the local part.
  local email = "acct-" .. run .. "-" .. counter .. "@bench.example"
  local body = '{"email":"' .. email .. '","password":"Tr0ub4dor-and-three-horses",' ..
      '"name":"Bench User ' .. counter .. '"}'
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  elseif status == 503 then
    busy = busy + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local o, b, x = 0, 0, 0
  for _, thread in ipairs(threads) do
    o = o + thread:get("ok")
    b = b + thread:get("busy")
    x = x + thread:get("other")
  end
  io.write(string.format("statuses: 2xx %d 503 %d other %d\n", o, b, x))
end
