#!/usr/bin/env bash
# Tollgate rate-limiter benchmark: what the limiter costs per request. The same calls (GET
# /api/credit/balance, POST /api/credit/charges) on the packaged app with the limiter off, in
# memory and in PostgreSQL (the app is restarted per mode; limits far above the load, so nothing is
# refused), at 1 and 16 closed-loop clients; plus the limiter's one SQL statement alone (pgbench).
# See bench/README.md. Run as root from anywhere: bench/ratelimit-bench.sh
set -euo pipefail

BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_CLIENTS=${BENCH_CLIENTS:-"1 16"}
BENCH_MODES=${BENCH_MODES:-"off memory postgres"}
BENCH_ENDPOINTS=${BENCH_ENDPOINTS:-"balance charge"}
BENCH_USERS=${BENCH_USERS:-1000}
BENCH_WARMUP_SECONDS=${BENCH_WARMUP_SECONDS:-40}
BENCH_ALLOWANCE=${BENCH_ALLOWANCE:-1000000000000}
BENCH_DB=${BENCH_DB:-tollgate_limit_bench}
BENCH_ROLE=${BENCH_ROLE:-tollgate_limit_bench}
BENCH_PORT=${BENCH_PORT:-}
BENCH_DRIVER_JAVA_OPTS=${BENCH_DRIVER_JAVA_OPTS:-"-Xmx1g"}
BENCH_IDLE_WAIT=${BENCH_IDLE_WAIT:-30}
BENCH_IDLE_BUSY_PERCENT=${BENCH_IDLE_BUSY_PERCENT:-15}
BENCH_DISTURBED_PERCENT=${BENCH_DISTURBED_PERCENT:-15}
BENCH_PROGRESS=${BENCH_PROGRESS:-false}
BENCH_PGBENCH=${BENCH_PGBENCH:-1}
# Far above any load of this bench: the limiter does all its work and never refuses.
BENCH_LIMIT=1000000000

LIMIT_BASE=5000000
[[ "$BENCH_SECONDS" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_SECONDS must be a positive whole number" >&2; exit 2; }
(( BENCH_USERS >= 1 && BENCH_USERS < 1000000 )) || { echo "BENCH_USERS must be 1..999999" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
results_dir="$here/results"
report="$results_dir/ratelimit-$stamp.md"
mkdir -p "$results_dir"

work=$(mktemp -d /tmp/tollgate-limit-bench.XXXXXX)
chmod 700 "$work"

# shellcheck source=lib/common.sh
source "$here/lib/common.sh"

driver_pid=""
cleanup() {
    local rc=$?
    set +e
    for f in "$work"/app-*.log; do [[ -f "$f" ]] && cp "$f" "$results_dir/ratelimit-$stamp.$(basename "$f")"; done
    [[ -f "$work/limiter.out" ]] && cp "$work/limiter.out" "$results_dir/ratelimit-$stamp.driver.txt"
    stop_pid "$driver_pid" "the load driver"
    bench_cleanup
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_require_tools psql pg_ctlcluster pg_lsclusters runuser openssl curl java awk timeout pgbench

# ---------------------------------------------------------------- 1. PostgreSQL, build, key
bench_postgres
bench_database
bench_package
bench_token_key
if [[ -z "$BENCH_PORT" ]]; then BENCH_PORT=$(bench_free_port 18300 18400); fi
clk_tck=$(getconf CLK_TCK)
: >"$work/limiter.out"

# ---------------------------------------------------------------- 2. one app per mode
for mode in $BENCH_MODES; do
    case "$mode" in
        off) mode_env=(TOLLGATE_RATE_LIMIT_ENABLED=false) ;;
        memory) mode_env=(TOLLGATE_RATE_LIMIT_ENABLED=true TOLLGATE_RATE_LIMIT_STORE=memory) ;;
        postgres) mode_env=(TOLLGATE_RATE_LIMIT_ENABLED=true TOLLGATE_RATE_LIMIT_STORE=postgres) ;;
        *) die "unknown mode $mode (off, memory, postgres)" ;;
    esac
    bench_start_app "$BENCH_PORT" "$BENCH_ALLOWANCE" "${mode_env[@]}" \
        TOLLGATE_RATE_LIMIT_GENERAL_LIMIT=$BENCH_LIMIT TOLLGATE_RATE_LIMIT_MESSAGES_LIMIT=$BENCH_LIMIT \
        TOLLGATE_RATE_LIMIT_SENSITIVE_LIMIT=$BENCH_LIMIT
    cp "$work/app.log" "$work/app-$mode.log"
    # The limiter answers with its headers when on, and sends none when off.
    driver auth-header --key "$work/private.der" --sub "$LIMIT_BASE" --out "$work/auth-header"
    headers=$(curl -sS -m 30 -D - -o /dev/null -H @"$work/auth-header" "$base_url/api/credit/balance" | tr -d '\r')
    rm -f "$work/auth-header"
    if [[ "$mode" == off ]]; then
        grep -qi '^RateLimit-Limit:' <<<"$headers" && die "mode off, but the app sent RateLimit headers"
    else
        grep -qi "^RateLimit-Limit: $BENCH_LIMIT\$" <<<"$headers" || die "mode $mode, but no RateLimit-Limit: $BENCH_LIMIT header"
    fi
    log "mode $mode: the app's headers are as expected"

    snapshot_cmd="$here/lib/cpu-snapshot.sh $app_pid $pg_datadir/postmaster.pid"
    before_cmd="$here/lib/between-runs.sh $BENCH_PG_PORT $BENCH_DB $BENCH_IDLE_BUSY_PERCENT $BENCH_IDLE_WAIT && $snapshot_cmd"
    n_runs=$(( $(wc -w <<<"$BENCH_CLIENTS") * $(wc -w <<<"$BENCH_ENDPOINTS") ))
    driver_timeout=$(( 300 + BENCH_WARMUP_SECONDS + n_runs * (BENCH_IDLE_WAIT + 30 + BENCH_SECONDS) ))
    # shellcheck disable=SC2086
    (cd "$repo" && exec timeout -k 10 "$driver_timeout" java $BENCH_DRIVER_JAVA_OPTS -cp "$(driver_classpath)" "$here/LoadDriver.java" \
        limiter --url "$base_url" --mode "$mode" --key "$work/private.der" --issuer tollgate-bench --audience tollgate \
        --first-user "$LIMIT_BASE" --accounts "$BENCH_USERS" --seconds "$BENCH_SECONDS" \
        --clients "$(echo $BENCH_CLIENTS | tr ' ' ,)" --endpoints "$(echo $BENCH_ENDPOINTS | tr ' ' ,)" \
        --warmup-seconds "$BENCH_WARMUP_SECONDS" --progress "$BENCH_PROGRESS" \
        --before-each "$before_cmd" --after-each "$snapshot_cmd") >>"$work/limiter.out" &
    driver_pid=$!
    driver_rc=0
    wait "$driver_pid" || driver_rc=$?
    driver_pid=""
    (( driver_rc == 0 )) || die "the load driver failed in mode $mode (exit $driver_rc)"
    cp "$work/app.log" "$work/app-$mode.log"
    stop_pid "$app_pid" "the app ($mode)"
    app_pid=""
