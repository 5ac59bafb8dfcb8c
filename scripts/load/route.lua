-- wrk script for scripts/load.sh: one API route under load, with answers counted per status.
-- Configured by the environment (wrk gives script arguments to the threads, not to done()):
--   LOAD_ROUTE   ingest | list | search | export
--   LOAD_OUT     directory for the acknowledged event ids (ingest): acked-PHASE-THREAD.txt
--   LOAD_PHASE   a name for this run of wrk (main, burst), part of file names and idempotency keys
--   LOAD_RUN     the load test's run id, in each ingested event's details.load_run
--   LOAD_BATCH   events per ingest request (default 100)
--   LOAD_EXPORT_WINDOW  seconds of recent events each export covers (default 2)
-- Paths: ingest POST /api/v1/events {"events":[...]}; list GET /api/v1/audit-logs?limit=50;
-- search GET /api/v1/audit-logs?q=TERM&action=user.*; export GET /api/v1/audit-logs/export
-- ?format=ndjson&from=NOW-WINDOW. The API key comes with wrk's -H.
-- done() prints one line: LOAD_RESULT key=value ... (latencies in microseconds).

local route = os.getenv("LOAD_ROUTE") or "list"
local out = os.getenv("LOAD_OUT") or "."
local phase = os.getenv("LOAD_PHASE") or "main"
local run = os.getenv("LOAD_RUN") or "run"
local batch = tonumber(os.getenv("LOAD_BATCH") or "100")
local export_window = tonumber(os.getenv("LOAD_EXPORT_WINDOW") or "2")

-- Main state: the threads, to sum their counters in done().
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

-- Thread state ------------------------------------------------------------------------------------

local people = {
  { "u_alice", "admin@acme.com", "Alice Admin" },
  { "u_bob", "bob@acme.com", "Bob Builder" },
  { "u_carol", "carol@acme.com", "Carol Chen" },
  { "u_dave", "dave@acme.com", "Dave Ops" },
  { "u_erin", "erin.contractor@acme.com", "Erin (contractor)" },
  { "u_mark", "manager@acme.com", "Mark Manager" },
}
local ips = { "203.0.113.10", "203.0.113.24", "198.51.100.7", "10.8.0.5", "185.220.101.34",
  "2001:db8:85a3::8a2e:370:7334" }
local agents = {
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
  "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  "Terraform/1.9.2",
}
local envs = { "production", "production", "staging", "development" }
local roles = { "admin", "account_manager", "finance" }
local secrets = { "STRIPE_SECRET_KEY", "DATABASE_URL", "GITHUB_TOKEN" }
local search_terms = { "bob", "carol", "acme.com", "invited", "203.0.113" }

