-- wrk script: HTTP/1.1 pipelining, TechEmpower style. Every write sends
-- `depth` GET requests back to back on a keep-alive connection; wrk counts
-- each response, and answers other than 2xx are counted too. Usage:
--   wrk -t1 -c64 -d10s -s bench/load/pipeline.lua http://127.0.0.1:8080/plaintext -- 16
--   ... -- DEPTH [PATH]
-- keel serves /plaintext only with --bench-endpoints (tools/run
-- --bench-endpoints); without it every answer is a fast 404, so look at
-- non_2xx before the requests per second. DEPTH defaults to 16. PATH
-- defaults to the URL's path, or /plaintext when the URL has none. With
-- WRK_JSON_OUT set, done() writes the results as JSON (the hook lives in
-- json_done.lua, next to this file).

-- Load the shared done() hook from this script's own directory, so the
-- script works whatever the current directory is.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "json_done.lua")

local pipelined

init = function(args)
  local depth = tonumber(args[1]) or 16
  if depth < 1 then depth = 1 end
  local path = args[2]
  if path == nil then
    if wrk.path ~= nil and wrk.path ~= "" and wrk.path ~= "/" then
      path = wrk.path
    else
      path = "/plaintext"
    end
  end
  -- Built once per thread: request() must not allocate per call.
  local one = wrk.format("GET", path)
  pipelined = string.rep(one, depth)
end

request = function()
  return pipelined
end

-- Counting statuses in Lua makes wrk parse every response in Lua, which
-- halves what one wrk thread can drive at pipelined rates (it became the
-- bottleneck near 0.9M req/s here). So the hook is opt-in: the load runner
-- sets WRK_COUNT_STATUS=1 (3xx counted too); without it non_2xx is wrk's
-- own count of 4xx and 5xx answers (json_done.lua), which costs nothing.
if os.getenv("WRK_COUNT_STATUS") == "1" then
  response = count_status
end
