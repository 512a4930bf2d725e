#!/usr/bin/env bash
# Two Korps instances on one database behind Caddy, with deploy/Caddyfile.two — the
# compose profile "two" without Docker. Signs a coordinator in through Caddy, spreads
# requests over both instances, stops one with SIGTERM while requests keep coming, and
# prints what each instance served (from its own /metrics).
#
# Needs: caddy (Debian: apt-get install caddy) and PostgreSQL on 127.0.0.1:5432 that
# lets `postgres` and `korps_app` in (trust, as on a development machine).
#
#   scripts/two-instances.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v caddy >/dev/null || { echo "caddy is missing (apt-get install caddy)"; exit 1; }
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "no PostgreSQL on 127.0.0.1:5432"; exit 1; }

db=korps_two_instances
owner_url=postgres://postgres@127.0.0.1:5432/$db
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" postgres
psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $db" postgres
cargo build --quiet
bin=target/debug/korps
work=$(mktemp -d)
export KORPS_MIGRATION_DATABASE_URL=$owner_url
export DATABASE_URL=postgres://korps_app@127.0.0.1:5432/$db
$bin demo-data >/dev/null

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
for n in 1 2; do
  KORPS_BIND=127.0.0.1:1809$n KORPS_METRICS_BIND=127.0.0.1:1919$n KORPS_TRUST_PROXY=1 \
    KORPS_INSECURE_COOKIES=1 KORPS_PUBLIC_URL=http://127.0.0.1:18090 KORPS_JOB_INTERVAL=2 \
    KORPS_MAIL_DIR="$work/mail" KORPS_LOG_FORMAT=json \
    $bin serve >"$work/korps-$n.log" 2>&1 &
  pids+=($!)
done
sed -e 's/korps-a:8080/127.0.0.1:18091/; s/korps-b:8080/127.0.0.1:18092/' \
    -e 's/^:8081 {/:18090 {/' deploy/Caddyfile.two >"$work/Caddyfile"
caddy run --config "$work/Caddyfile" --adapter caddyfile >"$work/caddy.log" 2>&1 &
pids+=($!)
base=http://127.0.0.1:18090
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:18091/readyz" >/dev/null && curl -sf "http://127.0.0.1:18092/readyz" >/dev/null \
    && curl -sf "$base/healthz" >/dev/null && break
  sleep 0.2
done

jar="$work/cookies"
token=$(curl -s -c "$jar" -b "$jar" "$base/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
login=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -c "$jar" -b "$jar" -H "Origin: $base" \
  --data-urlencode "email=koordinator.aarhus@example.org" --data-urlencode "password=korps-demo-2026" \
  --data-urlencode "csrf_token=$token" "$base/login")
# The demo accounts' authenticator code (RFC 6238 over the demo secret).
code=$(python3 -c '
import base64, hmac, struct, time
key = base64.b32decode("KORPSDEMOKORPSDEMOKORPSDEMOKORPS")
mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), "sha1").digest()
at = mac[-1] & 15
print("%06d" % ((struct.unpack(">I", mac[at:at + 4])[0] & 0x7fffffff) % 1000000))')
token=$(curl -s -c "$jar" -b "$jar" "$base/login/kode" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
second=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -c "$jar" -b "$jar" -H "Origin: $base" \
  --data-urlencode "code=$code" --data-urlencode "csrf_token=$token" "$base/login/kode")
echo "login through Caddy: $login, then the code: $second"

served() { # instance → citizens-list requests it answered with 200
  curl -s "http://127.0.0.1:1919$1/metrics" |
    awk '/^korps_http_requests_total\{method="GET",route="\/borgere",status="2xx"\}/ { print $2 }'
}
codes() { for _ in $(seq 1 "$1"); do curl -s -o /dev/null -b "$jar" -w '%{http_code}\n' "$base/borgere"; done | sort | uniq -c | tr '\n' ' '; }

echo "20 citizen lists through Caddy: $(codes 20)"
echo "  instance 1 answered $(served 1), instance 2 answered $(served 2)"
kill -TERM "${pids[0]}"
echo "instance 1 stopped with SIGTERM; 20 more: $(codes 20)"
wait "${pids[0]}" && echo "instance 1 exited with 0" || echo "instance 1 exited with $?"
echo "  instance 2 has now answered $(served 2)"
