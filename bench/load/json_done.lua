-- wrk done() hook: writes the run's results as one JSON object to the file
-- named by the environment variable WRK_JSON_OUT (nothing when it is unset).
-- Use it alone for plain runs:
--   WRK_JSON_OUT=out.json wrk -t1 -c64 -d10s -s bench/load/json_done.lua URL
-- or load it from another script (pipeline.lua does) to get the same hook.
--
-- wrk embeds LuaJIT (Lua 5.1): numbers are doubles, so every integer is
-- printed with %.0f, never %d. Times are microseconds, as wrk reports them.

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

local function json_results(summary, latency)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local rps = 0
  if seconds > 0 then rps = summary.requests / seconds end
  return string.format(
    '{"requests":%.0f,"duration_us":%.0f,"requests_per_sec":%.3f,' ..
    '"bytes":%.0f,' ..
    '"errors":{"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f},' ..
    '"latency_us":{"min":%.0f,"mean":%.1f,"stdev":%.1f,' ..
    '"p50":%s,"p90":%s,"p99":%s,"p99.9":%s,"max":%.0f}}\n',
    summary.requests, summary.duration, rps,
    summary.bytes,
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
