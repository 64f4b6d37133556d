#!/usr/bin/env bash
# HTTP load figures for BENCHMARKS.md (issue 7): `polsearch serve` on an index of a corpus,
# wrk (Debian's package, installed when missing) at concurrency 1, 8 and 64 with the
# keyword mix of bench/search-mix.lua, then suggestions per keystroke, then load past
# saturation with the public rate limit on. Reports throughput, latency percentiles,
# answers by status class, the server's resident memory, and the in-process figures of
# the same index for the HTTP/in-process ratio.
#
#   bench/http.sh [CORPUS] [INDEX]     defaults: ../shared/corpus, a temporary folder
#   DURATION=30s bench/http.sh         length of each run (default 20s; the 64-client
#                                      search run takes LOAD_DURATION, default 60s)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh

corpus=${1:-../shared/corpus}
index=${2:-}
duration=${DURATION:-20s}
load_duration=${LOAD_DURATION:-60s}
port=${PORT:-18080}
need_corpus "$corpus"
need_command wrk wrk
build_release
work=$(mktemp -d)
[ -n "$index" ] || index="$work/index"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$bin" index --corpus "$corpus" --index "$index" --json >"$work/index.json"
echo "index: $(cat "$work/index.json")"

start_server() {
  "$bin" serve --no-index --index "$index" --corpus "$corpus" --addr "127.0.0.1:$port" \
    --no-analytics "$@" >"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 600); do
    if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
      # The first suggestion waits for the suggester, built in the background at start;
      # measuring before it is ready would time its build, not the queries.
      curl -sf "http://127.0.0.1:$port/api/suggest?q=wa" >/dev/null
      return 0
    fi
    sleep 0.1
  done
  echo "the server did not start:"; cat "$work/serve.log"; exit 1
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }

# Resident memory of the server, sampled every 0.2 s while a run lasts.
sample_rss() { while kill -0 "$server" 2>/dev/null; do
  awk '/VmRSS/ {print $2}' "/proc/$server/status"; sleep 0.2; done >"$work/rss" ; }

run() { # label, connections, duration, extra wrk args...
  local label=$1 conns=$2 secs=$3; shift 3
  sample_rss & local sampler=$!
  local threads=2; [ "$conns" -lt 2 ] && threads=1
  wrk -t"$threads" -c"$conns" -d"$secs" --timeout 10s -s bench/search-mix.lua \
    "http://127.0.0.1:$port" "$@" >"$work/wrk.out"
  kill "$sampler" 2>/dev/null || true
  local rss; rss=$(sort -n "$work/rss" | tail -1)
  local status lat rate
  status=$(grep '^STATUS' "$work/wrk.out" | cut -d' ' -f2-)
  lat=$(grep '^LATENCY_MS' "$work/wrk.out" | cut -d' ' -f2-)
  rate=$(grep '^RATE' "$work/wrk.out" | cut -d' ' -f2-)
  echo "| $label | $conns | $secs | $rate | $lat | $status | $((rss / 1024)) MB |"
}

# Every search computed: the cache of recent answers is off for these runs.
start_server --rate-limit 0 --result-cache 0
wrk -t2 -c8 -d3s -s bench/search-mix.lua "http://127.0.0.1:$port" >/dev/null
echo
echo "| run | connections | length | throughput | latency (ms) | answers | server RSS (peak) |"
echo "|---|---|---|---|---|---|---|"
for c in 1 8; do run "search, no rate limit, no cache" "$c" "$duration"; done
run "search, no rate limit, no cache" 64 "$load_duration"
for c in 1 8; do run "suggest, no rate limit" "$c" "$duration" -- suggest; done
run "search past saturation, no cache" 1024 "$duration"
stop_server

# As served by default: repeated searches answered from the cache of recent answers.
start_server --rate-limit 0
for c in 1 8 64; do run "search, no rate limit, cache on (default)" "$c" "$duration"; done
stop_server

start_server
run "search, rate limit on (default)" 64 "$duration"
stop_server

# Searches while documents are uploaded and deleted (each one a re-index and a reader
# reload): a copy of the corpus, since uploads are written into it.
cp -r "$corpus" "$work/corpus"
corpus="$work/corpus"
token=bench-token
POLSEARCH_ADMIN_TOKEN=$token start_server --rate-limit 0
churn() {
  local ok=0 bad=0 i=0
  while [ -e "$work/churning" ]; do
    i=$((i + 1))
    local word="zqxchurn$i"
    local up
    up=$(printf '# Churn note %s\n\nA note about %s and water rates.\n' "$i" "$word" |
      curl -s -o - -w ' %{http_code}' -X POST -H "Authorization: Bearer $token" \
        --data-binary @- "http://127.0.0.1:$port/api/documents?filename=churn-$i.md")
    local id; id=$(echo "$up" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
    local found; found=$(curl -s "http://127.0.0.1:$port/api/search?q=$word" | grep -c "\"$id\"" || true)
    local del; del=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE \
      -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/documents/$(printf %s "$id" | sed 's|/|%2F|g')")
    local gone; gone=$(curl -s "http://127.0.0.1:$port/api/search?q=$word" | grep -c "\"$id\"" || true)
    if [ "${up##* }" = 201 ] && [ "$found" -ge 1 ] && [ "$del" = 200 ] && [ "$gone" = 0 ]; then
      ok=$((ok + 1))
    else
      bad=$((bad + 1)); echo "churn $i: upload ${up##* }, found $found, delete $del, still found $gone" >&2
    fi
  done
  echo "$ok $bad" >"$work/churn"
}
touch "$work/churning"; churn & churner=$!
run "search while uploading and deleting" 8 "$duration"
rm -f "$work/churning"; wait "$churner" || true
read -r churn_ok churn_bad <"$work/churn"
echo "uploads and deletions during that run: $churn_ok searchable then gone as expected, $churn_bad not"
stop_server

echo
echo "in process, same index (polsearch bench --rounds 5):"
"$bin" bench --index "$index" --rounds 5 | grep -E '^\| (keyword|suggest)'