done

# ---------------------------------------------------------------- 3. the statement alone
pgbench_line="not run (BENCH_PGBENCH=0)"
if [[ "$BENCH_PGBENCH" == 1 ]]; then
    # The limiter's statement exactly as PostgresRateLimitStore sends it, over 1000 callers' buckets.
    cat >"$work/acquire.sql" <<'SQL'
\set u random(1, 1000)
INSERT INTO rate_limit_bucket AS b (bucket_key, tat_micros, checked_micros, admitted)
SELECT 'general|u:' || :u, clock.now_micros + 1, clock.now_micros, true
  FROM (SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now_micros) clock
ON CONFLICT (bucket_key) DO UPDATE SET
    tat_micros = CASE
        WHEN GREATEST(b.tat_micros, EXCLUDED.checked_micros) + 1 - EXCLUDED.checked_micros <= 60000000
        THEN GREATEST(b.tat_micros, EXCLUDED.checked_micros) + 1
        ELSE b.tat_micros END,
    admitted = GREATEST(b.tat_micros, EXCLUDED.checked_micros) + 1 - EXCLUDED.checked_micros <= 60000000,
    checked_micros = EXCLUDED.checked_micros
RETURNING tat_micros, checked_micros, admitted;
SQL
    pgbench_results=()
    for c in $BENCH_CLIENTS; do
        bash "$here/lib/between-runs.sh" "$BENCH_PG_PORT" "$BENCH_DB" "$BENCH_IDLE_BUSY_PERCENT" "$BENCH_IDLE_WAIT" >/dev/null
        out=$(cd / && PGPASSWORD="$db_password" timeout $((BENCH_SECONDS + 60)) pgbench -n -M prepared -h 127.0.0.1 -p "$BENCH_PG_PORT" \
            -U "$BENCH_ROLE" -c "$c" -j "$(( c < 2 ? c : 2 ))" -T "$BENCH_SECONDS" -f "$work/acquire.sql" "$BENCH_DB" 2>&1) \
            || { echo "$out" >&2; die "pgbench failed"; }
        tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | head -1)
        lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' <<<"$out" | head -1)
        pgbench_results+=("$c client$( (( c == 1 )) || echo s): $(printf '%.0f' "$tps") statements/s, mean $lat ms")
    done
    pgbench_line=$(IFS=';'; echo "${pgbench_results[*]}" | sed 's/;/; /g')
fi

