-- The soak's load (tms.lua, mode "mixed") with a journal of every request, for
-- `make upgrade-test` (bench/upgrade.py). Nothing about the load changes but
-- one header: each request asks for "Connection: close".
--
-- Why the journal: wrk counts errors per connection, not per request. A
-- connection the ingress closes while idle (nginx does that to every idle
-- client connection when it reloads, and the test reloads it whenever the
-- set of ready instances changes) counts as a read error although no request
-- was lost; a request that never got an answer is not named. The journal
-- says, for every request sent, what came back: one file per wrk thread (one
-- thread is one signed-in user), lines of
--   <sent ms> <answered ms> <status> <METHOD> <path> id=<id> title=<title>
-- with status "none" for a request whose connection failed before an answer
-- (then the answered time is when wrk sent the next one), id the new task's
-- id for a create, title what a create or update wrote. Times are Unix epoch
-- milliseconds, as bench/upgrade.py records its steps.
--
-- Why "Connection: close": in the cluster the ingress picks up endpoint
-- changes without a reload; here nginx reloads, and a request sent on an idle
-- client connection just as an old nginx worker closes it would fail for a
-- reason the cluster does not have. Connections to the instances behind the
-- ingress still use keep-alive, as in the cluster.
--
-- Settings (environment): TMS_BENCH_MODE=mixed, TMS_BENCH_DATA, TMS_BENCH_INTERVAL_MS
-- (see tms.lua) and TMS_BENCH_JOURNAL, the journal files' path prefix.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "tms.lua")

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } rollout_timespec;
  int rollout_clock_gettime(int clock, rollout_timespec *now) asm("clock_gettime");
]]
local clock = ffi.new("rollout_timespec")
local function epoch_ms()
  ffi.C.rollout_clock_gettime(0, clock) -- CLOCK_REALTIME
  return tonumber(clock.tv_sec) * 1000 + math.floor(tonumber(clock.tv_nsec) / 1e6)
end

local journal_prefix = os.getenv("TMS_BENCH_JOURNAL")
if journal_prefix == nil then
  error("TMS_BENCH_JOURNAL is not set")
end

local inner_setup, inner_init, inner_request, inner_response, inner_done = setup, init, request, response, done
local journal
local all_threads = {}
-- The request on the wire (globals: done() reads them from each thread); nil once answered.
pending_sent, pending_method, pending_path, pending_writes = nil, nil, nil, ""

function setup(thread)
  inner_setup(thread)
  table.insert(all_threads, thread)
  thread:set("thread_number", #all_threads)
end

function init(args)
  inner_init(args)
  journal = assert(io.open(journal_prefix .. "-" .. owner .. ".log", "a"))
  journal:setvbuf("line") -- whatever stops wrk, the lines written so far are on disk
end

local verified = false

function request()
  if thread_number == 1 and not verified then
    -- wrk calls the first thread's request() once before the load, to check it: never sent
    verified = true
    return inner_request()
  end
  local now = epoch_ms()
  if pending_sent then -- wrk sends the next request: the last one's connection failed
    journal:write(string.format("%d %d none %s %s%s\n", pending_sent, now, pending_method, pending_path,
      pending_writes))
  end
  local raw = inner_request()
  local title = raw:match('\r\n\r\n.*"title":"([^"]*)"')
  pending_sent = now
  pending_method, pending_path = raw:match("^(%u+) (%S+) HTTP")
  pending_writes = title and (" title=" .. title) or ""
  local closing = raw:gsub("\r\n", "\r\nConnection: close\r\n", 1)
  return closing
end

function response(status, headers, body)
  inner_response(status, headers, body)
  local id = ""
  if pending_method == "POST" and pending_path == "/api/tasks/" and status == 201 then
    id = " id=" .. (string.match(body or "", '"id"%s*:%s*(%d+)') or "?")
  end
  journal:write(string.format("%d %d %d %s %s%s%s\n", pending_sent, epoch_ms(), status, pending_method,
    pending_path, id, pending_writes))
  pending_sent, pending_writes = nil, ""
end

-- Requests still on the wire when wrk stopped: cut off by the end of the load, not failed.
function done(summary, latency, requests)
  local cut = assert(io.open(journal_prefix .. "-cut.log", "w"))
  for _, thread in ipairs(all_threads) do
    local sent = thread:get("pending_sent")
    if sent then
      cut:write(string.format("%d - cut %s %s\n", sent, thread:get("pending_method"), thread:get("pending_path")))
    end
  end
  cut:close()
  inner_done(summary, latency, requests)
end
