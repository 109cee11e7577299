#!/usr/bin/env bash
# Tollgate fault run: a bounded, seeded, mixed load on the packaged app while faults are injected
# (kill -9 of the app and a restart, pg_terminate_backend of its sessions, a crash-restart of
# PostgreSQL, a stalled provider), then the jobs catch up and SQL checks the ledger's invariants.
# Exits non-zero on any violation. See bench/fault/README.md. Run as root from anywhere:
#   bench/fault/fault-run.sh            # full run (5 minutes of load)
#   bench/fault/fault-run.sh --short    # about a minute of load (CI)
set -euo pipefail

if [[ "${1:-}" == --short ]]; then
    : "${FAULT_SECONDS:=60}" "${FAULT_ACCOUNTS:=200}" "${FAULT_CLIENTS:=12}" "${FAULT_INTERVAL:=9}" "${FAULT_FIRST:=6}"
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
FAULT_KINDS=${FAULT_KINDS:-"terminate-sessions stall-provider kill-app restart-postgres"}
FAULT_STALL_SECONDS=${FAULT_STALL_SECONDS:-8}
FAULT_PG_DOWN_SECONDS=${FAULT_PG_DOWN_SECONDS:-3}
FAULT_HOLD_TTL_SECONDS=${FAULT_HOLD_TTL_SECONDS:-30}
FAULT_MAX_CALL_SECONDS=${FAULT_MAX_CALL_SECONDS:-8}
FAULT_ALLOWANCE=${FAULT_ALLOWANCE:-200}
FAULT_RETRY_SECONDS=${FAULT_RETRY_SECONDS:-120}
FAULT_CATCHUP_SECONDS=${FAULT_CATCHUP_SECONDS:-180}
FAULT_APP_ENV=${FAULT_APP_ENV:-}
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
         FAULT_PG_DOWN_SECONDS FAULT_HOLD_TTL_SECONDS FAULT_MAX_CALL_SECONDS FAULT_ALLOWANCE FAULT_RETRY_SECONDS FAULT_CATCHUP_SECONDS; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "$v must be a whole number" >&2; exit 2; }
