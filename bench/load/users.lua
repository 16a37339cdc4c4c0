-- wrk script: reads and updates of existing users, as an admin.
--   GET   /api/users/{id}                          (the get-user scenario)
--   PATCH /api/users/{id} {"name":"..."}           (update-user)
-- with the id drawn at random for every request, and a mix of both: each
-- request is a PATCH with probability UPDATE_PERCENT/100 (mix: 10). Usage:
--   wrk -t1 -c64 -d10s -s bench/load/users.lua http://127.0.0.1:8080 \
--       -- FIRST_ID COUNT TOKEN [UPDATE_PERCENT]
-- Ids are FIRST_ID .. FIRST_ID+COUNT-1 (`keel-admin seed` users); TOKEN is
-- an admin's access token; UPDATE_PERCENT defaults to 0 (reads only).
-- Answers other than 2xx are counted; WRK_SEED seeds the ids (json_done.lua).

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "json_done.lua")

local first, count, update_share
local get_head, get_tail, patch_head, patch_tail
local updates = 0

init = function(args)
  first = tonumber(args[1]) or 1
  count = tonumber(args[2]) or 1
  local token = args[3] or ""
  update_share = (tonumber(args[4]) or 0) / 100
  seed_random()
  -- The fixed parts are built once; a request is then a few concatenations
  -- rather than wrk.format's table walk, to keep wrk's own cost low.
  local common = " HTTP/1.1\r\nHost: " .. wrk.headers["Host"] ..
                 "\r\nAuthorization: Bearer " .. token .. "\r\n"
  get_head = "GET /api/users/"
  get_tail = common .. "\r\n"
  patch_head = "PATCH /api/users/"
  patch_tail = common .. "Content-Type: application/merge-patch+json\r\nContent-Length: "
end

request = function()
  local id = first + math.random(count) - 1
  if update_share > 0 and math.random() < update_share then
    updates = updates + 1
    -- A new name each time, so every PATCH really writes.
    local body = '{"name":"Load ' .. thread_id .. "-" .. updates .. '"}'
    return patch_head .. id .. patch_tail .. #body .. "\r\n\r\n" .. body
  end
  return get_head .. id .. get_tail
end

response = count_status
