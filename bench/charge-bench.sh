#!/usr/bin/env bash
# Tollgate charge benchmark: raw SQL (pgbench) vs POST /api/credit/charges (packaged app) vs the
# seed report's SERIALIZABLE pattern, on one hot account and spread over many accounts.
# See bench/README.md. Run as root from anywhere: bench/charge-bench.sh
set -euo pipefail

BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_CLIENTS=${BENCH_CLIENTS:-"1 8 32 64"}
BENCH_ACCOUNTS=${BENCH_ACCOUNTS:-10000}
BENCH_SCENARIOS=${BENCH_SCENARIOS:-"raw seed http metered"}
BENCH_METERED_CLIENTS=${BENCH_METERED_CLIENTS:-"1 16 64"}
BENCH_MAX_TRIES=${BENCH_MAX_TRIES:-10}
BENCH_WARMUP_SECONDS=${BENCH_WARMUP_SECONDS:-45}
BENCH_ALLOWANCE=${BENCH_ALLOWANCE:-1000000000000}
BENCH_DB=${BENCH_DB:-tollgate_bench}
BENCH_ROLE=${BENCH_ROLE:-tollgate_bench}
BENCH_PG_VERSION=${BENCH_PG_VERSION:-15}
BENCH_PG_CLUSTER=${BENCH_PG_CLUSTER:-main}
BENCH_PG_PORT=${BENCH_PG_PORT:-5432}
BENCH_PORT=${BENCH_PORT:-}
BENCH_SKIP_BUILD=${BENCH_SKIP_BUILD:-0}
BENCH_APP_JAVA_OPTS=${BENCH_APP_JAVA_OPTS:-}
BENCH_DRIVER_JAVA_OPTS=${BENCH_DRIVER_JAVA_OPTS:-"-Xmx1g"}
BENCH_START_TIMEOUT=${BENCH_START_TIMEOUT:-120}
# hot = one account; pool = one team's pool, each client a member of its own (as many members as the
# largest client count); spread = BENCH_ACCOUNTS accounts.
BENCH_HTTP_VARIANTS=${BENCH_HTTP_VARIANTS:-"hot pool spread"}
# HTTP runs with group commit on (scenario http) and off (http-nobatch): the app restarted in between.
BENCH_BATCH_MODES=${BENCH_BATCH_MODES:-"on off"}
BENCH_HTTP_CLIENT=${BENCH_HTTP_CLIENT:-plain}
BENCH_IDLE_WAIT=${BENCH_IDLE_WAIT:-20}
BENCH_IDLE_BUSY_PERCENT=${BENCH_IDLE_BUSY_PERCENT:-15}
BENCH_DISTURBED_PERCENT=${BENCH_DISTURBED_PERCENT:-15}

