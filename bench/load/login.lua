-- wrk script: POST /api/auth/login as a random seeded user every request.
-- Each login costs keel an argon2id verification, so expect tens of
-- requests per second per core. Usage:
--   wrk -t1 -c8 -d10s --timeout 30s -s bench/load/login.lua \
--       http://127.0.0.1:8080 -- COUNT PASSWORD [EMAIL_FORMAT]
-- Users are EMAIL_FORMAT with "%d" replaced by 1 .. COUNT, as
-- `keel-admin seed --count COUNT --password PASSWORD` makes them; the format
-- defaults to keel-admin's "user%d@example.com". Answers other than 2xx (a
-- 401 for a wrong password) are counted; WRK_SEED seeds the draws.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "json_done.lua")

local count, head, before, after

-- JSON string contents: the password and the format come from the command
-- line, so quotes and backslashes must not break the body.
local function json_escape(s)
  return (s:gsub('[%c"\\]', function(c)
    return string.format("\\u%04x", c:byte())
  end))
end

init = function(args)
  count = tonumber(args[1]) or 1
  local password = json_escape(args[2] or "")
  local format = args[3] or "user%d@example.com"
  local at = format:find("%d", 1, true)
  if at == nil then error("login.lua: EMAIL_FORMAT needs a %d") end
  seed_random()
  before = '{"email":"' .. json_escape(format:sub(1, at - 1))
  after = json_escape(format:sub(at + 2)) .. '","password":"' .. password .. '"}'
  head = "POST /api/auth/login HTTP/1.1\r\nHost: " .. wrk.headers["Host"] ..
         "\r\nContent-Type: application/json\r\nContent-Length: "
end

request = function()
  local body = before .. math.random(count) .. after
  return head .. #body .. "\r\n\r\n" .. body
end

response = count_status