done
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
driver_pid=""
app_starts=0
cleanup() {
    local rc=$?
    set +e
    stop_pid "$driver_pid" "the load driver"
    stop_pid "$app_pid" "the app"
    app_pid=""
    cat "$work"/app.*.log "$work/app.log" >"$results_dir/fault-$stamp.app.log" 2>/dev/null
    [[ -f "$work/fake.log" ]] && cp "$work/fake.log" "$results_dir/fault-$stamp.fake.log"
    [[ -f "$work/driver.log" ]] && cp "$work/driver.log" "$results_dir/fault-$stamp.driver.log"
    [[ -f "$out/fivexx.tsv" ]] && cp "$out/fivexx.tsv" "$results_dir/fault-$stamp.fivexx.tsv"
    [[ -f "$out/billed.tsv" ]] && cp "$out/billed.tsv" "$results_dir/fault-$stamp.billed.tsv"
    [[ -f "$out/chats.tsv" ]] && cp "$out/chats.tsv" "$results_dir/fault-$stamp.chats.tsv"
    [[ -n "${own_pg_dir:-}" && -f "$own_pg_dir/postgresql.log" ]] && cp "$own_pg_dir/postgresql.log" "$results_dir/fault-$stamp.postgresql.log"
    stop_pid "$fake_pid" "the fake upstream"
    bench_cleanup
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_require_tools psql runuser openssl curl java javac awk timeout
(( FAULT_SECONDS > 0 )) || die "FAULT_SECONDS must be > 0"

# ---------------------------------------------------------------- 1. PostgreSQL of its own, build, key
# The run restarts and crashes its PostgreSQL: a private cluster, never the machine's.
bench_own_postgres
bench_database
bench_package
bench_token_key
log "compiling the driver (bench/LoadDriver.java + bench/fault/FaultDriver.java)"
driver_cp="$work/classes:$(driver_classpath)"
javac -nowarn -d "$work/classes" -cp "$(driver_classpath)" "$here/LoadDriver.java" "$fault_dir/FaultDriver.java" 2>"$work/javac.log" \
    || { cat "$work/javac.log" >&2; die "the driver does not compile"; }

# ---------------------------------------------------------------- 2. fake upstream and app
# The fake writes down what it bills for every call (billed.tsv), for the reconciliation (check 11).
bench_start_fake 64 "$out/billed.tsv"
if [[ -z "$BENCH_PORT" ]]; then BENCH_PORT=$(bench_free_port 18400 18500); fi
# Jobs run often (so that they meet the faults too); holds expire after seconds (a call may run at
# most FAULT_MAX_CALL_SECONDS, which with the settle's patience must fit in a hold); a stalled
# provider is given up after 3 s; compensations are retried after 2 s (doubling). The chat mix uses
# gpt-4o-mini and the reasoning model o4-mini.
app_env=(OPENAI_BASE_URL="$upstream_url" OPENAI_MODELS=gpt-4o-mini,o4-mini OPENAI_API_KEY=fault
    TOLLGATE_HOLDS_TTL="PT${FAULT_HOLD_TTL_SECONDS}S"
    TOLLGATE_PROVIDERS_OPENAI_MAX_CALL_DURATION="${FAULT_MAX_CALL_SECONDS}s"
    "TOLLGATE_JOBS_EXPIRE_HOLDS_CRON=*/5 * * * * ?"
    "TOLLGATE_JOBS_PROCESS_COMPENSATIONS_CRON=*/10 * * * * ?"
    TOLLGATE_JOBS_PROCESS_COMPENSATIONS_BACKOFF=PT2S
    TOLLGATE_PROVIDERS_OPENAI_FIRST_BYTE_TIMEOUT=3s TOLLGATE_PROVIDERS_OPENAI_IDLE_TIMEOUT=3s)
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

# ---------------------------------------------------------------- 3. load, and faults while it runs
faults="$work/faults.tsv"   # time, fault, what happened
: >"$faults"
: >"$out/kills.tsv"          # when the app was killed (ISO-8601 UTC, ms), for check 11
fault_log() { printf '%s\t%s\t%s\n' "$(date -u +%H:%M:%S)" "$1" "$2" >>"$faults"; log "FAULT $1: $2"; }

fault_terminate_sessions() {
    local n
    n=$(PG_ADMIN_TIMEOUT=30 pg_admin -d postgres -tAc "SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid))
        FROM pg_stat_activity WHERE usename = '$BENCH_ROLE' AND pid <> pg_backend_pid()" || echo '?')
    fault_log terminate-sessions "pg_terminate_backend of the app's $n sessions"
}
fault_stall_provider() {
    curl -fsS -m 10 -X POST -o /dev/null "http://127.0.0.1:$fake_port/control/stall?seconds=$FAULT_STALL_SECONDS" \
        && fault_log stall-provider "the provider hangs every completion for ${FAULT_STALL_SECONDS}s" \
        || fault_log stall-provider "FAILED to switch the stall on"
}
fault_kill_app() {
    local t0=$SECONDS killed_at
    killed_at=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
    echo "$killed_at" >>"$out/kills.tsv"
    kill -KILL "$app_pid" 2>/dev/null
    wait "$app_pid" 2>/dev/null || true
    app_pid=""
    start_app
    fault_log kill-app "kill -9 at ${killed_at#*T}, restarted and ready in $((SECONDS - t0))s"
}
fault_restart_postgres() {
    local t0=$SECONDS
    own_pg_ctl -m immediate stop >/dev/null || log "WARNING: pg_ctl stop answered non-zero"
    sleep "$FAULT_PG_DOWN_SECONDS"
    own_pg_ctl -w -t 60 start >/dev/null || die "PostgreSQL did not come back (see $own_pg_dir/postgresql.log)"
    fault_log restart-postgres "crash stop (-m immediate), down ${FAULT_PG_DOWN_SECONDS}s, recovered and up after $((SECONDS - t0))s"
}

log "load: $FAULT_ACCOUNTS accounts, $FAULT_CLIENTS clients, ${FAULT_SECONDS}s, seed $FAULT_SEED; a fault every ${FAULT_INTERVAL}s from ${FAULT_FIRST}s: $FAULT_KINDS"
# shellcheck disable=SC2086
(cd "$repo" && exec timeout -k 10 "$((FAULT_SECONDS + 2 * FAULT_RETRY_SECONDS + 600))" java $BENCH_DRIVER_JAVA_OPTS \
    -cp "$driver_cp" FaultDriver --url "$base_url" --key "$work/private.der" --issuer tollgate-bench --audience tollgate \
    --first-user "$FAULT_BASE" --accounts "$FAULT_ACCOUNTS" --clients "$FAULT_CLIENTS" --seconds "$FAULT_SECONDS" \
    --seed "$FAULT_SEED" --retry-seconds "$FAULT_RETRY_SECONDS" --admin "$ADMIN" --tag "f$FAULT_SEED" \
    --out "$out" --ready-file "$work/ready") >"$work/driver.out" 2>"$work/driver.log" &
driver_pid=$!
until [[ -f "$work/ready" ]]; do
    kill -0 "$driver_pid" 2>/dev/null || { tail -20 "$work/driver.log" >&2; die "the driver stopped before the load began"; }
    sleep 0.5
done
load_start=$SECONDS
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
        *) die "unknown fault ${kinds[i % ${#kinds[@]}]}" ;;
    esac
    i=$((i + 1))
    next=$((next + FAULT_INTERVAL))
    (( SECONDS - load_start > next )) && next=$((SECONDS - load_start + 1))
done
driver_rc=0
wait "$driver_pid" || driver_rc=$?
driver_pid=""
(( driver_rc == 0 )) || { tail -30 "$work/driver.log" >&2; die "the load driver failed (exit $driver_rc)"; }
log "load done: $(cat "$work/driver.out")"

# ---------------------------------------------------------------- 4. the jobs catch up
# Expiry and compensations run (every 2 s) until nothing is HELD or PENDING (a compensation may end
# FAILED, with its reason), bounded: the last holds left to expire are past their time a hold TTL
# after the load, so the bound is the TTL plus FAULT_CATCHUP_SECONDS.
kill -0 "$app_pid" 2>/dev/null || die "the app is not running after the load"
db() { PGPASSWORD="$db_password" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$BENCH_PG_PORT" -U "$BENCH_ROLE" -d "$BENCH_DB" "$@"; }
catchup_start=$SECONDS
deadline=$((SECONDS + FAULT_HOLD_TTL_SECONDS + FAULT_CATCHUP_SECONDS))
while :; do
    for job in expire-holds process-compensations; do
        code=$(curl -sS -m 60 -o "$work/job.json" -w '%{http_code}' -X POST -H @"$work/admin-header" "$base_url/api/admin/jobs/$job" || echo 000)
        [[ "$code" == 200 ]] || log "job $job answered $code: $(head -c 300 "$work/job.json" 2>/dev/null)"
    done
    left=$(db -tAc "SELECT (SELECT COUNT(*) FROM credit_reservation WHERE status = 'HELD') || ' ' ||
                           (SELECT COUNT(*) FROM credit_compensation WHERE status = 'PENDING')")
    [[ "$left" == "0 0" ]] && break
    (( SECONDS < deadline )) || { log "WARNING: after $((SECONDS - catchup_start))s still HELD/PENDING: $left"; break; }
    sleep 2
done
log "jobs caught up in $((SECONDS - catchup_start))s (HELD/PENDING left: $left)"
# The fake bills a call when it ends it: wait (bounded) until no call is open there.
for _ in $(seq 1 60); do
    fake_open=$(curl -fsS -m 5 "http://127.0.0.1:$fake_port/stats" | sed -n 's/.*"open":\([0-9]*\).*/\1/p' || true)
    [[ "$fake_open" == 0 ]] && break
    sleep 1
done
[[ "$fake_open" == 0 ]] || log "WARNING: the fake upstream still has ${fake_open:-?} open calls; their bills are missing"

# ---------------------------------------------------------------- 5. checks
db >"$work/check.txt" 2>"$work/check.err" <<SQL || { cat "$work/check.err" >&2; die "the checks failed to run"; }
CREATE TEMP TABLE acks (kind text, user_id text, key text, ref text, amount bigint, extra text);
CREATE TEMP TABLE refused (kind text, user_id text, key text, status int, type text);
CREATE TEMP TABLE fivexx (kind text, at text, path text, key text, status int, type text, body text);
CREATE TEMP TABLE chats (user_id text, key text, shape text, seen text);
CREATE TEMP TABLE billed (tag text, model text, prompt_tokens bigint, cached_tokens bigint, completion_tokens bigint,
                          reasoning_tokens bigint, reported boolean, cut boolean, started_at timestamptz, ended_at timestamptz,
                          budget bigint);
CREATE TEMP TABLE kills (at timestamptz);
\copy acks FROM '$out/acks.tsv'
\copy refused FROM '$out/refused.tsv'
\copy fivexx FROM '$out/fivexx.tsv' WITH (FORMAT text, NULL '\N')
\copy chats FROM '$out/chats.tsv'
\copy billed FROM '$out/billed.tsv'
\copy kills FROM '$out/kills.tsv'
\set allowance $FAULT_ALLOWANCE
\set call_window '$((FAULT_MAX_CALL_SECONDS + SETTLE_PATIENCE_SECONDS)) seconds'
\i $fault_dir/check.sql
SQL
violations=$(sed -n 's/^VIOLATIONS \([0-9]*\)$/\1/p' "$work/check.txt")
[[ "$violations" =~ ^[0-9]+$ ]] || die "the checks did not report their result"

# ---------------------------------------------------------------- 6. report
{
    echo "# Tollgate fault run, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    bench_host_lines
    echo "- load: bench/fault/FaultDriver.java, $FAULT_ACCOUNTS accounts, $FAULT_CLIENTS clients, ${FAULT_SECONDS}s, seed $FAULT_SEED; every mutation under an Idempotency-Key, retried with the same key on I/O errors, timeouts, 429, 500 and 503 (at most ${FAULT_RETRY_SECONDS}s)"
    echo "- app: prod profile, hold TTL ${FAULT_HOLD_TTL_SECONDS}s, upstream models gpt-4o-mini and o4-mini, max-call-duration ${FAULT_MAX_CALL_SECONDS}s, expire-holds every 5 s, process-compensations every 10 s (backoff 2 s), provider first-byte and idle timeouts 3 s; allowance of a new account $FAULT_ALLOWANCE millicredits${FAULT_APP_ENV:+; extra env: $FAULT_APP_ENV}"
    echo "- fake upstream: bench/FakeUpstream.java, bills each call as OpenAI would (prompt counted on o200k_base, output within the budget) and writes it down: $(wc -l <"$out/billed.tsv") bills; $(curl -fsS -m 5 "http://127.0.0.1:$fake_port/stats" || echo '?')"
    echo "- PostgreSQL: a private cluster of this run ($own_pg_dir), restarted by the run"
    echo
    echo "## Faults"
    echo
    echo "| time (UTC) | fault | what happened |"
    echo "|---|---|---|"
    awk -F'\t' '{ printf "| %s | %s | %s |\n", $1, $2, $3 }' "$faults"
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
} >"$report"

cat "$report"
echo
log "report written to ${report#"$repo"/} (app, driver, fake and PostgreSQL logs next to it)"
(( violations == 0 )) || die "$violations violation(s) of the ledger's invariants under faults"
