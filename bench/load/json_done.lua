-- The hooks every load script shares. wrk runs each thread's requests in that
-- thread's own Lua state and setup()/done() in a separate main state, so
-- per-thread numbers live in thread globals and done() collects them.
--
--   done()        writes the run's results as one JSON object to the file
--                 named by the environment variable WRK_JSON_OUT (nothing
--                 when it is unset).
--   setup()       numbers the threads: `thread_id` is 1, 2, ... in each.
--   count_status  a response() hook that counts answers with status >= 300
--                 in `non_2xx`; done() sums them. Scripts opt in with
--                 `response = count_status`: wrk only parses responses for a
--                 script that has a response() hook, and that costs wrk time.
--                 Without the hook, "non_2xx" is wrk's own count of answers
--                 with status >= 400 (free: wrk counts them in C), so 4xx and
--                 5xx answers are always counted; only 3xx need the hook.
--   seed_random() seeds math.random from WRK_SEED (or the clock) and the
--                 thread id, so threads and runs draw different numbers.
--
-- Use it alone for plain runs:
--   WRK_JSON_OUT=out.json wrk -t1 -c64 -d10s -s bench/load/json_done.lua URL
-- or load it from another script (the others in this directory do) with
--   dofile(here .. "json_done.lua")
--
-- wrk embeds LuaJIT (Lua 5.1): numbers are doubles, so every integer is
-- printed with %.0f, never %d. Times are microseconds, as wrk reports them.

thread_id = 0
non_2xx = 0

local threads = {}  -- main state only: every thread, for done()

setup = function(thread)
  threads[#threads + 1] = thread
  thread:set("thread_id", #threads)
end

count_status = function(status, headers, body)
  if status >= 300 then non_2xx = non_2xx + 1 end
end

seed_random = function()
  local seed = tonumber(os.getenv("WRK_SEED") or "") or (os.time() % 1000000) * 1000
  math.randomseed(seed + thread_id * 7919)
  -- LuaJIT's first draws after a seed are fine, but skip a few anyway so
  -- neighbouring seeds do not start on neighbouring numbers.
  for _ = 1, 4 do math.random() end
end

-- A percentile as a JSON number, or null when wrk cannot tell. wrk's
-- coordinated-omission correction can add samples below latency.min, and its
-- percentile walk starts at min, so with pipelining a high percentile may
-- come back as 0, which no real sample can be. (Debian's wrk does not expose
-- the histogram itself: latency[i] returns the key, so it cannot be redone.)
local function percentile(latency, q)
  local v = latency:percentile(q)
  if v == nil or v <= 0 then return "null" end
  return string.format("%.0f", v)
end

-- The non-2xx count over all threads: the response() hook's when it ran
-- (status >= 300), else wrk's own count of statuses >= 400. Never null: a
-- run of 404s (pipeline.lua against a keel without --bench-endpoints) must
-- not pass for a clean one.
local function non_2xx_total(summary)
  if response ~= count_status then return string.format("%.0f", summary.errors.status) end
  local total = 0
  for _, t in ipairs(threads) do total = total + (tonumber(t:get("non_2xx")) or 0) end
  return string.format("%.0f", total)
end

local function json_results(summary, latency)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local rps = 0
  if seconds > 0 then rps = summary.requests / seconds end
  return string.format(
    '{"requests":%.0f,"duration_us":%.0f,"requests_per_sec":%.3f,' ..
    '"bytes":%.0f,"non_2xx":%s,' ..
    '"errors":{"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f},' ..
    '"latency_us":{"min":%.0f,"mean":%.1f,"stdev":%.1f,' ..
    '"p50":%s,"p90":%s,"p99":%s,"p99.9":%s,"max":%.0f}}\n',
    summary.requests, summary.duration, rps,
    summary.bytes, non_2xx_total(summary),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev,
    percentile(latency, 50), percentile(latency, 90),
    percentile(latency, 99), percentile(latency, 99.9), latency.max)
end

done = function(summary, latency, requests)
  local path = os.getenv("WRK_JSON_OUT")
  if path == nil or path == "" then return end
  local f, err = io.open(path, "w")
  if f == nil then
    io.stderr:write("json_done.lua: cannot write WRK_JSON_OUT: " .. tostring(err) .. "\n")
    return
  end
  f:write(json_results(summary, latency))
  f:close()
end
