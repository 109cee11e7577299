#!/usr/bin/env bash
# Tollgate fault run: a bounded, seeded, mixed load on the packaged app while faults are injected
# (kill -9 of the app between answers and their settles, pg_terminate_backend of its sessions, a
# crash-restart of PostgreSQL, the database away for longer than a settle waits, a stalled provider,
# kill -9 of one-shot jobs in the middle of a batch and two of them started at once), with purchases
# of credit packs whose Stripe webhooks come twice, late and out of order, and the app's own outbound
# webhooks delivered to a receiver that fails and stalls some first attempts; then the jobs and the
# webhook deliveries catch up, SQL checks the ledger's invariants (and each purchase against what
# Stripe said of its payment, and each webhook event against what the receiver got) and the report
# counts every recovery path the run took. Exits non-zero on any violation, or if a
# recovery path it must reach was not taken. See bench/fault/README.md. Run as root from anywhere:
#   bench/fault/fault-run.sh            # full run (5 minutes of load)
#   bench/fault/fault-run.sh --short    # 90 s of load (CI)
set -euo pipefail

short=0
if [[ "${1:-}" == --short ]]; then
    : "${FAULT_SECONDS:=90}" "${FAULT_ACCOUNTS:=200}" "${FAULT_CLIENTS:=12}" "${FAULT_INTERVAL:=5}" "${FAULT_FIRST:=6}"
    : "${FAULT_KINDS:=terminate-sessions db-outage kill-app stall-provider}" "${FAULT_OUTAGE_SECONDS:=25}"
    : "${FAULT_BURST_CALLS:=10}" "${FAULT_JOB_ROUNDS:=3}" "${FAULT_MIN_PATH:=1}"
    short=1
    shift
elif [[ -n "${1:-}" ]]; then
    echo "usage: $0 [--short]" >&2
    exit 2
fi
FAULT_SECONDS=${FAULT_SECONDS:-300}
FAULT_ACCOUNTS=${FAULT_ACCOUNTS:-300}
FAULT_CLIENTS=${FAULT_CLIENTS:-16}
FAULT_SEED=${FAULT_SEED:-1}
FAULT_FIRST=${FAULT_FIRST:-15}
FAULT_INTERVAL=${FAULT_INTERVAL:-20}
FAULT_KINDS=${FAULT_KINDS:-"terminate-sessions db-outage kill-app stall-provider restart-postgres"}
FAULT_STALL_SECONDS=${FAULT_STALL_SECONDS:-8}
FAULT_PG_DOWN_SECONDS=${FAULT_PG_DOWN_SECONDS:-3}
FAULT_OUTAGE_SECONDS=${FAULT_OUTAGE_SECONDS:-35}
FAULT_BURST_CALLS=${FAULT_BURST_CALLS:-32}
FAULT_KILL_BURST_CALLS=${FAULT_KILL_BURST_CALLS:-12}
FAULT_CLIENT_WRITE_TIMEOUT_SECONDS=${FAULT_CLIENT_WRITE_TIMEOUT_SECONDS:-2}
FAULT_JOB_ROUNDS=${FAULT_JOB_ROUNDS:-12}
FAULT_ROUNDS_SECONDS=${FAULT_ROUNDS_SECONDS:-600}
FAULT_MIN_PATH=${FAULT_MIN_PATH:-10}
FAULT_HOLD_TTL_SECONDS=${FAULT_HOLD_TTL_SECONDS:-30}
FAULT_MAX_CALL_SECONDS=${FAULT_MAX_CALL_SECONDS:-8}
FAULT_ALLOWANCE=${FAULT_ALLOWANCE:-200}
FAULT_RETRY_SECONDS=${FAULT_RETRY_SECONDS:-120}
FAULT_CATCHUP_SECONDS=${FAULT_CATCHUP_SECONDS:-180}
# Outbound webhooks: the receiver (bench/WebhookReceiver.java) answers 500 to FAULT_HOOK_FAIL_PERCENT
# and stalls FAULT_HOOK_STALL_PERCENT of the events' first attempts (past the sender's timeout of
# FAULT_HOOK_TIMEOUT_SECONDS); the deliveries left pending after the jobs caught up are waited for
# at most FAULT_HOOK_DRAIN_SECONDS.
FAULT_HOOK_FAIL_PERCENT=${FAULT_HOOK_FAIL_PERCENT:-10}
FAULT_HOOK_STALL_PERCENT=${FAULT_HOOK_STALL_PERCENT:-3}
FAULT_HOOK_TIMEOUT_SECONDS=${FAULT_HOOK_TIMEOUT_SECONDS:-2}
FAULT_HOOK_DRAIN_SECONDS=${FAULT_HOOK_DRAIN_SECONDS:-120}
# How long a kill-app fault holds the webhook deliveries back before its burst, so that events are pending at the kill.
FAULT_HOOK_HOLD_SECONDS=${FAULT_HOOK_HOLD_SECONDS:-4}
FAULT_APP_ENV=${FAULT_APP_ENV:-}
# The credit packs on sale in the run (tollgate.purchases.packs.<id>.credits, .price.amount,
# .price.currency through the environment): small, so that a buyer on an account that runs dry can
# spend a whole pack; prices that leave fractions of a millicredit in a partial refund's share. The
# script checks that the app sells exactly these (GET /api/credit/packs, smallest first); the driver
# buys them.
FAULT_PACKS_ENV=(TOLLGATE_PURCHASES_PACKS_SMALL_CREDITS=5 TOLLGATE_PURCHASES_PACKS_SMALL_PRICE_AMOUNT=300
    TOLLGATE_PURCHASES_PACKS_SMALL_PRICE_CURRENCY=usd TOLLGATE_PURCHASES_PACKS_LARGE_CREDITS=12
    TOLLGATE_PURCHASES_PACKS_LARGE_PRICE_AMOUNT=700 TOLLGATE_PURCHASES_PACKS_LARGE_PRICE_CURRENCY=eur)