local function pick(list)
  return list[math.random(#list)]
end

local function user_actor(p)
  return string.format('{"type":"user","id":"%s","email":"%s","name":"%s"}', p[1], p[2], p[3])
end

local function user_target(p)
  return string.format('[{"type":"user","id":"%s","name":"%s"}]', p[1], p[2])
end

-- Each returns action, actor, targets, result, extra details, changes (JSON fragments).
local templates = {
  function(p, q)
    local role = pick(roles)
    return "user.invited", user_actor(p), user_target(q), "success",
      string.format('"role":"%s"', role),
      string.format('[{"field":"role","before":null,"after":"%s"}]', role)
  end,
  function(p, q)
    local role = pick(roles)
    return "user.role_edited", user_actor(p), user_target(q), "success",
      string.format('"role":"%s"', role),
      string.format('[{"field":"role","before":"finance","after":"%s"}]', role)
  end,
  function(p)
    return "auth.login.success", user_actor(p), "[]", "success", '"method":"password"', "[]"
  end,
  function(p)
    return "auth.login.failure", user_actor(p), "[]", "failure", '"reason":"bad_password"', "[]"
  end,
  function(p)
    return "api_key.created", user_actor(p),
      string.format('[{"type":"api_key","id":"key_%d","name":"ci-deploy"}]', math.random(1000)),
      "success", string.format('"key_last4":"%04d"', math.random(9999)), "[]"
  end,
  function()
    local secret = pick(secrets)
    return "SECRET_READ", '{"type":"api_key","id":"key_7","name":"ci-deploy"}',
      string.format('[{"type":"secret","id":"%s","name":"%s"}]', secret, secret),
      "success", '"vault":"prod"', "[]"
  end,
}

-- Globals, not locals: done() reads them with thread:get().
statuses = {}
acked_events = 0
first_error = ""
local counter = 0
local acked_file = nil

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
  if route == "ingest" then
    wrk.method = "POST"
    wrk.path = "/api/v1/events"
    wrk.headers["Content-Type"] = "application/json"
    acked_file = assert(io.open(string.format("%s/acked-%s-%d.txt", out, phase, tid or 0), "w"))
  end
end

local function ingest_body()
  counter = counter + 1
  local events = {}
  for i = 1, batch do
    local p, q = pick(people), pick(people)
    local action, actor, targets, result, details, changes = pick(templates)(p, q)
    events[i] = string.format(
      '{"action":"%s","actor":%s,"targets":%s,"result":"%s",' ..
      '"context":{"ip":"%s","user_agent":"%s","environment":"%s","request_id":"req-%d-%d"},' ..
      '"details":{"load_run":"%s",%s},"changes":%s,"idempotency_key":"load-%s-%s-%d-%d-%d"}',
      action, actor, targets, result, pick(ips), pick(agents), pick(envs), tid or 0, counter,
      run, details, changes, run, phase, tid or 0, counter, i)
  end
  return '{"events":[' .. table.concat(events, ",") .. "]}"
end

function request()
  if route == "ingest" then
    return wrk.format(nil, nil, nil, ingest_body())
  elseif route == "search" then
    return wrk.format("GET", "/api/v1/audit-logs?q=" .. pick(search_terms) .. "&action=user.*")
  elseif route == "export" then
    local from = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - export_window)
    return wrk.format("GET", "/api/v1/audit-logs/export?format=ndjson&from=" .. from)
  end
  return wrk.format("GET", "/api/v1/audit-logs?limit=50")
end

-- A 429's Retry-After is honoured as a client would: each one delays one next request of the
-- thread (wrk asks delay() before every request) by the seconds it asks.
local waits = {}

function delay()
  return table.remove(waits) or 0
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 429 then
    local seconds = tonumber(headers["retry-after"] or headers["Retry-After"] or "1") or 1
    table.insert(waits, seconds * 1000)
  end
  if route == "ingest" and status == 201 then
    local ids = body:match('^{"ids":%[(.-)%]')
    if ids then
      local lines, n = {}, 0
      for id in ids:gmatch('"([^"]+)"') do
        n = n + 1
        lines[n] = id
      end
      acked_events = acked_events + n
      acked_file:write(table.concat(lines, "\n"), "\n")
      acked_file:flush()
    end
  elseif (status < 200 or status > 399) and status ~= 429 and first_error == "" then
    first_error = status .. " " .. (body or ""):sub(1, 200):gsub("%s+", " ")
  end
end

-- Main state --------------------------------------------------------------------------------------

function done(summary, latency, requests)
  local ok, limited, other, acked, first = 0, 0, 0, 0, ""
  local codes = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      codes[status] = (codes[status] or 0) + n
      if status >= 200 and status <= 399 then
        ok = ok + n
      elseif status == 429 then
        limited = limited + n
      else
        other = other + n
      end
    end
    acked = acked + (thread:get("acked_events") or 0)
    if first == "" then first = thread:get("first_error") or "" end
  end
  local by_code = {}
  for status, n in pairs(codes) do by_code[#by_code + 1] = status .. ":" .. n end
  table.sort(by_code)
  local e = summary.errors
  io.write(string.format(
    "LOAD_RESULT route=%s phase=%s requests=%d duration_us=%d p50_us=%d p99_us=%d ok=%d " ..
    "status_429=%d status_other=%d connect_errors=%d read_errors=%d write_errors=%d " ..
    "timeouts=%d events_acked=%d statuses=%s\n",
    route, phase, summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), ok, limited, other, e.connect, e.read, e.write, e.timeout, acked,
    table.concat(by_code, ",")))
  if first ~= "" then io.write("LOAD_FIRST_ERROR " .. first .. "\n") end
end
