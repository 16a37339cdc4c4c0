-- wrk script: GET the URL's path on every request (TechEmpower plaintext
-- and json), counting answers other than 2xx. Usage:
--   WRK_JSON_OUT=out.json wrk -t1 -c64 -d10s -s bench/load/get.lua \
--       http://127.0.0.1:8080/plaintext
-- With WRK_JSON_OUT set, done() writes the results as JSON (json_done.lua).

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "json_done.lua")

response = count_status