FAULT_PACKS_EXPECTED='[["small",5000,300,"usd"],["large",12000,700,"eur"]]'
BENCH_DB=${BENCH_DB:-tollgate_fault}
BENCH_ROLE=${BENCH_ROLE:-tollgate_fault}
BENCH_START_TIMEOUT=${BENCH_START_TIMEOUT:-180}
BENCH_APP_JAVA_OPTS=${BENCH_APP_JAVA_OPTS:-"-Xmx512m"}
BENCH_FAKE_JAVA_OPTS=${BENCH_FAKE_JAVA_OPTS:-"-Xmx128m"}
BENCH_DRIVER_JAVA_OPTS=${BENCH_DRIVER_JAVA_OPTS:-"-Xmx512m"}
BENCH_PORT=${BENCH_PORT:-}

# User ids: 7-digit numbers from 5000000 (the benchmarks use 1000000-4999999).
FAULT_BASE=5000000
ADMIN=fault-admin
for v in FAULT_SECONDS FAULT_ACCOUNTS FAULT_CLIENTS FAULT_SEED FAULT_FIRST FAULT_INTERVAL FAULT_STALL_SECONDS \
         FAULT_PG_DOWN_SECONDS FAULT_HOLD_TTL_SECONDS FAULT_MAX_CALL_SECONDS FAULT_ALLOWANCE FAULT_RETRY_SECONDS FAULT_CATCHUP_SECONDS \
         FAULT_OUTAGE_SECONDS FAULT_BURST_CALLS FAULT_KILL_BURST_CALLS FAULT_CLIENT_WRITE_TIMEOUT_SECONDS FAULT_JOB_ROUNDS FAULT_ROUNDS_SECONDS \
         FAULT_MIN_PATH FAULT_HOOK_FAIL_PERCENT FAULT_HOOK_STALL_PERCENT FAULT_HOOK_TIMEOUT_SECONDS FAULT_HOOK_DRAIN_SECONDS; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "$v must be a whole number" >&2; exit 2; }
done
(( FAULT_HOOK_FAIL_PERCENT + FAULT_HOOK_STALL_PERCENT <= 100 && FAULT_HOOK_TIMEOUT_SECONDS >= 1 )) \
    || { echo "FAULT_HOOK_FAIL_PERCENT + FAULT_HOOK_STALL_PERCENT must be <= 100, FAULT_HOOK_TIMEOUT_SECONDS >= 1" >&2; exit 2; }
(( FAULT_ACCOUNTS >= 1 && FAULT_ACCOUNTS < 1000000 && FAULT_CLIENTS >= 1 && FAULT_INTERVAL >= 1 )) \
    || { echo "FAULT_ACCOUNTS must be 1..999999, FAULT_CLIENTS and FAULT_INTERVAL >= 1" >&2; exit 2; }
# The app refuses to start unless every call (max-call-duration) and its settle's 20 s of patience fit in a hold.
SETTLE_PATIENCE_SECONDS=20
(( FAULT_MAX_CALL_SECONDS >= 1 && FAULT_MAX_CALL_SECONDS + SETTLE_PATIENCE_SECONDS <= FAULT_HOLD_TTL_SECONDS )) \
    || { echo "FAULT_MAX_CALL_SECONDS ($FAULT_MAX_CALL_SECONDS) + $SETTLE_PATIENCE_SECONDS must be <= FAULT_HOLD_TTL_SECONDS ($FAULT_HOLD_TTL_SECONDS), and >= 1" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)   # bench/, as lib/common.sh expects
fault_dir="$here/fault"
repo=$(cd "$here/.." && pwd)
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
results_dir="$here/results"
report="$results_dir/fault-$stamp.md"
mkdir -p "$results_dir"

work=$(mktemp -d /tmp/tollgate-fault.XXXXXX)
chmod 700 "$work"
out="$work/out"
mkdir -p "$out"

# shellcheck source=../lib/common.sh
source "$here/lib/common.sh"

