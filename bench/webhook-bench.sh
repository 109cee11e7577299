#!/usr/bin/env bash
# Charge latency with no webhook endpoint vs. with an endpoint that never answers: the sender must
# not tie charges to a receiver. See bench/README.md. Run as root from anywhere: bench/webhook-bench.sh
set -euo pipefail

BENCH_SECONDS=${BENCH_SECONDS:-5}
BENCH_CLIENTS=${BENCH_CLIENTS:-"1 8 32"}
BENCH_ACCOUNTS=${BENCH_ACCOUNTS:-20000}
# 400 millicredits and the low threshold at 99% (396): the first charge (5 millicredits) of every
# account takes it from 400 to 395, across the threshold; an account lasts about 80 charges.
BENCH_ALLOWANCE=${BENCH_ALLOWANCE:-400}
BENCH_LOW_PERCENT=${BENCH_LOW_PERCENT:-99}
BENCH_WARMUP_SECONDS=${BENCH_WARMUP_SECONDS:-20}
BENCH_DB=${BENCH_DB:-tollgate_webhook_bench}
BENCH_ROLE=${BENCH_ROLE:-tollgate_webhook_bench}
BENCH_PORT=${BENCH_PORT:-}
BENCH_DRIVER_JAVA_OPTS=${BENCH_DRIVER_JAVA_OPTS:-"-Xmx1g"}

# Accounts of each mode (fresh ones, so that their first charge crosses the low threshold).
WARM_BASE=4000000
NONE_BASE=5000000
HANGING_BASE=6000000

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
results_dir="$here/results"
report="$results_dir/webhook-$stamp.md"
mkdir -p "$results_dir"
work=$(mktemp -d /tmp/tollgate-webhook-bench.XXXXXX)
chmod 700 "$work"
receiver_pid=""

# shellcheck source=lib/common.sh
source "$here/lib/common.sh"

cleanup() {
    local rc=$?
    set +e
    [[ -f "$work/app.log" ]] && cp "$work/app.log" "$results_dir/webhook-$stamp.app.log"
    stop_pid "$receiver_pid" "the hanging receiver"
    bench_cleanup
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_require_tools psql pg_ctlcluster pg_lsclusters runuser openssl curl java awk timeout

bench_postgres
bench_database
bench_package
bench_token_key

# The first charge of every account crosses the low threshold and publishes balance.low in its
# transaction; the sender runs with its production settings.
if [[ -z "$BENCH_PORT" ]]; then BENCH_PORT=$(bench_free_port 18180 18280); fi
bench_start_app "$BENCH_PORT" "$BENCH_ALLOWANCE" TOLLGATE_BALANCE_LOW_PERCENT="$BENCH_LOW_PERCENT" \
    TOLLGATE_WEBHOOKS_ALLOW_HTTP=true TOLLGATE_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES=true

series() {
    driver series --url "$base_url" --key "$work/private.der" --issuer tollgate-bench --audience tollgate \
        --hot-user "$1" --first-user "$(( $1 + 1 ))" --accounts "${3:-$BENCH_ACCOUNTS}" --variants spread \
        --seconds "$BENCH_SECONDS" --clients "$(echo $BENCH_CLIENTS | tr ' ' ,)" --warmup-seconds "${2:-0}"
}
count() { PGPASSWORD="$db_password" psql -X -qtA -h 127.0.0.1 -p "$BENCH_PG_PORT" -U "$BENCH_ROLE" -d "$BENCH_DB" -c "$1"; }

log "warm-up (JIT), on accounts of its own"
series "$WARM_BASE" "$BENCH_WARMUP_SECONDS" 2000 >"$work/warm.out"
warm_events=$(count "SELECT COUNT(*) FROM webhook_event")
log "run 1: no webhook endpoint"
series "$NONE_BASE" >"$work/none.out"
none_events=$(count "SELECT COUNT(*) FROM webhook_event")

log "run 2: an endpoint that never answers, subscribed to every event"
java "$here/HangingReceiver.java" --port-file "$work/receiver.port" >"$work/receiver.log" 2>&1 &
receiver_pid=$!
for _ in $(seq 1 60); do [[ -s "$work/receiver.port" ]] && break; sleep 0.5; done
[[ -s "$work/receiver.port" ]] || die "the hanging receiver did not start"
driver auth-header --key "$work/private.der" --sub bench-admin --groups admin --out "$work/admin-header"
code=$(curl -sS -m 30 -o "$work/endpoint.json" -w '%{http_code}' -H @"$work/admin-header" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: bench-$stamp" -d "{\"url\":\"http://127.0.0.1:$(<"$work/receiver.port")/hooks\"}" \
    "$base_url/api/admin/webhooks")
rm -f "$work/admin-header"
[[ "$code" == 201 ]] || { cat "$work/endpoint.json" >&2; die "registering the endpoint answered $code"; }
series "$HANGING_BASE" >"$work/hanging.out"
hanging_events=$(count "SELECT COUNT(*) FROM webhook_event")
in_flight=$(count "SELECT COUNT(*) FROM webhook_delivery WHERE status = 'pending' AND claimed_until >= now()")
pending=$(count "SELECT COUNT(*) FROM webhook_delivery WHERE status = 'pending'")
delivered=$(count "SELECT COUNT(*) FROM webhook_delivery WHERE status = 'delivered'")

row() {
    awk -v mode="$1" '/^RESULT/ {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "| %s | %s | %s | %s | %s | %s | %s |\n", mode, v["clients"], v["ok"], v["tps"], v["p50"], v["p99"], v["s4xx"] + v["s5xx"] + v["io"] + v["other"]
    }' "$2"
}

{
    echo "# Charge latency with and without a hanging webhook endpoint ($stamp)"
    echo
    echo "- commit: $(cd "$repo" && git rev-parse --short HEAD), package built $package_time ${build_note:+($build_note)}"
    echo "- \`POST /api/credit/charges\`, $BENCH_SECONDS s per client count, spread over $BENCH_ACCOUNTS fresh accounts per mode,"
    echo "  after a warm-up of $BENCH_WARMUP_SECONDS s on other accounts; allowance $BENCH_ALLOWANCE millicredits, low threshold at"
    echo "  $BENCH_LOW_PERCENT%, so each account's first charge (5 millicredits) publishes \`balance.low\` in its transaction"
    echo "- sender settings: production defaults (timeout 10 s, 4 in flight per endpoint, 8 attempts)"
    echo
    echo "| endpoint | clients | charges | charges/s | p50 ms | p99 ms | errors |"
    echo "|---|---|---|---|---|---|---|"
    row "none" "$work/none.out"
    row "hanging" "$work/hanging.out"
    echo
    echo "- events published: $((none_events - warm_events)) with no endpoint (nothing is written without one), $((hanging_events - none_events)) with the hanging endpoint"
    echo "- after the hanging run: $pending deliveries pending, $in_flight of them in flight (limit 4), $delivered delivered"
} | tee "$report"
log "report: $report"