# ---------------------------------------------------------------- 4. table
kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }
results="$work/results.tsv"   # endpoint clients mode rps p50 p99 errors cpu_app cpu_db unattributed%
: >"$results"
while read -r line; do
    ok=$(kv ok "$line")
    bad=$(( $(kv s402 "$line") + $(kv s4xx "$line") + $(kv s5xx "$line") + $(kv other "$line") + $(kv io "$line") ))
    before=$(kv before "$line"); busy=${before%%_*}; snap_before=${before#*_}
    cpu=$(awk -v b="$snap_before" -v a="$(kv after "$line")" -v ok="$ok" -v hz="$clk_tck" 'BEGIN {
        split(b, x, ","); split(a, y, ",")
        app = y[1] - x[1]; pg = y[2] - x[2]; busy = y[3] - x[3]; total = y[4] - x[4]
        ms = (ok > 0) ? 1000 / hz / ok : 0
        printf "%.3f\t%.3f\t%.0f\n", app * ms, pg * ms, total ? 100 * (busy - app - pg) / total : 0 }')
    printf '%s\t%s\t%s\t%.0f\t%s\t%s\t%s\t%s\tbg %s%%\n' "$(kv endpoint "$line")" "$(kv clients "$line")" "$(kv mode "$line")" \
        "$(kv tps "$line")" "$(kv p50 "$line")" "$(kv p99 "$line")" "$bad" "$cpu" "$busy" >>"$results"
done < <(grep '^RESULT scenario=limiter' "$work/limiter.out")
[[ -s "$results" ]] || die "the driver reported no runs"

{
    echo "# Tollgate rate-limiter benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    bench_host_lines
    echo "- **one machine, $(nproc) cores shared**: the app, PostgreSQL and the load driver run on it (and anything else running on the machine: see 'unattr. %')"
    echo "- modes: off = TOLLGATE_RATE_LIMIT_ENABLED=false; memory = TOLLGATE_RATE_LIMIT_STORE=memory; postgres = TOLLGATE_RATE_LIMIT_STORE=postgres (one INSERT ... ON CONFLICT DO UPDATE per request, UNLOGGED table); every tier's limit $BENCH_LIMIT per ${BENCH_RATE_LIMIT_PERIOD_SECONDS} s, so the limiter does all its work and refuses nothing; the app restarted per mode"
    echo "- calls: balance = GET /api/credit/balance (tier general), charge = POST /api/credit/charges (tier messages, gpt-4o-mini 100+50 tokens, a unique Idempotency-Key), each with the RS256 token of one of $BENCH_USERS users picked at random"
    echo "- load: bench/LoadDriver.java limiter, closed loop, JDK HttpClient, HTTP/1.1 keep-alive; ${BENCH_WARMUP_SECONDS}s warm-up per mode, ${BENCH_SECONDS}s per run; before each run VACUUM, CHECKPOINT and a wait (<= ${BENCH_IDLE_WAIT}s) until the machine is < ${BENCH_IDLE_BUSY_PERCENT}% busy ('bg')"
    echo "- 'CPU ms/req' = CPU time of the app / of PostgreSQL per successful request; 'unattr. %' = the machine's CPU used by anything else during the run"
    echo
    echo "| call | clients | limiter | req/s | p50 ms | p99 ms | errors | CPU ms/req app / db | unattr. % | added p50 ms vs off | added CPU ms/req vs off | note |"
    echo "|---|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---|"
    awk -F'\t' -v limit="$BENCH_DISTURBED_PERCENT" '
        { k = $1 "," $2; row[NR] = $0; if ($3 == "off") { p50[k] = $5; cpu[k] = $8 + $9 } }
        END {
            for (i = 1; i <= NR; i++) {
                split(row[i], f, "\t"); k = f[1] "," f[2]
                added = (k in p50 && f[3] != "off") ? sprintf("%+.3f", f[5] - p50[k]) : "–"
                addedCpu = (k in cpu && f[3] != "off") ? sprintf("%+.3f", f[8] + f[9] - cpu[k]) : "–"
                note = f[11]; if (f[10] + 0 >= limit + 0) note = note ", **DISTURBED**"
                printf "| %s | %s | %s | %s | %s | %s | %s | %.3f / %.3f | %s | %s | %s | %s |\n",
                    f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], added, addedCpu, note
            }
        }' "$results"
    awk -F'\t' -v limit="$BENCH_DISTURBED_PERCENT" '$10 + 0 >= limit + 0 { d++ } END { if (d) printf "\n%d of %d runs are DISTURBED: other processes used >= %s%% of the machine during the run; compare them with care, or rerun on a quiet machine.\n", d, NR, limit }' "$results"
    echo
    echo "The limiter's statement alone (pgbench -M prepared, the same SQL over 1000 buckets): $pgbench_line"
} >"$report"

echo
cat "$report"
echo
log "report written to ${report#"$repo"/} (app logs and driver output next to it)"
