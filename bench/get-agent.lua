-- wrk script for bench/run: sends every request with the workspace API key, so wrk measures
-- the authenticated GET /v0/agents/{id} path (key check + store read + JSON), not a 401.
-- The key comes from the environment so it never appears on a command line.
local token = os.getenv("PINFOLD_BENCH_TOKEN")
if token == nil or token == "" then
    error("PINFOLD_BENCH_TOKEN is not set")
end
wrk.headers["Authorization"] = "Bearer " .. token
