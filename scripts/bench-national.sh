#!/usr/bin/env bash
# The national views under load at ten times the real corps: builds Korps in release mode,
# generates the data in a private embedded cluster (var/bench, shared with bench.sh),
# serves it and lets 50 concurrent clients ask each national view for 10 seconds.
# Prints the first read, the median, the 99th percentile and the requests per second
# of every view.
#
#   scripts/bench-national.sh [scale] [clients] [seconds]     (defaults: 10, 50 and 10)
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-10}
clients=${2:-50}
seconds=${3:-10}
port=18081
base="http://127.0.0.1:$port"
export KORPS_DATA_DIR=var/bench
unset DATABASE_URL

cargo build --release --quiet --bin korps --example bench_national
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

echo "Korps at $scale times the corps (release build, this machine, $(nproc) cores):"
target/release/examples/bench_national "$base" "$clients" "$seconds"
