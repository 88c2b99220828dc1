-- One wrk script for every TMS bench endpoint. The mode and the data come from
-- the environment (bench/run.py and bench/soak.py set them):
--   TMS_BENCH_MODE  login | refresh | list | list_shared | list_pat | list_filtered | retrieve |
--                   create | update | complete | stats | json | raw_read | raw_insert |
--                   mixed (the soak: each request picked by the weights in MIX)
--                   (list_shared is list's request sent by members of shared projects:
--                   bench/run.py hands it a data file of those users; list_pat is list's
--                   request with the line's personal access token instead of its JWT)
--   TMS_BENCH_DATA  a file with one line per wrk thread:
--                   username password access refresh owner_id task_id,task_id,... [tms_pat_...]
--   TMS_BENCH_INTERVAL_MS  optional: each connection sends one request per this
--                   many milliseconds on average instead of as fast as it can
-- Each thread is one signed-in user with one connection, so a refresh token is
-- never used twice (a replayed refresh token ends its session by design).

local mode = os.getenv("TMS_BENCH_MODE")
local data_path = os.getenv("TMS_BENCH_DATA")

local function split(text, separator)
  local parts = {}
  for part in string.gmatch(text, "([^" .. separator .. "]+)") do
    table.insert(parts, part)
  end
  return parts
end

local users = {}
for line in io.lines(data_path) do
  local f = split(line, " ")
  table.insert(users, {username = f[1], password = f[2], access = f[3], refresh = f[4],
                       owner = f[5], ids_text = f[6], pat = f[7]})
end
local next_user = 1
local threads = {}

function setup(thread)
  local user = users[next_user]
  next_user = next_user % #users + 1
  table.insert(threads, thread)
  for key, value in pairs(user) do
    thread:set(key, value)
  end
end

local ids, counter = {}, 0
local json_headers = {}
local auth_headers = {}
local pat_headers = {}

function init(args)
  math.randomseed(tonumber(owner) or 1)
  ids = split(ids_text or "", ",")
  json_headers = {["Content-Type"] = "application/json"}
  auth_headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. access}
  pat_headers = {["Authorization"] = "Bearer " .. (pat or "")}
end

local function next_id()
  counter = counter + 1
  return ids[(counter - 1) % #ids + 1]
end

local requests = {
  login = function()
    return wrk.format("POST", "/api/auth/login/", json_headers,
      '{"username":"' .. username .. '","password":"' .. password .. '"}')
  end,
  refresh = function()
    return wrk.format("POST", "/api/auth/refresh/", json_headers, '{"refresh":"' .. refresh .. '"}')
  end,
  list = function()
    return wrk.format("GET", "/api/tasks/", auth_headers)
  end,
  list_shared = function()
    return wrk.format("GET", "/api/tasks/", auth_headers)
  end,
  list_pat = function()
    return wrk.format("GET", "/api/tasks/", pat_headers)
  end,
  list_filtered = function()
    return wrk.format("GET", "/api/tasks/?status=todo,in_progress&priority=high,urgent&ordering=due_date",
      auth_headers)
  end,
  retrieve = function()
    return wrk.format("GET", "/api/tasks/" .. next_id() .. "/", auth_headers)
  end,
  create = function()
    counter = counter + 1
    return wrk.format("POST", "/api/tasks/", auth_headers,
      '{"title":"bench task ' .. counter .. '","priority":"high","due_date":"2026-12-24"}')
  end,
  update = function()
    return wrk.format("PATCH", "/api/tasks/" .. next_id() .. "/", auth_headers,
      '{"title":"renamed ' .. counter .. '","priority":"medium"}')
  end,
  complete = function()
    return wrk.format("POST", "/api/tasks/" .. next_id() .. "/complete/", auth_headers, "{}")
  end,
  stats = function()
    return wrk.format("GET", "/api/tasks/stats/", auth_headers)
  end,
  json = function()
    return wrk.format("GET", "/bench/json/")
  end,
  raw_read = function()
    return wrk.format("GET", "/bench/raw-read/?owner=" .. owner)
  end,
  raw_insert = function()
    counter = counter + 1
    return wrk.format("POST", "/bench/raw-insert/?owner=" .. owner, json_headers,
      '{"title":"raw task ' .. counter .. '"}')
  end,
}

-- The soak's mix: what a busy user's browser sends, in percent of requests. The
-- refreshes keep the auth service under load too; each one's access token is used
-- from then on, as a browser would.
local MIX = {
  {"list", 40}, {"retrieve", 23}, {"create", 15}, {"update", 10}, {"complete", 5}, {"stats", 5},
  {"refresh", 2},
}
local last_kind
-- Answers and error answers (status >= 400) per kind; globals so done() can read them per thread.
mixed_responses, mixed_errors = {}, {}

requests.mixed = function()
  local pick = math.random(100)
  for _, entry in ipairs(MIX) do
    pick = pick - entry[2]
    if pick <= 0 then
      last_kind = entry[1]
      return requests[last_kind]()
    end
  end
end

request = requests[mode]
if request == nil then
  error("unknown TMS_BENCH_MODE " .. tostring(mode))
end

if mode == "refresh" then
  -- Rotate: the next request sends the token this response handed out.
  function response(status, headers, body)
    if status == 200 then
      refresh = string.match(body, '"refresh"%s*:%s*"([^"]+)"') or refresh
    end
  end
end

if mode == "mixed" then
  function response(status, headers, body)
    mixed_responses[last_kind] = (mixed_responses[last_kind] or 0) + 1
    if status >= 400 then
      mixed_errors[last_kind] = (mixed_errors[last_kind] or 0) + 1
    elseif last_kind == "refresh" then
      refresh = string.match(body, '"refresh"%s*:%s*"([^"]+)"') or refresh
      access = string.match(body, '"access"%s*:%s*"([^"]+)"') or access
      auth_headers["Authorization"] = "Bearer " .. access
    end
  end
end

local interval = tonumber(os.getenv("TMS_BENCH_INTERVAL_MS") or "")
if interval then
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } tms_timespec;
    int clock_gettime(int clock, tms_timespec *now);
  ]]
  local clock = ffi.new("tms_timespec")
  local function now_ms()
    ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
    return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
  end
  local due
  -- Send times are jittered (0.5 to 1.5 intervals apart) so the connections do not
  -- march in step; a response later than the next send time is not made up by a burst.
  function delay()
    local now = now_ms()
    if due == nil then
      due = now + math.random() * interval
    elseif due < now then
      due = now
    end
    local wait = due - now
    due = due + interval * (0.5 + math.random())
    return math.floor(wait)
  end
end

-- ,"kinds":{"list":{"responses":n,"errors":n},...} for the mixed mode, else nothing.
local function kinds_json()
  if mode ~= "mixed" then
    return ""
  end
  local responses, errors = {}, {}
  for _, thread in ipairs(threads) do
    for kind, count in pairs(thread:get("mixed_responses") or {}) do
      responses[kind] = (responses[kind] or 0) + count
    end
    for kind, count in pairs(thread:get("mixed_errors") or {}) do
      errors[kind] = (errors[kind] or 0) + count
    end
  end
  local parts = {}
  for _, entry in ipairs(MIX) do
    local kind = entry[1]
    table.insert(parts, string.format('"%s":{"responses":%d,"errors":%d}', kind, responses[kind] or 0,
      errors[kind] or 0))
  end
  return ',"kinds":{' .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d},"latency_us":{"p50":%d,"p90":%d,"p95":%d,"p99":%d,' ..
    '"mean":%.1f,"max":%d}%s}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max, kinds_json()))
end