# ---------------------------------------------------------------- cleanup (always)
fake_pid=""
stripe_pid=""
hook_pid=""
driver_pid=""
cron_pid=""
rounds_pid=""
app_starts=0
cleanup() {
    local rc=$?
    set +e
    touch "$work/stop" 2>/dev/null
    stop_pid "$rounds_pid" "the job rounds"
    stop_pid "$cron_pid" "the job cron"
    local pid
    for pid in $(cat "$work/jobs/pids" 2>/dev/null); do kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null; done
    stop_pid "$driver_pid" "the load driver"
    stop_pid "$app_pid" "the app"
    app_pid=""
    cat "$work"/app.*.log "$work/app.log" >"$results_dir/fault-$stamp.app.log" 2>/dev/null
    [[ -f "$work/fake.log" ]] && cp "$work/fake.log" "$results_dir/fault-$stamp.fake.log"
    [[ -f "$work/driver.log" ]] && cp "$work/driver.log" "$results_dir/fault-$stamp.driver.log"
    [[ -f "$out/fivexx.tsv" ]] && cp "$out/fivexx.tsv" "$results_dir/fault-$stamp.fivexx.tsv"
    [[ -f "$out/billed.tsv" ]] && cp "$out/billed.tsv" "$results_dir/fault-$stamp.billed.tsv"
    [[ -f "$out/chats.tsv" ]] && cp "$out/chats.tsv" "$results_dir/fault-$stamp.chats.tsv"
    [[ -f "$out/jobs.tsv" ]] && cp "$out/jobs.tsv" "$results_dir/fault-$stamp.jobs.tsv"
    [[ -f "$out/purchases.tsv" ]] && cp "$out/purchases.tsv" "$results_dir/fault-$stamp.purchases.tsv"
    [[ -f "$out/stripe-events.tsv" ]] && cp "$out/stripe-events.tsv" "$results_dir/fault-$stamp.stripe-events.tsv"
    [[ -f "$out/stripe-sessions.tsv" ]] && cp "$out/stripe-sessions.tsv" "$results_dir/fault-$stamp.stripe-sessions.tsv"
    [[ -f "$out/webhook-receipts.tsv" ]] && cp "$out/webhook-receipts.tsv" "$results_dir/fault-$stamp.webhook-receipts.tsv"
    [[ -f "$out/pool-calls.tsv" ]] && cp "$out/pool-calls.tsv" "$results_dir/fault-$stamp.pool-calls.tsv"
    [[ -f "$out/team-members.tsv" ]] && cp "$out/team-members.tsv" "$results_dir/fault-$stamp.team-members.tsv"
    [[ -d "$work/jobs" ]] && tail -n 40 "$work"/jobs/*.out "$work"/jobs/*.err >"$results_dir/fault-$stamp.jobs.log" 2>/dev/null
    [[ -n "${own_pg_dir:-}" && -f "$own_pg_dir/postgresql.log" ]] && cp "$own_pg_dir/postgresql.log" "$results_dir/fault-$stamp.postgresql.log"
    stop_pid "$fake_pid" "the fake upstream"
    stop_pid "$stripe_pid" "the fake Stripe API"
    stop_pid "$hook_pid" "the webhook receiver"
    bench_cleanup
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_require_tools psql runuser openssl curl java javac awk timeout jq
(( FAULT_SECONDS > 0 )) || die "FAULT_SECONDS must be > 0"

# ---------------------------------------------------------------- 1. PostgreSQL of its own, build, key
# The run restarts and crashes its PostgreSQL: a private cluster, never the machine's.
bench_own_postgres
bench_database
bench_package
bench_token_key
log "compiling the driver (bench/LoadDriver.java + bench/fault/FaultDriver.java + bench/fault/TeamScenario.java), bench/FakeStripeApi.java and bench/WebhookReceiver.java"
# stripe-java on the driver's class path: its events carry the app's Stripe API version.
driver_cp="$work/classes:$(driver_classpath):$(compgen -G "$work/quarkus-app/lib/main/com.stripe.stripe-java-*.jar" | head -1 || true)"
javac -nowarn -d "$work/classes" -cp "$(driver_classpath)" "$here/LoadDriver.java" "$fault_dir/FaultDriver.java" "$fault_dir/TeamScenario.java" \
    "$here/FakeStripeApi.java" "$here/WebhookReceiver.java" 2>"$work/javac.log" || { cat "$work/javac.log" >&2; die "the driver does not compile"; }
db() { PGPASSWORD="$db_password" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$BENCH_PG_PORT" -U "$BENCH_ROLE" -d "$BENCH_DB" "$@"; }

# ---------------------------------------------------------------- 2. fake upstream, fake Stripe API and app
# Purchases: the app's Stripe API is bench/FakeStripeApi.java, a process of its own (it outlives the
# app's restarts), which writes down every Checkout Session it makes (stripe-sessions.tsv); the driver
# plays Stripe's webhooks, signed with the endpoint's secret. Both secrets are throw-away, in 0600
# files and the app's environment, never on a command line. It starts while the fake upstream does.
stripe_api_key="sk_test_fault_$(openssl rand -hex 16)"
stripe_webhook_secret="whsec_fault_$(openssl rand -hex 24)"
(umask 077 && printf '%s\n' "$stripe_api_key" >"$work/stripe-api-key" && printf '%s\n' "$stripe_webhook_secret" >"$work/stripe-webhook-secret")
: >"$out/stripe-sessions.tsv"
java -Xmx64m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$work/classes" FakeStripeApi --port 0 --port-file "$work/stripe.port" \
    --api-key-file "$work/stripe-api-key" --sessions-file "$out/stripe-sessions.tsv" >"$work/stripe.log" 2>&1 &
stripe_pid=$!
# The fake writes down what it bills for every call (billed.tsv), for the reconciliation (check 11).
bench_start_fake 64 "$out/billed.tsv"
for _ in $(seq 1 100); do [[ -s "$work/stripe.port" ]] && break; kill -0 "$stripe_pid" 2>/dev/null || break; sleep 0.2; done
[[ -s "$work/stripe.port" ]] || { cat "$work/stripe.log" >&2; die "the fake Stripe API did not listen"; }
stripe_url="http://127.0.0.1:$(<"$work/stripe.port")"
log "fake Stripe API on $stripe_url (pid $stripe_pid)"
# The app's outbound webhooks go to bench/WebhookReceiver.java, a process of its own too (it sees
# what a kill -9 of the app between an event's commit and its delivery leaves), registered below as
# an endpoint of every event type with a throw-away secret (a 0600 file, never a command line). It
# writes down every request it gets (webhook-receipts.tsv, for checks 30-34).
hook_secret="whsec_$(openssl rand -base64 32)"
(umask 077 && printf '%s\n' "$hook_secret" >"$work/hook-secret" \
    && jq -n --arg s "$hook_secret" '{secret: $s}' >"$work/hook-endpoint.json")
: >"$out/webhook-receipts.tsv"
java -Xmx64m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$work/classes" WebhookReceiver --port 0 --port-file "$work/hook.port" \
    --secret-file "$work/hook-secret" --out "$out/webhook-receipts.tsv" --fail-percent "$FAULT_HOOK_FAIL_PERCENT" \
    --stall-percent "$FAULT_HOOK_STALL_PERCENT" --stall-ms "$(( (FAULT_HOOK_TIMEOUT_SECONDS + 1) * 1000 ))" >"$work/hook.log" 2>&1 &
hook_pid=$!
for _ in $(seq 1 100); do [[ -s "$work/hook.port" ]] && break; kill -0 "$hook_pid" 2>/dev/null || break; sleep 0.2; done
[[ -s "$work/hook.port" ]] || { cat "$work/hook.log" >&2; die "the webhook receiver did not listen"; }
hook_url="http://127.0.0.1:$(<"$work/hook.port")/hooks/tollgate"
log "webhook receiver on $hook_url (pid $hook_pid)"
if [[ -z "$BENCH_PORT" ]]; then BENCH_PORT=$(bench_free_port 18400 18500); fi
# Holds expire after seconds (a call may run at most FAULT_MAX_CALL_SECONDS, which with the settle's
# patience must fit in a hold); a stalled provider is given up after 3 s; compensations are retried
# after 2 s (doubling); a streaming client that reads nothing is let go after
# FAULT_CLIENT_WRITE_TIMEOUT_SECONDS. The jobs expire-holds, process-compensations and expire-grants are
# not on the app's scheduler: the script runs them (below, through the admin API) every 5, 10 and 5 s,
# so that it can hold them back while it aims a fault at them, and the lots the load grants (seconds
# to two minutes long) expire during the run. The chat mix uses gpt-4o-mini and o4-mini. Outbound
# webhooks may go to the local receiver over http; an attempt times out after
# FAULT_HOOK_TIMEOUT_SECONDS, a failed one is retried after 1 s, doubling up to 4 s, 20 times at most
# (the receiver fails an event's first attempt only: a dead delivery is a fault's doing).
app_env=(OPENAI_BASE_URL="$upstream_url" OPENAI_MODELS=gpt-4o-mini,o4-mini OPENAI_API_KEY=fault
    TOLLGATE_HOLDS_TTL="PT${FAULT_HOLD_TTL_SECONDS}S"
    TOLLGATE_PROVIDERS_OPENAI_MAX_CALL_DURATION="${FAULT_MAX_CALL_SECONDS}s"
    TOLLGATE_CHAT_CLIENT_WRITE_TIMEOUT="${FAULT_CLIENT_WRITE_TIMEOUT_SECONDS}s"
    TOLLGATE_JOBS_EXPIRE_HOLDS_CRON=off TOLLGATE_JOBS_PROCESS_COMPENSATIONS_CRON=off TOLLGATE_JOBS_EXPIRE_GRANTS_CRON=off
    TOLLGATE_JOBS_PROCESS_COMPENSATIONS_BACKOFF=PT2S
    TOLLGATE_PROVIDERS_OPENAI_FIRST_BYTE_TIMEOUT=3s TOLLGATE_PROVIDERS_OPENAI_IDLE_TIMEOUT=3s
    TOLLGATE_STRIPE_API_KEY="$stripe_api_key" TOLLGATE_STRIPE_WEBHOOK_SECRET="$stripe_webhook_secret"
    TOLLGATE_PURCHASES_STRIPE_API_BASE="$stripe_url"
    TOLLGATE_PURCHASE_SUCCESS_URL="https://chat.fault.test/credits?purchase={CHECKOUT_SESSION_ID}"
    TOLLGATE_PURCHASE_CANCEL_URL="https://chat.fault.test/credits?purchase=cancelled"
    TOLLGATE_WEBHOOKS_ALLOW_HTTP=true TOLLGATE_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES=true
    TOLLGATE_WEBHOOKS_TIMEOUT="PT${FAULT_HOOK_TIMEOUT_SECONDS}S" TOLLGATE_WEBHOOKS_RETRY_BASE_DELAY=PT1S
    TOLLGATE_WEBHOOKS_RETRY_MAX_DELAY=PT4S TOLLGATE_WEBHOOKS_MAX_ATTEMPTS=20
    TOLLGATE_PLANS_CATALOG_TEAM_MONTHLY_ALLOWANCE_MILLICREDITS="$FAULT_ALLOWANCE"
    "${FAULT_PACKS_ENV[@]}")
# shellcheck disable=SC2206
[[ -n "$FAULT_APP_ENV" ]] && app_env+=($FAULT_APP_ENV)

# start_app: the app (again), its previous log kept as app.N.log.
start_app() {
    [[ -f "$work/app.log" ]] && mv "$work/app.log" "$work/app.$app_starts.log"
    app_starts=$((app_starts + 1))
    bench_start_app "$BENCH_PORT" "$FAULT_ALLOWANCE" "${app_env[@]}"
}
start_app
bench_check_allowance "$FAULT_BASE" "$FAULT_ALLOWANCE"
(cd "$repo" && java -cp "$driver_cp" LoadDriver auth-header --key "$work/private.der" --issuer tollgate-bench \
    --sub "$ADMIN" --groups admin --out "$work/admin-header")
# Purchases are on, with the run's packs, before the load starts (off, the app answers 404
# purchases-not-configured, e.g. if a pack's keys were not read from the environment).
code=$(curl -sS -m 30 -o "$work/packs.json" -w '%{http_code}' -H @"$work/admin-header" "$base_url/api/credit/packs" || echo 000)
[[ "$code" == 200 ]] || { cat "$work/packs.json" >&2; echo >&2; die "GET /api/credit/packs answered $code: purchases are not configured in the app"; }
packs_seen=$(jq -c '[.packs[] | [.packId, .creditsMillicredits, .priceAmount, .priceCurrency]]' "$work/packs.json")
[[ "$packs_seen" == "$FAULT_PACKS_EXPECTED" ]] || die "the app sells $packs_seen, not the run's packs $FAULT_PACKS_EXPECTED"
log "curl check: GET /api/credit/packs = 200, packs $packs_seen"
# The receiver as the one webhook endpoint, of every event type, before any event is published.
jq --arg u "$hook_url" '. + {url: $u, description: "fault run receiver"}' "$work/hook-endpoint.json" >"$work/hook-endpoint.tmp" \
    && mv "$work/hook-endpoint.tmp" "$work/hook-endpoint.json"
code=$(curl -sS -m 30 -o "$work/hook-endpoint.answer" -w '%{http_code}' -X POST -H @"$work/admin-header" \
    -H 'Content-Type: application/json' -H "Idempotency-Key: fault-webhook-endpoint-$stamp" \
    --data-binary @"$work/hook-endpoint.json" "$base_url/api/admin/webhooks" || echo 000)
[[ "$code" == 201 ]] || { jq -c 'del(.secret)' "$work/hook-endpoint.answer" >&2 2>/dev/null; die "POST /api/admin/webhooks answered $code"; }
[[ "$(jq -r .secret "$work/hook-endpoint.answer")" == "$hook_secret" ]] || die "the webhook endpoint was not registered with the run's secret"
log "curl check: POST /api/admin/webhooks = 201, endpoint $(jq -r .id "$work/hook-endpoint.answer") for every event type"

# admin_job NAME: runs a job in the app through the admin API; prints the HTTP status.
admin_job() {
    curl -sS -m 60 -o "$work/admin-job.$1.json" -w '%{http_code}' -X POST -H @"$work/admin-header" \
        "$base_url/api/admin/jobs/$1" 2>/dev/null || echo 000
}

# The one-shot job command starts faster from a class-data archive of its own classes: made once
# (the full run: it has many rounds), by a run with nothing to do, while the load begins (the job
# rounds wait for it).
mkdir -p "$work/jobs"
# shellcheck source=job-rounds.sh
source "$fault_dir/job-rounds.sh"
cds_pid=""
(( short )) || (
    bench_export_app_env "$BENCH_PORT" "$FAULT_ALLOWANCE"
    for kv in "${app_env[@]}"; do export "${kv?}"; done
    export QUARKUS_HTTP_HOST_ENABLED=false QUARKUS_SCHEDULER_ENABLED=false
    # shellcheck disable=SC2086
    cd "$work" && exec java $JOB_JVM_OPTS -Xlog:cds=off -XX:ArchiveClassesAtExit="$work/job.jsa" -jar "$run_jar" job purge-rate-limits
) >"$work/jobs/cds.out" 2>&1 &
(( short )) || { cds_pid=$!; echo "$cds_pid" >>"$work/jobs/pids"; }

# ---------------------------------------------------------------- 3. load, and faults while it runs
faults="$work/faults.tsv"   # time, fault, what happened
: >"$faults"
: >"$out/kills.tsv"          # when the app was killed (ISO-8601 UTC, ms), for check 11
: >"$out/jobs.tsv"           # the one-shot job rounds (job-rounds.sh)
: >"$out/outages.tsv"        # when the database went away and came back
fault_log() { printf '%s\t%s\t%s\n' "$(date -u +%H:%M:%S)" "$1" "$2" >>"$faults"; log "FAULT $1: $2"; }
fake_stat() { curl -fsS -m 5 "http://127.0.0.1:$fake_port/stats" 2>/dev/null | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }

# burst COUNT KIND: the driver starts COUNT calls at once (outage: slow calls, half of them overrunning
# on accounts that run dry; final: calls whose [DONE] the fake holds back after the final chunk).
burst() { echo "$1 $2" >"$work/burst.tmp" && mv "$work/burst.tmp" "$work/burst"; }

fault_terminate_sessions() {
    local n
    n=$(PG_ADMIN_TIMEOUT=30 pg_admin -d postgres -tAc "SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid))
        FROM pg_stat_activity WHERE usename = '$BENCH_ROLE' AND pid <> pg_backend_pid()
         AND application_name NOT LIKE 'fault-%'" || echo '?')
    fault_log terminate-sessions "pg_terminate_backend of the app's $n sessions"
}
fault_stall_provider() {
    curl -fsS -m 10 -X POST -o /dev/null "http://127.0.0.1:$fake_port/control/stall?seconds=$FAULT_STALL_SECONDS" \
        && fault_log stall-provider "the provider hangs every completion for ${FAULT_STALL_SECONDS}s" \
        || fault_log stall-provider "FAILED to switch the stall on"
}
fault_kill_app() {
    # Aimed at the window between an answer and its settle: a burst of calls whose [DONE] the fake
    # holds back after their final (usage) chunk; the kill comes once most of them are held there.
    # And at the window between a webhook event's commit and its delivery: meanwhile a session of the
    # script holds the endpoint's row as a claimer does (FOR NO KEY UPDATE, which publishing
    # transactions do not wait for), so the sender claims nothing and the events committed
    # meanwhile are still pending at the kill; it is ended once the app is dead.
    local t0=$SECONDS killed_at holding=0 i hooks_held
    { echo "BEGIN; SELECT 1 FROM webhook_endpoint FOR NO KEY UPDATE;"; echo "SELECT pg_sleep(120);"; } \
        | PGAPPNAME=fault-hold-webhooks db >/dev/null 2>&1 &
    # The load publishes a few events a second (threshold crossings, purchases, expiries): held back
    # for a few seconds before the burst, some are certainly pending at the kill. Without this wait
    # the burst's second or two could pass with none, and coverage 23 not taken.
    sleep "$FAULT_HOOK_HOLD_SECONDS"
    burst "$FAULT_KILL_BURST_CALLS" final
    for i in $(seq 1 100); do
        holding=$(fake_stat holding_final)
        (( ${holding:-0} >= FAULT_KILL_BURST_CALLS * 3 / 4 )) && break
        sleep 0.1
    done
    killed_at=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
    echo "$killed_at" >>"$out/kills.tsv"
    kill -KILL "$app_pid" 2>/dev/null
    wait "$app_pid" 2>/dev/null || true
    app_pid=""
    touch "$work/app-down"
    hooks_held=$(db -tAc "SELECT COUNT(*) FROM webhook_delivery WHERE status = 'pending'" 2>/dev/null || echo '?')
    db -tAc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'fault-hold-webhooks'" >/dev/null 2>&1 || true
    start_app
    rm -f "$work/app-down"
    fault_log kill-app "kill -9 at ${killed_at#*T} with ${holding:-?} calls between their final chunk and their settle and $hooks_held webhook deliveries pending, restarted and ready in $((SECONDS - t0))s"
}
fault_restart_postgres() {
    local t0=$SECONDS
    touch "$work/db-down"
    own_pg_ctl -m immediate stop >/dev/null || log "WARNING: pg_ctl stop answered non-zero"
    sleep "$FAULT_PG_DOWN_SECONDS"
    own_pg_ctl -w -t 60 start >/dev/null || die "PostgreSQL did not come back (see $own_pg_dir/postgresql.log)"
    rm -f "$work/db-down"
    fault_log restart-postgres "crash stop (-m immediate), down ${FAULT_PG_DOWN_SECONDS}s, recovered and up after $((SECONDS - t0))s"
}
fault_db_outage() {
    # The database away for longer than a settle after the answer waits for it (20 s), while calls
    # stream: a burst of slow calls first, then a crash stop; the compensation cron is held back (a
    # job round takes the compensations this queues), and the expiry job runs the moment the
    # database is back, as a cron that failed meanwhile would.
    local t0=$SECONDS down_at up_at code i in_flight
    touch "$work/pause.process-compensations"
    burst "$FAULT_BURST_CALLS" outage
    sleep 2.5
    in_flight=$(fake_stat open)
    touch "$work/db-down"
    down_at=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
    own_pg_ctl -m immediate stop >/dev/null || log "WARNING: pg_ctl stop answered non-zero"
    sleep "$FAULT_OUTAGE_SECONDS"
    own_pg_ctl -w -t 60 start >/dev/null || die "PostgreSQL did not come back (see $own_pg_dir/postgresql.log)"
    up_at=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
    rm -f "$work/db-down"
    printf '%s\t%s\n' "$down_at" "$up_at" >>"$out/outages.tsv"
    for i in $(seq 1 40); do
        code=$(admin_job expire-holds)
        [[ "$code" == 200 ]] && break
        sleep 0.5
    done
    fault_log db-outage "${in_flight:-?} calls in flight at the crash stop, down ${FAULT_OUTAGE_SECONDS}s, up after $((SECONDS - t0))s; expire-holds at once: $code $(jq -c '{processed}' "$work/admin-job.expire-holds.json" 2>/dev/null)"
}

# The script's cron of the three frequent jobs (through the admin API, like an operator's run): held
# back while a fault is aimed at them ($work/pause.<job>).
job_cron() {
    local tick=0 job
    set +e
    while [[ ! -f "$work/stop" ]]; do
        for job in expire-holds process-compensations expire-grants; do
            [[ "$job" == process-compensations ]] && (( tick % 2 )) && continue
            [[ -f "$work/pause.$job" || -f "$work/db-down" || -f "$work/app-down" ]] && continue
            admin_job "$job" >/dev/null
        done
        tick=$((tick + 1))
        sleep 5
    done
}
job_cron &
cron_pid=$!

log "load: $FAULT_ACCOUNTS accounts, $FAULT_CLIENTS clients, ${FAULT_SECONDS}s, seed $FAULT_SEED; a fault every ${FAULT_INTERVAL}s from ${FAULT_FIRST}s: $FAULT_KINDS"
# shellcheck disable=SC2086
(cd "$repo" && exec timeout -k 10 "$((FAULT_SECONDS + 2 * FAULT_RETRY_SECONDS + 600))" java $BENCH_DRIVER_JAVA_OPTS \
    -cp "$driver_cp" FaultDriver --url "$base_url" --key "$work/private.der" --issuer tollgate-bench --audience tollgate \
    --first-user "$FAULT_BASE" --accounts "$FAULT_ACCOUNTS" --clients "$FAULT_CLIENTS" --seconds "$FAULT_SECONDS" \
    --seed "$FAULT_SEED" --retry-seconds "$FAULT_RETRY_SECONDS" --admin "$ADMIN" --tag "f$FAULT_SEED" \
    --stalled-read-ms "$(( (FAULT_CLIENT_WRITE_TIMEOUT_SECONDS + 2) * 1000 ))" --burst-file "$work/burst" \
    --stripe-secret-file "$work/stripe-webhook-secret" \
    --out "$out" --ready-file "$work/ready") >"$work/driver.out" 2>"$work/driver.log" &
driver_pid=$!
until [[ -f "$work/ready" ]]; do
    kill -0 "$driver_pid" 2>/dev/null || { tail -20 "$work/driver.log" >&2; die "the driver stopped before the load began"; }
    sleep 0.5
done
load_start=$SECONDS
# The one-shot job rounds, from now until the jobs have caught up (job-rounds.sh).
(
    set +e
    if [[ -n "$cds_pid" ]]; then
        while kill -0 "$cds_pid" 2>/dev/null; do sleep 0.5; done
        [[ -f "$work/job.jsa" ]] || log "WARNING: no class-data archive for the one-shot jobs ($(tail -1 "$work/jobs/cds.out"))"
    fi
    job_rounds_loop "$work/load-done" "$work/rounds-stop"
) &
rounds_pid=$!
read -r -a kinds <<<"$FAULT_KINDS"
next=$FAULT_FIRST
i=0
while kill -0 "$driver_pid" 2>/dev/null && (( next < FAULT_SECONDS )); do
    if (( SECONDS - load_start < next )); then sleep 0.5; continue; fi
    case "${kinds[i % ${#kinds[@]}]}" in
        terminate-sessions) fault_terminate_sessions ;;
        stall-provider) fault_stall_provider ;;
        kill-app) fault_kill_app ;;
        restart-postgres) fault_restart_postgres ;;
        db-outage) fault_db_outage ;;
        *) die "unknown fault ${kinds[i % ${#kinds[@]}]}" ;;
    esac
    i=$((i + 1))
    # The next fault comes FAULT_INTERVAL after this one ended (a fault may take a while: an outage,
    # a restart), so that the app has recovered from one before the next.
    next=$((SECONDS - load_start + FAULT_INTERVAL))
done
driver_rc=0
wait "$driver_pid" || driver_rc=$?
driver_pid=""
(( driver_rc == 0 )) || { tail -30 "$work/driver.log" >&2; die "the load driver failed (exit $driver_rc)"; }
log "load done: $(cat "$work/driver.out")"
touch "$work/load-done"

# ---------------------------------------------------------------- 4. the jobs catch up
# Expiry and compensations run (every 2 s) until nothing is HELD or PENDING (a compensation may end
# FAILED, with its reason) and the job rounds are done, bounded: the last holds left to expire are
# past their time a hold TTL after the load, so the bound is the TTL plus FAULT_CATCHUP_SECONDS; the
# job rounds (each starts three JVMs) get FAULT_ROUNDS_SECONDS after the load.
kill -0 "$app_pid" 2>/dev/null || die "the app is not running after the load"
catchup_start=$SECONDS
deadline=$((SECONDS + FAULT_HOLD_TTL_SECONDS + FAULT_CATCHUP_SECONDS))
rounds_deadline=$((SECONDS + FAULT_ROUNDS_SECONDS))
while :; do
    for job in expire-holds process-compensations expire-grants; do
        [[ -f "$work/pause.$job" ]] && continue
        code=$(admin_job "$job")
        [[ "$code" == 200 ]] || log "job $job answered $code: $(head -c 300 "$work/admin-job.$job.json" 2>/dev/null)"
    done
    left=$(db -tAc "SELECT (SELECT COUNT(*) FROM credit_reservation WHERE status = 'HELD') || ' ' ||
                           (SELECT COUNT(*) FROM credit_compensation WHERE status = 'PENDING')")
    rounds_running=0
    kill -0 "$rounds_pid" 2>/dev/null && rounds_running=1
    if [[ "$left" == "0 0" ]]; then
        (( rounds_running )) || break
        if (( SECONDS >= rounds_deadline )); then
            log "WARNING: the job rounds did not reach $FAULT_JOB_ROUNDS within ${FAULT_ROUNDS_SECONDS}s after the load"
            break
        fi
    elif (( SECONDS >= deadline )); then
        log "WARNING: after $((SECONDS - catchup_start))s still HELD/PENDING: $left (job rounds still running: $rounds_running)"
        break
    fi
    sleep 2
done
touch "$work/rounds-stop"
stop_pid "$rounds_pid" "the job rounds"
rounds_pid=""
rm -f "$work"/pause.*
for job in expire-holds process-compensations; do admin_job "$job" >/dev/null; done
touch "$work/stop"
stop_pid "$cron_pid" "the job cron"
cron_pid=""
# The final expiry of the grant lots, once no hold is live: every lot due before it began must then be
# empty (check 28). Its start is what the check compares the lots' expiries with.
grants_final_at=$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)
code=$(admin_job expire-grants)
[[ "$code" == 200 ]] || die "the final expire-grants answered $code: $(head -c 300 "$work/admin-job.expire-grants.json" 2>/dev/null)"
log "final expire-grants: $(jq -c '{processed, failed, detail}' "$work/admin-job.expire-grants.json" 2>/dev/null)"
left=$(db -tAc "SELECT (SELECT COUNT(*) FROM credit_reservation WHERE status = 'HELD') || ' ' ||
                       (SELECT COUNT(*) FROM credit_compensation WHERE status = 'PENDING')")
log "jobs caught up in $((SECONDS - catchup_start))s (HELD/PENDING left: $left; job rounds: $(wc -l <"$out/jobs.tsv"))"
# The fake bills a call when it ends it: wait (bounded) until no call is open there.
for _ in $(seq 1 60); do
    fake_open=$(fake_stat open)
    [[ "$fake_open" == 0 ]] && break
    sleep 1
done
[[ "$fake_open" == 0 ]] || log "WARNING: the fake upstream still has ${fake_open:-?} open calls; their bills are missing"
# The outbound webhooks catch up: wait (bounded) until no delivery is pending (one in flight when the
# app was killed waits for its claim to run out, the timeout + 30 s), then stop the receiver, so that
# what it wrote down is all it will ever get. A delivery still pending is a violation (check 30).
hook_start=$SECONDS
while :; do
    hooks_pending=$(db -tAc "SELECT COUNT(*) FROM webhook_delivery WHERE status = 'pending'")
    [[ "$hooks_pending" == 0 ]] && break
    (( SECONDS - hook_start >= FAULT_HOOK_DRAIN_SECONDS )) && break
    sleep 1
done
[[ "$hooks_pending" == 0 ]] || log "WARNING: ${hooks_pending:-?} webhook deliveries still pending after ${FAULT_HOOK_DRAIN_SECONDS}s"
hook_stats=$(curl -fsS -m 5 "http://127.0.0.1:$(<"$work/hook.port")/stats" || echo '?')
stop_pid "$hook_pid" "the webhook receiver"
hook_pid=""
log "webhook deliveries caught up in $((SECONDS - hook_start))s (pending: $hooks_pending); receiver: $hook_stats"

# Every FAILED compensation, as an admin sees it: GET /api/admin/accounts/{user} of each account with
# one, and what that view says of each of its compensations (check 14 compares it with the table).
: >"$out/admin-compensations.tsv"
for user in $(db -tAc "SELECT DISTINCT user_id FROM credit_compensation WHERE status = 'FAILED' ORDER BY 1"); do
    code=$(curl -sS -m 30 -o "$work/admin-account.json" -w '%{http_code}' -H @"$work/admin-header" \
        "$base_url/api/admin/accounts/$user" || echo 000)
    if [[ "$code" != 200 ]]; then
        printf '%s\t\\N\tHTTP %s\t\\N\t\\N\t\\N\n' "$user" "$code" >>"$out/admin-compensations.tsv"
        continue
    fi
    jq -r --arg u "$user" '(.compensations // [])[] | [$u, (.id|tostring), .status, (.amountMillicredits|tostring),
        (.reason // "\\N"), (.lastError // "\\N")] | @tsv' "$work/admin-account.json" >>"$out/admin-compensations.tsv"
done

# ---------------------------------------------------------------- 5. checks
# The calls the app cut at their maximum duration, by its log (check 11 counts them apart).
grep -ho "hold [0-9a-f-]*: the provider.s stream ended early (CALL_DEADLINE)" "$work"/app*.log 2>/dev/null \
    | awk '{ sub(":", "", $2); print $2 }' | sort -u >"$out/deadline-cuts.tsv"
db >"$work/check.txt" 2>"$work/check.err" <<SQL || { cat "$work/check.err" >&2; die "the checks failed to run"; }
CREATE TEMP TABLE acks (kind text, user_id text, key text, ref text, amount bigint, extra text);
CREATE TEMP TABLE refused (kind text, user_id text, key text, status int, type text);
CREATE TEMP TABLE fivexx (kind text, at text, path text, key text, status int, type text, body text);
CREATE TEMP TABLE chats (user_id text, key text, shape text, seen text);
CREATE TEMP TABLE billed (tag text, model text, prompt_tokens bigint, cached_tokens bigint, completion_tokens bigint,
                          reasoning_tokens bigint, reported boolean, cut boolean, started_at timestamptz, ended_at timestamptz,
                          budget bigint, final_at timestamptz);
CREATE TEMP TABLE kills (at timestamptz);
CREATE TEMP TABLE outages (down_at timestamptz, up_at timestamptz);
CREATE TEMP TABLE deadline_cuts (reservation_id uuid);
CREATE TEMP TABLE job_rounds (round int, job text, landed boolean, evidence text, skipped boolean, resumed boolean, detail text);
CREATE TEMP TABLE admin_compensations (user_id text, id bigint, status text, amount bigint, reason text, last_error text);
CREATE TEMP TABLE purchases (purchase_id uuid, user_id text, key text, pack_id text, credits bigint, amount bigint, currency text,
                             answer int, session_id text, payment_intent text, plan text, paid boolean, matched boolean,
                             paid_amount bigint, paid_currency text, refunded bigint, dispute text, expired boolean,
                             spent boolean, delivered boolean);
CREATE TEMP TABLE stripe_events (purchase_id uuid, seq int, copy int, event_id text, type text, detail text, attempts int,
                                 status int, acked_at timestamptz);
CREATE TEMP TABLE stripe_sessions (key text, session_id text, reference text, amount bigint, currency text);
CREATE TEMP TABLE webhook_receipts (n bigint, received_at timestamptz, event_id text, type text, user_id text, signed_at bigint,
                                    signature_ok boolean, attempt int, answer text);
CREATE TEMP TABLE teams (team_id uuid, account text, owner_id text);
CREATE TEMP TABLE member_changes (account text, user_id text, action text, cap bigint, sent_at timestamptz, acked_at timestamptz);
CREATE TEMP TABLE pool_calls (kind text, account text, member_id text, key text, status int, type text, ran_out text,
                              sent_at timestamptz, answered_at timestamptz);
\copy acks FROM '$out/acks.tsv'
\copy refused FROM '$out/refused.tsv'
\copy fivexx FROM '$out/fivexx.tsv' WITH (FORMAT text, NULL '\N')
\copy chats FROM '$out/chats.tsv'
\copy billed FROM '$out/billed.tsv'
\copy kills FROM '$out/kills.tsv'
\copy outages FROM '$out/outages.tsv'
\copy deadline_cuts FROM '$out/deadline-cuts.tsv'
\copy job_rounds FROM '$out/jobs.tsv'
\copy admin_compensations FROM '$out/admin-compensations.tsv'
\copy purchases FROM '$out/purchases.tsv'
\copy stripe_events FROM '$out/stripe-events.tsv'
\copy stripe_sessions FROM '$out/stripe-sessions.tsv'
\copy webhook_receipts FROM '$out/webhook-receipts.tsv'
\copy teams FROM '$out/team.tsv'
\copy member_changes FROM '$out/team-members.tsv'
\copy pool_calls FROM '$out/pool-calls.tsv'
\set allowance $FAULT_ALLOWANCE
\set call_window '$((FAULT_MAX_CALL_SECONDS + SETTLE_PATIENCE_SECONDS)) seconds'
\set min_path $FAULT_MIN_PATH
\set short $short
\set grants_final_at '$grants_final_at'
\set stopped_reading_let_go $(grep -c 'read nothing for' "$work"/app*.log 2>/dev/null | awk -F: '{ n += $NF } END { print n + 0 }')
\i $fault_dir/check.sql
SQL
violations=$(sed -n 's/^VIOLATIONS \([0-9]*\)$/\1/p' "$work/check.txt")
missing=$(sed -n 's/^PATHS NOT TAKEN \([0-9]*\)$/\1/p' "$work/check.txt")
[[ "$violations" =~ ^[0-9]+$ && "$missing" =~ ^[0-9]+$ ]] || die "the checks did not report their result"

# ---------------------------------------------------------------- 6. report
{
    echo "# Tollgate fault run, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    bench_host_lines
    echo "- load: bench/fault/FaultDriver.java, $FAULT_ACCOUNTS accounts, $FAULT_CLIENTS clients, ${FAULT_SECONDS}s, seed $FAULT_SEED; every mutation under an Idempotency-Key, retried with the same key on I/O errors, timeouts, 429, 500 and 503 (at most ${FAULT_RETRY_SECONDS}s)"
    echo "- app: prod profile, hold TTL ${FAULT_HOLD_TTL_SECONDS}s, upstream models gpt-4o-mini and o4-mini, max-call-duration ${FAULT_MAX_CALL_SECONDS}s, client write timeout ${FAULT_CLIENT_WRITE_TIMEOUT_SECONDS}s, expire-holds and expire-grants every 5 s and process-compensations every 10 s (run by the script through the admin API; backoff 2 s), provider first-byte and idle timeouts 3 s; allowance of a new account $FAULT_ALLOWANCE millicredits${FAULT_APP_ENV:+; extra env: $FAULT_APP_ENV}"
    echo "- purchases: packs $FAULT_PACKS_EXPECTED (id, millicredits, price, currency); Checkout Sessions from bench/FakeStripeApi.java ($(curl -fsS -m 5 "$stripe_url/stats" || echo '?')); the driver plays Stripe's webhooks, signed with the endpoint's secret: $(wc -l <"$out/purchases.tsv") purchases, $(wc -l <"$out/stripe-events.tsv") deliveries"
    echo "- outbound webhooks: one endpoint of every event type, bench/WebhookReceiver.java, which checks each signature and answers 500 to ${FAULT_HOOK_FAIL_PERCENT}% and stalls ${FAULT_HOOK_STALL_PERCENT}% of the events' first attempts ($hook_stats); sender timeout ${FAULT_HOOK_TIMEOUT_SECONDS}s, retries after 1 s doubling to 4 s, at most 20 attempts"
    echo "- fake upstream: bench/FakeUpstream.java, bills each call as OpenAI would (prompt counted on o200k_base, output within the budget unless told to ignore it) and writes it down: $(wc -l <"$out/billed.tsv") bills; $(curl -fsS -m 5 "http://127.0.0.1:$fake_port/stats" || echo '?')"
    echo "- PostgreSQL: a private cluster of this run ($own_pg_dir), restarted by the run"
    echo "- $( ((short)) && echo "short run: the recovery paths it can reach in its 90 s must each be taken at least $FAULT_MIN_PATH time(s)" || echo "full run: every recovery path must be taken at least $FAULT_MIN_PATH times")"
    echo
    echo "## Faults"
    echo
    echo "| time (UTC) | fault | what happened |"
    echo "|---|---|---|"
    awk -F'\t' '{ printf "| %s | %s | %s |\n", $1, $2, $3 }' "$faults"
    echo
    echo "## One-shot job rounds"
    echo
    echo "| round | job | killed waiting in a batch | evidence | other instance skipped | next run finished the work | detail |"
    echo "|---:|---|---|---|---|---|---|"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$out/jobs.tsv"
    echo
    echo "## What the clients saw"
    echo
    echo "| answer | count |"
    echo "|---|---:|"
    awk -F'\t' '{ printf "| %s | %s |\n", $1, $2 }' "$out/summary.txt"
    echo
    echo "Outcome unknown (given up, or a chat retry that met its own key; not checked): $(wc -l <"$out/unknown.tsv")"
    echo
    echo "## Checks"
    echo
    echo '```'
    cat "$work/check.txt"
    echo '```'
    echo
    if (( violations == 0 )); then echo "**No violation.**"; else echo "**$violations violation(s).**"; fi
    if (( missing == 0 )); then echo "**Every recovery path the run must reach was taken.**"; else echo "**$missing recovery path(s) not taken often enough.**"; fi
} >"$report"

cat "$report"
echo
log "report written to ${report#"$repo"/} (app, driver, fake, job and PostgreSQL logs next to it)"
(( violations == 0 )) || die "$violations violation(s) of the ledger's invariants under faults"
(( missing == 0 )) || die "$missing recovery path(s) not taken often enough (see the coverage table)"