# User ids (numbers of equal length, so that text ranges work): hot account = base, spread = base+1..base+N.
RAW_BASE=1000000
SEED_BASE=2000000
GRANTED_BASE=3000000
HTTP_BASE=3000000
(( BENCH_ACCOUNTS >= 1 && BENCH_ACCOUNTS < 1000000 )) || { echo "BENCH_ACCOUNTS must be 1..999999" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
results_dir="$here/results"
report="$results_dir/charge-$stamp.md"
mkdir -p "$results_dir"

work=$(mktemp -d /tmp/tollgate-bench.XXXXXX)
chmod 700 "$work"

# shellcheck source=lib/common.sh
source "$here/lib/common.sh"

# ---------------------------------------------------------------- cleanup (always)
cleanup() {
    local rc=$?
    set +e
    [[ -f "$work/app.log" ]] && cp "$work/app.log" "$results_dir/charge-$stamp.app${app_log_suffix:-}.log"
    bench_cleanup
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_require_tools pgbench psql pg_ctlcluster pg_lsclusters runuser openssl curl java awk timeout

# ---------------------------------------------------------------- 1. PostgreSQL, build, key
bench_postgres
bench_database
bench_package
bench_token_key

# ---------------------------------------------------------------- 2. the app (limits far above the load:
# the limiter runs as in production, its cost is in the HTTP numbers, but never refuses a charge)
if [[ -z "$BENCH_PORT" ]]; then BENCH_PORT=$(bench_free_port 18080 18180); fi
for mode in $BENCH_BATCH_MODES; do
    [[ $mode == on || $mode == off ]] || die "BENCH_BATCH_MODES: on and/or off, not $mode"
done
batch_mode=$(set -- $BENCH_BATCH_MODES; echo "${1:-on}")
batch_enabled() { [[ $1 == on ]] && echo true || echo false; }
app_log_suffix="-batch-$batch_mode"
bench_start_app "$BENCH_PORT" "$BENCH_ALLOWANCE" TOLLGATE_CHARGES_BATCH_ENABLED="$(batch_enabled "$batch_mode")"
bench_check_allowance "$HTTP_BASE" "$BENCH_ALLOWANCE"

# ---------------------------------------------------------------- accounts and parameters of the pgbench scenarios
log "creating $((2 * (BENCH_ACCOUNTS + 1))) pgbench accounts with their GRANT entries"
pg_admin -d "$BENCH_DB" -v raw_base="$RAW_BASE" -v seed_base="$SEED_BASE" -v accounts="$BENCH_ACCOUNTS" \
    -v allowance="$BENCH_ALLOWANCE" -f "$here/sql/setup-pgbench-accounts.sql" >/dev/null
if [[ " $BENCH_SCENARIOS " == *" granted "* ]]; then
    log "creating $BENCH_ACCOUNTS accounts of granted credits, a lot each"
    pg_admin -d "$BENCH_DB" -v granted_base="$GRANTED_BASE" -v accounts="$BENCH_ACCOUNTS" \
        -v allowance="$BENCH_ALLOWANCE" -f "$here/sql/setup-granted-accounts.sql" >/dev/null
fi

read -r pricing_id cost < <(pg_admin -d "$BENCH_DB" -tA -F ' ' -c "
    SELECT id, CAST(ceil((input_credits_per_million * 100 + output_credits_per_million * 50) / 1000) AS bigint)
      FROM model_pricing WHERE model = 'gpt-4o-mini' AND effective_from <= now() ORDER BY effective_from DESC LIMIT 1")
[[ -n "$pricing_id" && -n "$cost" ]] || die "no price for gpt-4o-mini"
request_hash=$(printf 'charge\0{"model":"gpt-4o-mini","usage":{"uncachedInputTokens":100,"outputTokens":50}}' | sha256sum | cut -c1-64)
pg_defs=(-D model=gpt-4o-mini -D cost="$cost" -D pricing_id="$pricing_id" -D input_tokens=100 -D output_tokens=50
         -D total_tokens=150 -D estimated=false -D operation=CHARGE -D request_hash="$request_hash"
         -D client_ip=127.0.0.1 -D user_agent=pgbench -D hold="$((4 * cost))")
# The app's rate-limit check of a charge: the charge's tier (messages; the driver reads it from the
# packaged classes) at the bench's limit and period, which every tier has (lib/common.sh),
# interval = max(1, period / limit) microseconds as in ratelimit.Quota.
rl_period=$(( BENCH_RATE_LIMIT_PERIOD_SECONDS * 1000000 ))
rl_interval=$(( rl_period / BENCH_RATE_LIMIT > 0 ? rl_period / BENCH_RATE_LIMIT : 1 ))
pg_defs+=(-D rl_interval="$rl_interval" -D rl_period="$rl_period")

BENCH_DRIVER_APP="$work/quarkus-app" driver pgbench-script --out "$work/charge.sql" --metered-out "$work/metered.sql" \
    --rate-limited-out "$work/charge-rl.sql" --granted-out "$work/charge-granted.sql"
cp "$work/charge.sql" "$results_dir/charge-$stamp.raw.pgbench.sql"
cp "$work/charge-rl.sql" "$results_dir/charge-$stamp.rawrl.pgbench.sql"
# The tier whose bucket rawrl's rate-limit check uses, as the driver wrote it into the script's header.
rl_tier=$(sed -n "s/.*charge's tier (\([a-z]*\)).*/\1/p" "$work/charge-rl.sql" | head -1)
[[ -n "$rl_tier" ]] || die "no tier in the header of $work/charge-rl.sql"
cp "$work/metered.sql" "$results_dir/charge-$stamp.metered.pgbench.sql"
[[ " $BENCH_SCENARIOS " == *" granted "* ]] && cp "$work/charge-granted.sql" "$results_dir/charge-$stamp.granted.pgbench.sql"

# Before every run: VACUUM credit_account, CHECKPOINT, wait (bounded) until the machine is idle,
# then a CPU snapshot. Prints "BUSY% app,postgres,busy,total" (see lib/). After every run: a snapshot.
snapshot_cmd="$here/lib/cpu-snapshot.sh $app_pid $pg_datadir/postmaster.pid"
before_cmd="$here/lib/between-runs.sh $BENCH_PG_PORT $BENCH_DB $BENCH_IDLE_BUSY_PERCENT $BENCH_IDLE_WAIT && $snapshot_cmd"
clk_tck=$(getconf CLK_TCK)

# ---------------------------------------------------------------- 4. measurements
results="$work/results.tsv"   # scenario variant clients tps p50 p99 errors failed% cpu unattributed% note
: >"$results"

# p50 and p99 (ms) of the successful transactions in pgbench per-transaction logs.
pgbench_percentiles() {
    cat "$1".* | awk '$3 ~ /^[0-9]+$/ {print $3}' | sort -n | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "nan nan"; exit }
            i50 = int(0.50 * NR); if (i50 < 0.50 * NR) i50++; i99 = int(0.99 * NR); if (i99 < 0.99 * NR) i99++
            printf "%.2f %.2f\n", v[i50] / 1000, v[i99] / 1000
        }'
}

# cpu_columns BEFORE AFTER LOAD_TICKS OK APP_USED: "app+db+load ms per tx" and the unattributed % of the
# machine (other processes, interrupts) during the run. BEFORE/AFTER are cpu-snapshot.sh outputs.
cpu_columns() {
    awk -v b="$1" -v a="$2" -v load="$3" -v ok="$4" -v app_used="$5" -v hz="$clk_tck" 'BEGIN {
        split(b, x, ","); split(a, y, ",")
        app = y[1] - x[1]; pg = y[2] - x[2]; busy = y[3] - x[3]; total = y[4] - x[4]
        other = busy - app - pg - load; if (other < 0) other = 0
        ms = (ok > 0) ? 1000 / hz / ok : 0
        if (app_used) printf "%.2f+%.2f+%.2f", app * ms, pg * ms, load * ms; else printf "-+%.2f+%.2f", pg * ms, load * ms
        printf "\t%.0f\n", total ? 100 * other / total : 0 }'
}

