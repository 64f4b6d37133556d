-- wrk script for polsearch's HTTP benchmark (bench/http.sh): keyword searches, every
-- second one with a topic facet, the same words as `polsearch bench`'s keyword kinds.
-- Counts answers by status class so that errors and shed load are reported apart.

local words = {
  "water+shutoffs", "stormwater+green+infrastructure", "lead+service+lines",
  "accessory+dwelling+units", "parking+minimums", "living+wage", "state+preemption",
  "climate+resilience", "extreme+heat", "tree+canopy", "flood+insurance",
  "bus+rapid+transit", "affordable+housing+trust+fund", "eviction+prevention",
  "immigrant+legal+services", "participatory+budgeting", "open+data",
  "police+accountability", "capital+budget", "sea+level+rise", "community+land+trust",
  "energy+efficiency+buildings", "public+health+data", "school+segregation",
}
local topics = { "water", "housing", "climate-energy", "governance", "environment" }

local paths = {}
for i, w in ipairs(words) do
  paths[#paths + 1] = "/api/search?q=" .. w
  paths[#paths + 1] = "/api/search?q=" .. w .. "&topic=" .. topics[(i % #topics) + 1]
end

-- Suggest mode: `wrk ... -s search-mix.lua -- suggest` sends every prefix of every word.
local function prefixes()
  local out = {}
  for _, w in ipairs(words) do
    local plain = w:gsub("%+", " ")
    for n = 1, #plain do
      out[#out + 1] = "/api/suggest?q=" .. plain:sub(1, n):gsub(" ", "+")
    end
  end
  return out
end

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  if args[1] == "suggest" then
    paths = prefixes()
  end
  ok, shed, client, server = 0, 0, 0, 0
  n = math.random(#paths)
end

function request()
  n = n % #paths + 1
  return wrk.format("GET", paths[n])
end

function response(status)
  if status < 400 then
    ok = ok + 1
  elseif status == 429 or status == 503 then
    shed = shed + 1
  elseif status < 500 then
    client = client + 1
  else
    server = server + 1
  end
end

function done(summary, latency)
  local t = { ok = 0, shed = 0, client = 0, server = 0 }
  for _, th in ipairs(threads) do
    for k in pairs(t) do
      t[k] = t[k] + th:get(k)
    end
  end
  io.write(string.format(
    "STATUS ok=%d shed=%d client_errors=%d server_errors=%d socket_errors=%d\n",
    t.ok, t.shed, t.client, t.server,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("LATENCY_MS p50=%.2f p90=%.2f p99=%.2f max=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("RATE rps=%.0f\n", summary.requests / (summary.duration / 1e6)))
end
