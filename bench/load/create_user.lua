-- wrk script: sign-ups, POST /api/users with a new email every request
-- (expects 201). Each one costs keel an argon2id hash, so expect tens of
-- requests per second per core, not thousands. Usage:
--   wrk -t1 -c8 -d10s --timeout 30s -s bench/load/create_user.lua \
--       http://127.0.0.1:8080 -- [TAG]
-- Emails are load-TAG-<thread>-<n>@example.com: TAG (default: drawn from
-- WRK_SEED or the clock) keeps reruns on the same data dir from colliding,
-- the thread id and a per-thread counter keep requests apart within a run.
-- Answers other than 2xx (a 409 for a taken email) are counted.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "json_done.lua")

local head, email_prefix
local created = 0

init = function(args)
  seed_random()
  local tag = args[1] or string.format("%08x", math.random(0, 0x7fffffff))
  email_prefix = "load-" .. tag .. "-" .. thread_id .. "-"
  head = "POST /api/users HTTP/1.1\r\nHost: " .. wrk.headers["Host"] ..
         "\r\nContent-Type: application/json\r\nContent-Length: "
end

request = function()
  created = created + 1
  local body = '{"email":"' .. email_prefix .. created .. '@example.com",' ..
               '"name":"Load User","password":"load-test-password"}'
  return head .. #body .. "\r\n\r\n" .. body
end

response = count_status