children_ticks() { local s; s=$(</proc/$$/stat); s=${s##*) }; read -r -a f <<<"$s"; echo $(( f[13] + f[14] )); }

# run_pgbench SCENARIO VARIANT CLIENTS SCRIPT FIRST_USER ACCOUNTS [extra pgbench args]
run_pgbench() {
    local scenario=$1 variant=$2 clients=$3 script=$4 first=$5 accounts=$6
    shift 6
    local jobs=$(( clients < 2 ? clients : 2 ))
    local name="$scenario-$variant-$clients" rc=0 busy before after load0 load1
    read -r busy before <<<"$(bash -c "$before_cmd" | tr '\n' ' ')"
    load0=$(children_ticks)
    PGPASSWORD="$db_password" pgbench -n -h 127.0.0.1 -p "$BENCH_PG_PORT" -U "$BENCH_ROLE" -M prepared \
        -c "$clients" -j "$jobs" -T "$BENCH_SECONDS" -f "$script" -l --log-prefix="$work/txlog-$name" \
        "${pg_defs[@]}" -D first="$first" -D accounts="$accounts" "$@" "$BENCH_DB" >"$work/$name.out" 2>&1 || rc=$?
    load1=$(children_ticks)
    after=$(bash -c "$snapshot_cmd")
    local tps processed failed serialization deadlock retried aborted p50 p99 cpu unattributed
    tps=$(awk '/^tps = / {print $3; exit}' "$work/$name.out")
    processed=$(awk -F': ' '/^number of transactions actually processed/ {split($2, a, "/"); print a[1]; exit}' "$work/$name.out")
    failed=$(awk '/^number of failed transactions/ {print $5; exit}' "$work/$name.out")
    serialization=$(awk '/^number of serialization failures/ {print $5; exit}' "$work/$name.out")
    deadlock=$(awk '/^number of deadlock failures/ {print $5; exit}' "$work/$name.out")
    retried=$(awk '/^number of transactions retried/ {print $5; exit}' "$work/$name.out")
    aborted=$(grep -c 'aborted in command' "$work/$name.out" || true)
    read -r p50 p99 < <(pgbench_percentiles "$work/txlog-$name")
    rm -f "$work/txlog-$name".*
    : "${tps:=0}" "${processed:=0}" "${failed:=0}" "${serialization:=0}" "${deadlock:=0}" "${retried:=0}"
    if (( rc != 0 || aborted > 0 )); then
        log "pgbench $name exited with $rc, $aborted client(s) aborted:"
        grep -E 'aborted|ERROR|error' "$work/$name.out" | head -5 >&2 || true
    fi
    IFS=$'\t' read -r cpu unattributed < <(cpu_columns "$before" "$after" "$((load1 - load0))" "$processed" 0)
    local errors failed_pct note="bg ${busy}%"
    failed_pct=$(awk -v f="$failed" -v p="$processed" 'BEGIN { printf "%.2f", (f + p) ? 100 * f / (f + p) : 0 }')
    if [[ "$scenario" == seed ]]; then
        errors="$failed failed after $BENCH_MAX_TRIES tries"
        (( serialization + deadlock > 0 )) && errors="$errors (serialization $serialization, deadlock $deadlock)"
        note="$note, $(awk -v r="$retried" -v p="$processed" -v f="$failed" 'BEGIN { printf "%.1f%% retried", (f + p) ? 100 * r / (f + p) : 0 }')"
    else
        errors=$failed
    fi
    (( aborted > 0 )) && errors="$errors; $aborted clients aborted"
    (( rc != 0 )) && errors="$errors; pgbench exit $rc"
    printf '%s\t%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$variant" "$clients" "$tps" "$p50" "$p99" \
        "$errors" "$failed_pct" "$cpu" "$unattributed" "$note" >>"$results"
    log "$(printf '%-5s %-6s c=%-3s %8.0f tx/s  p50 %s ms  p99 %s ms  errors: %s  cpu ms/tx app+db+load %s' "$scenario" "$variant" "$clients" "$tps" "$p50" "$p99" "$errors" "$cpu")"
}

run_raw() { # VARIANT CLIENTS: the charge's SQL, then all the SQL of a charge request (rate-limit check too)
    local first=$((RAW_BASE + 1)) accounts=$BENCH_ACCOUNTS
    if [[ $1 == hot ]]; then first=$RAW_BASE accounts=1; fi
    if [[ $1 == pool ]]; then
        # A pool is one hot account: its raw comparison is the charge's SQL on the hot account,
        # made right before the pool's HTTP run (the rate-limit check is per member, not per pool).
        run_pgbench raw pool "$2" "$work/charge.sql" "$RAW_BASE" 1
        return
    fi
    run_pgbench raw "$1" "$2" "$work/charge.sql" "$first" "$accounts"
    run_pgbench rawrl "$1" "$2" "$work/charge-rl.sql" "$first" "$accounts"
}

# With both raw and http, each raw run is made right before the HTTP run of the same accounts and
# client count (paired): the ratio then compares two runs that saw the machine in the same state.
# On this shared 2-core VM the same run varies by +-15% over minutes.
paired=0
[[ " $BENCH_SCENARIOS " == *" raw "* && " $BENCH_SCENARIOS " == *" http "* ]] && paired=1
if [[ " $BENCH_SCENARIOS " == *" raw "* ]] && (( ! paired )); then
    for variant in hot spread; do
        for c in $BENCH_CLIENTS; do run_raw "$variant" "$c"; done
    done
fi
# The SQL floor of a metered chat call (hold and settle transactions, nothing else) on the raw
# scenario's spread accounts: what bench/chat-bench.sh's "added latency" can never go below.
if [[ " $BENCH_SCENARIOS " == *" metered "* ]]; then
    for c in $BENCH_METERED_CLIENTS; do
        run_pgbench metered spread "$c" "$work/metered.sql" "$((RAW_BASE + 1))" "$BENCH_ACCOUNTS"
    done
fi
# A charge of granted credits (the charge, then the lots it took them from) against the same charge
# on accounts of monthly credits (one statement), each granted run right after its raw run.
if [[ " $BENCH_SCENARIOS " == *" granted "* ]]; then
    for c in $BENCH_METERED_CLIENTS; do
        run_pgbench raw spread "$c" "$work/charge.sql" "$((RAW_BASE + 1))" "$BENCH_ACCOUNTS"
        run_pgbench granted spread "$c" "$work/charge-granted.sql" "$((GRANTED_BASE + 1))" "$BENCH_ACCOUNTS"
    done
fi
if [[ " $BENCH_SCENARIOS " == *" seed "* ]]; then
    for variant in hot spread; do
        for c in $BENCH_CLIENTS; do
            if [[ $variant == hot ]]; then first=$SEED_BASE accounts=1; else first=$((SEED_BASE + 1)) accounts=$BENCH_ACCOUNTS; fi
            run_pgbench seed "$variant" "$c" "$here/sql/seed-pattern.sql" "$first" "$accounts" \
                --max-tries="$BENCH_MAX_TRIES" --failures-detailed
        done
    done
fi
http_total=0
pool_total=0
pool_account=""
pool_members=0
batch_sizes=""
# The app's group-commit meter: "count sum max" of the charges per transaction (of the last series).
batch_meter() {
    curl -fsS -m 10 "$management_url/q/metrics" 2>/dev/null | awk '
        /^tollgate_charges_batch_size_count/ { c = $2 } /^tollgate_charges_batch_size_sum/ { s = $2 }
        /^tollgate_charges_batch_size_max/ { m = $2 } END { printf "%d %d %d\n", c, s, m }'
}
first_mode=1
for batch_mode in $BENCH_BATCH_MODES; do
if [[ " $BENCH_SCENARIOS " == *" http "* ]]; then
    http_scenario=http
    [[ $batch_mode == off ]] && http_scenario=http-nobatch
    if (( ! first_mode )); then
        # Another app with the other setting of tollgate.charges.batch.enabled, on the same database.
        cp "$work/app.log" "$results_dir/charge-$stamp.app$app_log_suffix.log"
        stop_pid "$app_pid" "the app"
        app_log_suffix="-batch-$batch_mode"
        bench_start_app "$BENCH_PORT" "$BENCH_ALLOWANCE" TOLLGATE_CHARGES_BATCH_ENABLED="$(batch_enabled "$batch_mode")"
        snapshot_cmd="$here/lib/cpu-snapshot.sh $app_pid $pg_datadir/postmaster.pid"
        before_cmd="$here/lib/between-runs.sh $BENCH_PG_PORT $BENCH_DB $BENCH_IDLE_BUSY_PERCENT $BENCH_IDLE_WAIT && $snapshot_cmd"
        # The raw runs are paired with the first series only.
        paired=0
    fi
    first_mode=0
    log "HTTP ($http_scenario, group commit $batch_mode): signing tokens, opening $((BENCH_ACCOUNTS + 1)) accounts with GET /api/credit/balance, ${BENCH_WARMUP_SECONDS}s warm-up, then the charge runs"
    http_before=$before_cmd
    if (( paired )); then
        # The driver's hook asks for the raw run of the next HTTP run and waits for the answer (the
        # idle wait and CPU snapshot before the HTTP run) on two FIFOs; this shell runs it meanwhile.
        mkfifo "$work/pair.req" "$work/pair.ack"
        http_before="printf '%s %s\\n' \"\$BENCH_NEXT_VARIANT\" \"\$BENCH_NEXT_CLIENTS\" >'$work/pair.req' && cat '$work/pair.ack'"
    fi
    driver series --url "$base_url" --key "$work/private.der" --issuer tollgate-bench --audience tollgate \
        --hot-user "$HTTP_BASE" --first-user "$((HTTP_BASE + 1))" --accounts "$BENCH_ACCOUNTS" \
        --seconds "$BENCH_SECONDS" --clients "$(echo $BENCH_CLIENTS | tr ' ' ,)" \
        --variants "$(echo $BENCH_HTTP_VARIANTS | tr ' ' ,)" --warmup-seconds "$BENCH_WARMUP_SECONDS" \
        --client "$BENCH_HTTP_CLIENT" --progress "${BENCH_PROGRESS:-false}" --before-each "$http_before" --after-each "$snapshot_cmd" >"$work/http.out" &
    driver_pid=$!
    if (( paired )); then
        exec 7<>"$work/pair.req"   # read-write: opening it never blocks, and it never reads EOF
        while kill -0 "$driver_pid" 2>/dev/null; do
            if read -r -t 1 next_variant next_clients <&7; then
                run_raw "$next_variant" "$next_clients"
                bash -c "$before_cmd" >"$work/pair.ack"
            fi
        done
        exec 7<&-
    fi
    wait "$driver_pid" || die "the HTTP load driver failed"
    grep '^OPENED\|^POOL' "$work/http.out" | sed 's/^/[driver] /' >&2
    if grep -q '^POOL' "$work/http.out"; then
        read -r pool_account pool_members < <(sed -n 's/^POOL account=\([^ ]*\) members=\([0-9]*\).*/\1 \2/p' "$work/http.out")
    fi
    kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }
    while read -r line; do
        variant=$(kv variant "$line"); clients=$(kv clients "$line"); before=$(kv before "$line")
        s402=$(kv s402 "$line"); s4xx=$(kv s4xx "$line"); s5xx=$(kv s5xx "$line")
        other=$(kv other "$line"); io=$(kv io "$line"); ok=$(kv ok "$line"); replayed=$(kv replayed "$line")
        bad=$((s402 + s4xx + s5xx + other + io))
        if (( bad == 0 )); then errors=0; else errors="402: $s402, 4xx: $s4xx, 5xx: $s5xx, io: $io"; (( other > 0 )) && errors="$errors, other: $other"; fi
        note="bg ${before%%_*}%, $ok 2xx"; (( replayed > 0 )) && note="$note, $replayed REPLAYED"
        failed_pct=$(awk -v b="$bad" -v o="$ok" 'BEGIN { printf "%.2f", (b + o) ? 100 * b / (b + o) : 0 }')
        driver_ticks=$(( $(kv driver_cpu_ms "$line") * clk_tck / 1000 ))
        IFS=$'\t' read -r cpu unattributed < <(cpu_columns "${before#*_}" "$(kv after "$line")" "$driver_ticks" "$ok" 1)
        printf '%s\t%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$http_scenario" "$variant" "$clients" "$(kv tps "$line")" \
            "$(kv p50 "$line")" "$(kv p99 "$line")" "$errors" "$failed_pct" "$cpu" "$unattributed" "$note" >>"$results"
    done < <(grep '^RESULT' "$work/http.out")
    http_total=$(( http_total + $(sed -n 's/^TOTAL charged=\([0-9]*\).*/\1/p' "$work/http.out") ))
    pool_total=$(( pool_total + $(sed -n 's/^TOTAL .* pool=\([0-9]*\).*/\1/p' "$work/http.out") ))
    read -r b_count b_sum b_max < <(batch_meter)
    if [[ $batch_mode == on && -n "$b_count" ]] && (( b_count > 0 )); then
        batch_sizes="$b_sum charges in $b_count transactions (mean $(awk -v s="$b_sum" -v c="$b_count" 'BEGIN { printf "%.1f", s / c }'), largest of the last minutes $b_max), warm-up included"
    fi
fi
done

# ---------------------------------------------------------------- correctness after the runs
pg_admin -d "$BENCH_DB" -v http_lo="$HTTP_BASE" -v http_hi="$((HTTP_BASE + BENCH_ACCOUNTS))" \
    -f "$here/sql/check.sql" >"$work/check.txt"
if [[ -n "$pool_account" ]]; then
    pg_admin -d "$BENCH_DB" -v pool="$pool_account" -f "$here/sql/check-pool.sql" >"$work/check-pool.txt"
fi

# ---------------------------------------------------------------- 5. report

{
    echo "# Tollgate charge benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    bench_host_lines
    echo "- each run: ${BENCH_SECONDS} s closed loop; before it VACUUM credit_account, CHECKPOINT, and a wait (<= ${BENCH_IDLE_WAIT} s) until the machine is < ${BENCH_IDLE_BUSY_PERCENT}% busy ('bg' = busy % of the machine when the run started)"
    echo "- app, PostgreSQL and load generator share the $(nproc) cores; 'CPU ms/tx' = CPU time of app + PostgreSQL + load generator (pgbench or the Java driver) per successful transaction; 'unattr. %' = CPU of the machine used by anything else during the run (other processes, interrupts)"
    echo "- accounts: hot = 1 account; spread = uniform over $BENCH_ACCOUNTS accounts; a charge = gpt-4o-mini, 100 input + 50 output tokens = $cost millicredits"
    echo "- raw = pgbench -M prepared: BEGIN; BalanceChange.CHARGE with the usage row (UsageRecorder.LINKED_INSERT) in one statement; COMMIT (READ COMMITTED; SQL read from the packaged classes)$( (( paired )) && echo "; each raw run made right before the HTTP run of the same accounts and client count (paired), so that a ratio compares runs that saw the machine in the same state")"
    echo "- rawrl = pgbench -M prepared: all the SQL of one charge request as the app runs it: the rate-limit check (PostgresRateLimitStore.ACQUIRE on the caller's bucket in the charge's tier, $rl_tier, autocommit), then the raw transaction"
    echo "- metered = pgbench -M prepared, the SQL floor of one metered chat call (the two transactions around the upstream call): BEGIN; account read; hold INSERT; BalanceChange.HOLD; COMMIT; BEGIN; hold claim; UsageRecorder INSERT; BalanceChange.SETTLE; settled amount; COMMIT — tx/s and latency are per call (both transactions)"
    echo "- granted = pgbench -M prepared, a charge of granted credits: BEGIN; the raw charge; LedgerStatements.grantSpend (the lots it took them from: one lot per account here); COMMIT — on accounts whose credits are all granted, each run right after a raw run of the same client count"
    echo "- seed = pgbench: BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT ... FOR UPDATE; UPDATE credit_account; INSERT audit; COMMIT; --max-tries=$BENCH_MAX_TRIES (no token_usage row)"
    echo "- http = POST /api/credit/charges, RS256 bearer token per account, reused like a web app reuses its token (the app verifies a token again at most once a minute, tollgate.auth.token-cache.ttl=${TOLLGATE_AUTH_TOKEN_CACHE_TTL:-PT1M}), unique Idempotency-Key per request, $( [[ $BENCH_HTTP_CLIENT == plain ]] && echo "the driver's plain keep-alive socket client (one HTTP/1.1 connection per client)" || echo "JDK HttpClient (HTTP/1.1 keep-alive)"), after ${BENCH_WARMUP_SECONDS} s of warm-up charges; latency measured in the client"
    [[ -n "$pool_account" ]] && echo "- pool = POST /api/credit/charges with X-Tollgate-Account: $pool_account: one team created through POST /api/teams (owner: the hot user; $pool_members members without a cap, users $((HTTP_BASE + 1))..$((HTTP_BASE + pool_members))), its pool on the team plan with the same allowance; client i charges as member i with that member's own token; the raw run of the same client count (row raw, pool) is the charge's SQL on the raw hot account, made right before"
    echo
    echo "| scenario | accounts | clients | tx/s | p50 ms | p99 ms | errors | failed % | CPU ms/tx app+db+load | unattr. % | note |"
    echo "|---|---|---:|---:|---:|---:|---|---:|---|---:|---|"
    awk -F'\t' -v n="$BENCH_ACCOUNTS" -v members="$pool_members" -v limit="$BENCH_DISTURBED_PERCENT" '{
        note = $11; if ($10 + 0 >= limit + 0) note = note ", **DISTURBED**"
        accounts = ($2 == "hot") ? "hot (1)" : ($2 == "pool") ? ($1 ~ /^raw/ ? "hot (1), before pool" : "pool (1, " members " members)") : "spread (" n ")"
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, accounts, $3, $4, $5, $6, $7, $8, $9, $10, note }' "$results"
    awk -F'\t' -v limit="$BENCH_DISTURBED_PERCENT" '$10 + 0 >= limit + 0 { d++ } END { if (d) printf "\n%d of %d runs are DISTURBED: other processes used >= %s%% of the machine during the run; their numbers are not comparable, rerun on a quiet machine.\n", d, NR, limit }' "$results"
    echo
    echo "Ratios of tx/s per client count:"
    echo
    echo "| clients | http/raw hot | http/raw spread | http/rawrl hot | http/rawrl spread | raw hot / seed hot | http hot / seed hot | raw spread / seed spread |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' -v clients="$BENCH_CLIENTS" '
        { tps[$1 "," $2 "," $3] = $4 + 0 }
        function r(a, b) { return (a in tps && b in tps && tps[b] > 0) ? sprintf("%.2f", tps[a] / tps[b]) : "-" }
        END {
            n = split(clients, cs, " ")
            for (i = 1; i <= n; i++) {
                c = cs[i]
                printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", c, r("http,hot," c, "raw,hot," c), r("http,spread," c, "raw,spread," c),
                    r("http,hot," c, "rawrl,hot," c), r("http,spread," c, "rawrl,spread," c),
                    r("raw,hot," c, "seed,hot," c), r("http,hot," c, "seed,hot," c), r("raw,spread," c, "seed,spread," c)
            }
        }' "$results"
    echo
    echo "Targets:"
    echo
    awk -F'\t' -v clients="$BENCH_CLIENTS" '
        { tps[$1 "," $2 "," $3] = $4 + 0; err[$1 "," $2 "," $3] = $7; p50[$1 "," $2 "," $3] = $5; p99[$1 "," $2 "," $3] = $6 }
        END {
            if ("metered,spread,16" in tps)
                printf "- the SQL alone of a metered chat call at 16 clients: p50 %s ms, p99 %s ms, %d calls/s (the chat target: under 3 ms p50 / 15 ms p99 added at 16 clients)\n", p50["metered,spread,16"], p99["metered,spread,16"], tps["metered,spread,16"]
            if (("http,spread,32" in tps) && ("raw,spread,32" in tps)) {
                ratio = tps["http,spread,32"] / tps["raw,spread,32"]
                printf "- HTTP >= 50%% of raw SQL at 32 clients, spread: %.0f%% -> %s\n", 100 * ratio, (ratio >= 0.5 ? "MET" : "MISSED")
            }
            if (("http,spread,32" in tps) && ("rawrl,spread,32" in tps))
                printf "- for comparison, HTTP / all the SQL of a charge request (rawrl: rate-limit check + charge) at 32 clients, spread: %.0f%%\n", 100 * tps["http,spread,32"] / tps["rawrl,spread,32"]
            n = split(clients, cs, " ")
            for (s = 1; s <= 2; s++) {
                sc = (s == 1) ? "http" : "raw"
                ok = 1; errs = 1; detail = ""; seen = 0
                for (i = 1; i <= n; i++) {
                    k = sc ",hot," cs[i]; q = "seed,hot," cs[i]
                    if (!(k in tps)) continue
                    seen = 1
                    if (err[k] != "0") errs = 0
                    if (!(q in tps) || tps[k] <= tps[q]) ok = 0
                    detail = detail sprintf(" %s: %d vs %s;", cs[i], tps[k], (q in tps) ? tps[q] : "-")
                }
                if (seen) printf "- hot account, %s: zero errors %s; more tx/s than the seed pattern at every client count %s (clients: %s vs seed)\n", sc, (errs ? "MET" : "MISSED"), (ok ? "MET" : "MISSED"), detail
            }
        }' "$results"
    if grep -q '^http-nobatch' "$results"; then
        echo
        echo "Group commit (tollgate.charges.batch.enabled): http = on, http-nobatch = off (the app restarted with it off, after its own warm-up; raw runs are paired with the http runs)${batch_sizes:+; the app with it on committed $batch_sizes}:"
        echo
        echo "| accounts | clients | http tx/s | http-nobatch tx/s | raw tx/s | on/off | http/raw | http-nobatch/raw | CPU ms/tx app+db+load on | off |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"
        awk -F'\t' -v clients="$BENCH_CLIENTS" -v variants="$BENCH_HTTP_VARIANTS" '
            { tps[$1 "," $2 "," $3] = $4 + 0; cpu[$1 "," $2 "," $3] = $9 }
            function r(a, b) { return (a in tps && b in tps && tps[b] > 0) ? sprintf("%.2f", tps[a] / tps[b]) : "-" }
            function t(a) { return (a in tps) ? tps[a] : "-" }
            END {
                nv = split(variants, vs, " "); n = split(clients, cs, " ")
                for (j = 1; j <= nv; j++) for (i = 1; i <= n; i++) {
                    v = vs[j]; c = cs[i]
                    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", v, c, t("http," v "," c), t("http-nobatch," v "," c),
                        t("raw," v "," c), r("http," v "," c, "http-nobatch," v "," c), r("http," v "," c, "raw," v "," c),
                        r("http-nobatch," v "," c, "raw," v "," c), cpu["http," v "," c], cpu["http-nobatch," v "," c]
                }
                if (("http,hot,32" in tps) && ("raw,hot,32" in tps)) {
                    ratio = tps["http,hot,32"] / tps["raw,hot,32"]
                    printf "\n- HTTP hot account at 32 clients with group commit >= 2x raw SQL hot at 32 clients: %.2fx -> %s\n", ratio, (ratio >= 2 ? "MET" : "MISSED")
                }
            }' "$results"
    fi
    if grep -q $'^http[a-z-]*\tpool\t' "$results"; then
        echo
        echo "Team pool (one account charged by one member per client, each with its own token) against raw SQL on one hot account (the raw run right before the pool's, group commit on; with it off the same raw run) and against HTTP on a personal hot account:"
        echo
        echo "| clients | http pool tx/s | http-nobatch pool tx/s | raw hot tx/s | pool/raw hot | pool nobatch/raw hot | http hot tx/s | pool/http hot | errors pool | errors nobatch pool | CPU ms/tx app+db+load pool | nobatch pool |"
        echo "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|"
        awk -F'\t' -v clients="$BENCH_CLIENTS" '
            { k = $1 "," $2 "," $3; tps[k] = $4 + 0; cpu[k] = $9; err[k] = $7 }
            function r(a, b) { return (a in tps && b in tps && tps[b] > 0) ? sprintf("%.2f", tps[a] / tps[b]) : "-" }
            function t(a) { return (a in tps) ? tps[a] : "-" }
            function e(a) { return (a in err) ? err[a] : "-" }
            END {
                n = split(clients, cs, " ")
                for (i = 1; i <= n; i++) {
                    c = cs[i]; p = "http,pool," c; q = "http-nobatch,pool," c; raw = "raw,pool," c
                    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c, t(p), t(q), t(raw), r(p, raw), r(q, raw),
                        t("http,hot," c), r(p, "http,hot," c), e(p), e(q), (p in cpu) ? cpu[p] : "-", (q in cpu) ? cpu[q] : "-"
                }
                print ""
                for (i = 1; i <= n; i++) {
                    c = cs[i]; p = "http,pool," c; raw = "raw,pool," c
                    if (c < 32 || !(p in tps) || !(raw in tps) || tps[raw] <= 0) continue
                    ratio = tps[p] / tps[raw]
                    printf "- HTTP charges of %s members of one pool, group commit on, >= 2x raw SQL on one hot account at %s clients, zero errors: %.2fx, errors %s -> %s\n",
                        c, c, ratio, err[p], ((ratio >= 2 && err[p] == "0") ? "MET" : "MISSED")
                }
            }' "$results"
    fi
    echo
    echo "Correctness after all runs (SQL on the bench database):"
    echo
    awk -F'|' '{ printf "- %s: %s\n", $1, $2 }' "$work/check.txt"
    if [[ -n "$pool_account" ]]; then
        awk -F'|' '{ printf "- %s: %s\n", $1, $2 }' "$work/check-pool.txt"
    fi
    if (( http_total > 0 )); then
        http_entries=$(awk -F'|' '$1 == "http CHARGE entries" {print $2}' "$work/check.txt")
        http_mc=$(awk -F'|' '$1 == "http charged millicredits" {print $2}' "$work/check.txt")
        personal_total=$((http_total - pool_total))
        verdict=$([[ "$personal_total" == "$http_entries" && "$http_mc" == "$((http_entries * cost))" ]] && echo OK || echo MISMATCH)
        echo "- HTTP 2xx answers counted by the driver on personal accounts (warm-up included): $personal_total; CHARGE entries of the HTTP accounts: $http_entries, x $cost millicredits = $((http_entries * cost)) charged -> $verdict"
        if [[ -n "$pool_account" ]]; then
            pool_entries=$(awk -F'|' '$1 == "pool CHARGE entries" {print $2}' "$work/check-pool.txt")
            pool_mc=$(awk -F'|' '$1 == "pool charged millicredits" {print $2}' "$work/check-pool.txt")
            pool_spent=$(awk -F'|' '$1 == "pool members spent millicredits (sum)" {print $2}' "$work/check-pool.txt")
            pool_drift=$(awk -F'|' '$1 == "pool: buckets differ from the sum of its ledger deltas" {print $2}' "$work/check-pool.txt")
            pool_nameless=$(awk -F'|' '$1 == "pool usage rows that name no member of the pool" {print $2}' "$work/check-pool.txt")
            verdict=$([[ "$pool_total" == "$pool_entries" && "$pool_mc" == "$((pool_entries * cost))" ]] && echo OK || echo MISMATCH)
            echo "- pool: HTTP 2xx answers counted by the driver: $pool_total; CHARGE entries of the pool: $pool_entries, x $cost millicredits = $((pool_entries * cost)) charged -> $verdict"
            echo "- pool: buckets = sum of its ledger deltas -> $([[ "$pool_drift" == 0 ]] && echo OK || echo MISMATCH); every usage row names a member of the pool -> $([[ "$pool_nameless" == 0 ]] && echo OK || echo MISMATCH); members' spent sum $pool_spent = the pool's CHARGE total $pool_mc -> $([[ "$pool_spent" == "$pool_mc" ]] && echo OK || echo MISMATCH)"
            echo "- all HTTP 2xx answers: $http_total = CHARGE entries $((http_entries + pool_entries)) (personal + pool) -> $([[ "$http_total" == "$((http_entries + pool_entries))" ]] && echo OK || echo MISMATCH)"
        fi
    fi
} >"$report"

echo
cat "$report"
echo
log "report written to ${report#"$repo"/}"
