-- One wrk script for every TMS bench endpoint. The mode and the data come from
-- the environment (bench/run.py sets them):
--   TMS_BENCH_MODE  login | refresh | list | list_filtered | retrieve | create |
--                   update | complete | stats | json | raw_read | raw_insert
--   TMS_BENCH_DATA  a file with one line per wrk thread:
--                   username password access refresh owner_id task_id,task_id,...
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
                       owner = f[5], ids_text = f[6]})
end
local next_user = 1

function setup(thread)
  local user = users[next_user]
  next_user = next_user % #users + 1
  for key, value in pairs(user) do
    thread:set(key, value)
  end
end

local ids, counter = {}, 0
local json_headers = {}
local auth_headers = {}

function init(args)
  ids = split(ids_text or "", ",")
  json_headers = {["Content-Type"] = "application/json"}
  auth_headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. access}
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

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d},"latency_us":{"p50":%d,"p90":%d,"p95":%d,"p99":%d,' ..
    '"mean":%.1f,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max))
end
