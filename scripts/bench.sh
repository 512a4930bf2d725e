#!/usr/bin/env bash
# Page timings at ten times the real corps (1,000 members, 20,000 courses, 500,000
# sessions): builds Korps in release mode, generates the data in a private embedded
# cluster (var/bench), serves it, and times the pages a coordinator and a mentor use
# most. Prints median, 95th percentile and max per page, in milliseconds.
#
#   scripts/bench.sh [scale] [rounds]     (defaults: 10 and 20)
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-10}
rounds=${2:-20}
port=18080
base="http://127.0.0.1:$port"
export KORPS_DATA_DIR=var/bench
unset DATABASE_URL

cargo build --release --quiet
bin=target/release/korps
if [ ! -f var/bench/.generated-v2-$scale ]; then
  rm -rf var/bench
  echo "Generating $scale times the corps…"
  $bin demo-data --scale "$scale" | tail -1
  touch var/bench/.generated-v2-$scale
fi
RUST_LOG=warn $bin serve --bind 127.0.0.1:$port >/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.2; done

login() { # email cookie-jar
  local token
  token=$(curl -s -c "$2" -b "$2" "$base/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  curl -s -o /dev/null -c "$2" -b "$2" -H "Origin: $base" \
    --data-urlencode "email=$1" --data-urlencode "password=korps-demo-2026" --data-urlencode "csrf_token=$token" "$base/login"
}

measure() { # label cookie-jar path
  local times
  times=$(for _ in $(seq 1 "$rounds"); do
    curl -s -o /dev/null -b "$2" -w '%{http_code} %{time_total}\n' "$base$3"
  done)
  if echo "$times" | grep -qv '^200 '; then echo "  $1: not 200: $(echo "$times" | head -1)"; return; fi
  echo "$times" | awk '{print $2 * 1000}' | sort -n | awk -v label="$1" '
    { v[NR] = $1 } END { printf "  %-34s median %6.1f   p95 %6.1f   max %6.1f ms\n", label, v[int(NR/2)+1], v[int(NR*0.95)], v[NR] }'
}

jar=$(mktemp); mentor_jar=$(mktemp)
login skala.koordinator@example.org "$jar"
login skala.mentor@example.org "$mentor_jar"
course=$(curl -s -b "$jar" "$base/forloeb?state=active" | grep -o 'href="/forloeb/[0-9a-f-]\{36\}"' | head -1 | sed 's/href="//; s/"//')
waiting=$(curl -s -b "$jar" "$base/forloeb?state=referred" | grep -o 'href="/forloeb/[0-9a-f-]\{36\}"' | head -1 | sed 's/href="//; s/"//')

echo "Korps at $scale times the corps; $rounds requests per page (release build, this machine):"
echo "Coordinator of a municipality with $((2000 * scale / 23)) courses:"
measure "start page (due items)" "$jar" "/"
measure "citizens list" "$jar" "/borgere"
measure "citizens search" "$jar" "/borgere?q=Borger%2012"
measure "courses list" "$jar" "/forloeb"
measure "courses, open, sorted by state" "$jar" "/forloeb?state=open&sort=state&dir=asc"
measure "courses list, page 20" "$jar" "/forloeb?page=20"
measure "corps members" "$jar" "/korps?free=1"
measure "course page" "$jar" "$course"
measure "matching candidates" "$jar" "$waiting/match"
measure "coaching log" "$jar" "/coaching"
measure "access log" "$jar" "/adgangslog"
measure "overview (dashboard)" "$jar" "/overblik"
measure "overview, mentor courses" "$jar" "/overblik?kind=mentor"
echo "Mentor:"
measure "start page (due items)" "$mentor_jar" "/"
measure "own courses" "$mentor_jar" "/forloeb"
echo "National staff: scripts/bench-national.sh (50 concurrent clients)"
rm -f "$jar" "$mentor_jar"
