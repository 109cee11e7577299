#!/usr/bin/env bash
# Tollgate chat benchmark: what POST /v1/chat/completions adds to a call of an OpenAI-compatible
# upstream that answers at once, non-streaming and streaming, at 1, 16 and 64 closed-loop clients
# and at a fixed arrival rate of a third of the measured capacity (open loop); then SQL checks that
# every call through Tollgate was metered.
# See bench/README.md. Run as root from anywhere: bench/chat-bench.sh
set -euo pipefail

BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_CLIENTS=${BENCH_CLIENTS:-"1 16 64"}
BENCH_STREAMS=${BENCH_STREAMS:-"no yes"}
BENCH_USERS=${BENCH_USERS:-1000}
# The app's JIT needs long on 2 cores shared with everything else: after 30 s it still compiled
# during the runs (and the 1-client numbers were 4x worse); after 90 s the machine is idle between runs.
BENCH_WARMUP_SECONDS=${BENCH_WARMUP_SECONDS:-90}
BENCH_RUN_WARMUP_SECONDS=${BENCH_RUN_WARMUP_SECONDS:-2}
BENCH_ALLOWANCE=${BENCH_ALLOWANCE:-1000000000000}
BENCH_DB=${BENCH_DB:-tollgate_chat_bench}
BENCH_ROLE=${BENCH_ROLE:-tollgate_chat_bench}
BENCH_PORT=${BENCH_PORT:-}
BENCH_FAKE_THREADS=${BENCH_FAKE_THREADS:-16}
BENCH_FAKE_JAVA_OPTS=${BENCH_FAKE_JAVA_OPTS:-"-Xmx256m"}
BENCH_DRIVER_JAVA_OPTS=${BENCH_DRIVER_JAVA_OPTS:-"-Xmx1g"}
BENCH_MAX_CONCURRENT=${BENCH_MAX_CONCURRENT:-}
# Longer than the charge bench's 20 s: on a shared machine, let a short build or test run pass first.
BENCH_IDLE_WAIT=${BENCH_IDLE_WAIT:-60}
BENCH_IDLE_BUSY_PERCENT=${BENCH_IDLE_BUSY_PERCENT:-15}
BENCH_DISTURBED_PERCENT=${BENCH_DISTURBED_PERCENT:-15}
BENCH_PROGRESS=${BENCH_PROGRESS:-false}
BENCH_DRIVER_TIMEOUT=${BENCH_DRIVER_TIMEOUT:-}
BENCH_QUIET_WAIT=${BENCH_QUIET_WAIT:-600}
# closed: clients that wait for their answers; open: requests at a fixed arrival rate; both: closed, then open.
BENCH_LOOP=${BENCH_LOOP:-both}
# Open-loop arrival rate, as a fraction of the capacity measured in this run (a/b or a decimal) ...
BENCH_OPEN_FRACTION=${BENCH_OPEN_FRACTION:-1/3}
# ... unless rates are given (requests per second, space-separated; the same for both stream modes).
BENCH_OPEN_RATES=${BENCH_OPEN_RATES:-}
BENCH_OPEN_MAX_OUTSTANDING=${BENCH_OPEN_MAX_OUTSTANDING:-1024}
# The capacity probe at 16 clients, when no closed-loop run at >= 16 clients measured the capacity.
BENCH_CAPACITY_SECONDS=${BENCH_CAPACITY_SECONDS:-5}

# Targets: what Tollgate may add to the upstream's latency, at 16 closed-loop clients and at a third of
# the capacity in the open loop.
TARGET_CLIENTS=16
TARGET_P50_MS=3
TARGET_P99_MS=15

# User ids: 7-digit numbers (equal length, so that text ranges work), one token per user.
CHAT_BASE=4000000
(( BENCH_USERS >= 1 && BENCH_USERS < 1000000 )) || { echo "BENCH_USERS must be 1..999999" >&2; exit 2; }
[[ "$BENCH_SECONDS" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_SECONDS must be a positive whole number" >&2; exit 2; }
[[ "$BENCH_LOOP" =~ ^(closed|open|both)$ ]] || { echo "BENCH_LOOP must be closed, open or both" >&2; exit 2; }
[[ "$BENCH_OPEN_FRACTION" =~ ^[0-9]+(\.[0-9]+)?(/[1-9][0-9]*)?$ ]] || { echo "BENCH_OPEN_FRACTION must be a/b or a decimal" >&2; exit 2; }
[[ -z "$BENCH_OPEN_RATES" || "$BENCH_OPEN_RATES" =~ ^[0-9]+(\.[0-9]+)?( +[0-9]+(\.[0-9]+)?)*$ ]] \
    || { echo "BENCH_OPEN_RATES must be requests per second, space-separated" >&2; exit 2; }
[[ "$BENCH_CAPACITY_SECONDS" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_CAPACITY_SECONDS must be a positive whole number" >&2; exit 2; }
[[ "$BENCH_OPEN_MAX_OUTSTANDING" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_OPEN_MAX_OUTSTANDING must be a positive whole number" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
results_dir="$here/results"
report="$results_dir/chat-$stamp.md"
mkdir -p "$results_dir"

work=$(mktemp -d /tmp/tollgate-chat-bench.XXXXXX)
chmod 700 "$work"

# shellcheck source=lib/common.sh
source "$here/lib/common.sh"

# ---------------------------------------------------------------- cleanup (always)
fake_pid=""
driver_pid=""
cleanup() {
    local rc=$?
    set +e
    [[ -f "$work/app.log" ]] && cp "$work/app.log" "$results_dir/chat-$stamp.app.log"
    [[ -f "$work/fake.log" ]] && cp "$work/fake.log" "$results_dir/chat-$stamp.fake.log"
    [[ -f "$work/chat.out" ]] && cp "$work/chat.out" "$results_dir/chat-$stamp.driver.txt"
    stop_pid "$driver_pid" "the load driver"
    stop_pid "$fake_pid" "the fake upstream"
    bench_cleanup
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_require_tools psql pg_ctlcluster pg_lsclusters runuser openssl curl java awk timeout
# Nothing else heavy on the machine: the charge bench and Maven builds would disturb every number
# (and a build could race ours on target/). Wait for them, bounded.
quiet_deadline=$((SECONDS + BENCH_QUIET_WAIT))
while pgrep -f 'charge-bench[.]sh' >/dev/null || pgrep -f 'plexus-classworlds|mvnw' >/dev/null; do
    if (( SECONDS >= quiet_deadline )); then
        pgrep -f 'charge-bench[.]sh' >/dev/null && die "bench/charge-bench.sh is still running after ${BENCH_QUIET_WAIT}s: the two benchmarks would disturb each other"
        log "WARNING: a Maven build is still running after ${BENCH_QUIET_WAIT}s; measuring anyway (its runs will show as DISTURBED)"
        break
    fi
    (( SECONDS % 30 == 0 )) && log "waiting for the charge bench or a Maven build to finish (<= ${BENCH_QUIET_WAIT}s)"
    sleep 1
done

# ---------------------------------------------------------------- 1. PostgreSQL, build, key
bench_postgres
bench_database
bench_package
bench_token_key

# ---------------------------------------------------------------- 2. the fake upstream
bench_start_fake "$BENCH_FAKE_THREADS"

# ---------------------------------------------------------------- 3. the app against it
if [[ -z "$BENCH_PORT" ]]; then BENCH_PORT=$(bench_free_port 18200 18300); fi
app_env=(OPENAI_BASE_URL="$upstream_url" OPENAI_MODELS=gpt-4o-mini OPENAI_API_KEY=bench)
[[ -n "$BENCH_MAX_CONCURRENT" ]] && app_env+=(TOLLGATE_PROVIDERS_OPENAI_MAX_CONCURRENT="$BENCH_MAX_CONCURRENT")
bench_start_app "$BENCH_PORT" "$BENCH_ALLOWANCE" "${app_env[@]}"
bench_check_allowance "$CHAT_BASE" "$BENCH_ALLOWANCE"

# ---------------------------------------------------------------- 4. measurements
# Before every run: VACUUM credit_account, CHECKPOINT, bounded wait until the machine is idle (prints
# the busy %). Around every measured run: a CPU snapshot "app,postgres,busy,total,fake" (lib/).
before_cmd="$here/lib/between-runs.sh $BENCH_PG_PORT $BENCH_DB $BENCH_IDLE_BUSY_PERCENT $BENCH_IDLE_WAIT"
snapshot_cmd="$here/lib/cpu-snapshot.sh $app_pid $pg_datadir/postmaster.pid $fake_pid"
clk_tck=$(getconf CLK_TCK)
n_streams=$(wc -w <<<"$BENCH_STREAMS")
n_closed=0; n_open=0; n_probes=0
[[ "$BENCH_LOOP" != open ]] && n_closed=$((2 * n_streams * $(wc -w <<<"$BENCH_CLIENTS")))
if [[ "$BENCH_LOOP" != closed ]]; then
    n_rates=1
    [[ -n "$BENCH_OPEN_RATES" ]] && n_rates=$(wc -w <<<"$BENCH_OPEN_RATES")
    n_open=$((2 * n_streams * n_rates))
    # The driver probes the capacity when no closed-loop run at >= 16 clients measured it.
    highest_clients=$(tr ' ' '\n' <<<"$BENCH_CLIENTS" | sort -n | tail -1)
    if [[ -z "$BENCH_OPEN_RATES" ]] && { [[ "$BENCH_LOOP" == open ]] || (( highest_clients < 16 )); }; then
        n_probes=$n_streams
    fi
fi
open_args=(--loop "$BENCH_LOOP" --open-fraction "$BENCH_OPEN_FRACTION" --max-outstanding "$BENCH_OPEN_MAX_OUTSTANDING"
    --capacity-seconds "$BENCH_CAPACITY_SECONDS")
[[ -n "$BENCH_OPEN_RATES" ]] && open_args+=(--rates "$(echo $BENCH_OPEN_RATES | tr ' ' ,)")
# Every run: its idle wait (<= BENCH_IDLE_WAIT + VACUUM), its warm-up, its measurement (an open-loop run
# also waits <= 30 s for its last answers); plus opening, the warm-up and a margin. The driver is killed past that.
run_budget=$((BENCH_IDLE_WAIT + 30 + BENCH_RUN_WARMUP_SECONDS + BENCH_SECONDS))
: "${BENCH_DRIVER_TIMEOUT:=$(( 300 + BENCH_WARMUP_SECONDS + n_closed * run_budget + n_open * (run_budget + 30)
    + n_probes * (BENCH_IDLE_WAIT + 30 + BENCH_RUN_WARMUP_SECONDS + BENCH_CAPACITY_SECONDS) ))}"

log "driver: signing $BENCH_USERS tokens, opening the accounts, ${BENCH_WARMUP_SECONDS}s warm-up, then $n_closed closed-loop and $n_open open-loop runs of ${BENCH_SECONDS}s (each after ${BENCH_RUN_WARMUP_SECONDS}s of its own warm-up)$( (( n_probes > 0 )) && echo ", $n_probes capacity probes of ${BENCH_CAPACITY_SECONDS}s")"
driver_rc=0
# In the background, so that a signal reaches the trap at once (bash runs traps only between commands).
# shellcheck disable=SC2086
(cd "$repo" && exec timeout -k 10 "$BENCH_DRIVER_TIMEOUT" java $BENCH_DRIVER_JAVA_OPTS -cp "$(driver_classpath)" "$here/LoadDriver.java" \
    chat --url "$base_url" --upstream "$upstream_url" --upstream-key bench \
    --key "$work/private.der" --issuer tollgate-bench --audience tollgate \
    --first-user "$CHAT_BASE" --accounts "$BENCH_USERS" --seconds "$BENCH_SECONDS" \
    --clients "$(echo $BENCH_CLIENTS | tr ' ' ,)" --streams "$(echo $BENCH_STREAMS | tr ' ' ,)" \
    --warmup-seconds "$BENCH_WARMUP_SECONDS" --run-warmup-seconds "$BENCH_RUN_WARMUP_SECONDS" \
    "${open_args[@]}" --progress "$BENCH_PROGRESS" --before-each "$before_cmd" --snapshot "$snapshot_cmd") >"$work/chat.out" &
driver_pid=$!
wait "$driver_pid" || driver_rc=$?
driver_pid=""
grep -E '^(OPENED|PROBE|WARMUP|CAPACITY)' "$work/chat.out" | sed 's/^/[driver] /' >&2 || true
(( driver_rc == 0 )) || die "the load driver failed (exit $driver_rc$( (( driver_rc == 124 )) && echo ", killed after ${BENCH_DRIVER_TIMEOUT}s" ))"

kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }

# errors_of RESULT_LINE: 0, or the failed answers by kind.
errors_of() {
    local s4xx s5xx other io incomplete
    s4xx=$(kv s4xx "$1"); s5xx=$(kv s5xx "$1"); other=$(kv other "$1"); io=$(kv io "$1"); incomplete=$(kv incomplete "$1")
    if (( s4xx + s5xx + other + io + incomplete == 0 )); then echo 0; return; fi
    echo "4xx: $s4xx, 5xx: $s5xx, io: $io, incomplete: $incomplete$( (( other > 0 )) && echo ", other: $other")"
}

# cpu_of RESULT_LINE: "app+db+fake+load<TAB>unattributed %<TAB>total", CPU ms per successful request.
cpu_of() {
    local driver_ticks
    driver_ticks=$(( $(kv driver_cpu_ms "$1") * clk_tck / 1000 ))
    awk -v b="$(kv before "$1")" -v a="$(kv after "$1")" -v load="$driver_ticks" -v ok="$(kv ok "$1")" -v hz="$clk_tck" 'BEGIN {
        split(b, x, ","); split(a, y, ",")
        app = y[1] - x[1]; pg = y[2] - x[2]; busy = y[3] - x[3]; total = y[4] - x[4]; fake = y[5] - x[5]
        other = busy - app - pg - fake - load; if (other < 0) other = 0
        ms = (ok > 0) ? 1000 / hz / ok : 0
        printf "%.3f+%.3f+%.3f+%.3f\t%.0f\t%.3f\n", app * ms, pg * ms, fake * ms, load * ms, total ? 100 * other / total : 0, (app + pg + fake + load) * ms }'
}

results="$work/results.tsv"   # mode stream clients rps p50 p99 errors cpu(a+d+f+l) unattributed% cpu_total note
: >"$results"
while read -r line; do
    printf '%s\t%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%s\n' "$(kv mode "$line")" "$(kv stream "$line")" "$(kv clients "$line")" \
        "$(kv rps "$line")" "$(kv p50 "$line")" "$(kv p99 "$line")" "$(errors_of "$line")" "$(cpu_of "$line")" \
        "bg $(kv busy "$line")%, $(kv ok "$line") ok" >>"$results"
done < <(grep '^RESULT loop=closed ' "$work/chat.out")
# mode stream offered achieved p50 p90 p99 max errors dropped cpu(a+d+f+l) unattributed% cpu_total note
open_results="$work/open-results.tsv"
: >"$open_results"
while read -r line; do
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(kv mode "$line")" "$(kv stream "$line")" \
        "$(kv offered_rps "$line")" "$(kv achieved_rps "$line")" "$(kv p50 "$line")" "$(kv p90 "$line")" "$(kv p99 "$line")" \
        "$(kv max "$line")" "$(errors_of "$line")" "$(kv dropped "$line")" "$(cpu_of "$line")" \
        "bg $(kv busy "$line")%, $(kv ok "$line") ok of $(kv sent "$line") sent, send lag max $(kv send_lag_max "$line") ms" >>"$open_results"
done < <(grep '^RESULT loop=open ' "$work/chat.out")
[[ -s "$results" || -s "$open_results" ]] || die "the driver reported no runs"
# stream -> "rps<TAB>source<TAB>clients" of the capacity the open-loop rates were derived from
capacities=$(awk '/^CAPACITY/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } print f["stream"] "\t" f["rps"] "\t" f["source"] "\t" f["clients"] }' "$work/chat.out")
tollgate_2xx=$(sed -n 's/^TOTAL .*tollgate_2xx=\([0-9]*\).*/\1/p' "$work/chat.out")
fake_stats=$(curl -fsS -m 10 "http://127.0.0.1:$fake_port/stats" || echo '?')

# ---------------------------------------------------------------- 5. metering checks
pg_admin -d "$BENCH_DB" -v lo="$CHAT_BASE" -v hi="$((CHAT_BASE + BENCH_USERS - 1))" -f "$here/sql/chat-check.sql" >"$work/check.txt"
check() { awk -F'|' -v k="$1" '$1 == k {print $2}' "$work/check.txt"; }
usage_rows=$(check 'token_usage rows of the bench users')
settle_rows=$(check 'SETTLE entries of the bench users')
held=$(check 'reservations left HELD')
unbalanced=$(check 'accounts whose buckets differ from the sum of their ledger deltas')
usage_unsettled=$(check 'token_usage rows without their SETTLE entry')
settle_unrecorded=$(check 'SETTLE entries without their token_usage row')
compensations=$(check 'compensations queued (settles that failed in line)')
charged_usage=$(check 'millicredits charged, token_usage')
charged_settle=$(check 'millicredits charged, SETTLE entries')
metered=OK
for v in "$usage_rows" "$settle_rows" "$held" "$unbalanced" "$usage_unsettled" "$settle_unrecorded" "$compensations" "$charged_usage" "$charged_settle"; do
    [[ "$v" =~ ^[0-9]+$ ]] || metered=FAILED
done
[[ -n "$tollgate_2xx" && "$tollgate_2xx" == "$usage_rows" && "$tollgate_2xx" == "$settle_rows" ]] || metered=FAILED
[[ "$held$unbalanced$usage_unsettled$settle_unrecorded$compensations" == 00000 ]] || metered=FAILED
[[ "$charged_usage" == "$charged_settle" ]] || metered=FAILED

# ---------------------------------------------------------------- 6. report
# disturbed_note TSV COLUMN: a paragraph if runs of TSV had >= BENCH_DISTURBED_PERCENT in their unattributed column.
disturbed_note() {
    awk -F'\t' -v col="$2" -v limit="$BENCH_DISTURBED_PERCENT" '$col + 0 >= limit + 0 { d++ } END { if (d) printf "\n%d of %d runs are DISTURBED: other processes used >= %s%% of the machine during the run; their numbers are not comparable, rerun on a quiet machine.\n", d, NR, limit }' "$1"
}

# closed_report: the closed-loop runs, what Tollgate adds per client count, the targets at 16 clients.
closed_report() {
    echo "## Closed loop: clients that wait for their answers"
    echo
    echo "Each client sends its next request when the previous answer is read completely; per run ${BENCH_RUN_WARMUP_SECONDS}s of unmeasured warm-up at its client count and ${BENCH_SECONDS}s measured."
    echo
    echo "| mode | stream | clients | req/s | p50 ms | p99 ms | errors | CPU ms/req app+db+fake+load | unattr. % | note |"
    echo "|---|---|---:|---:|---:|---:|---|---|---:|---|"
    awk -F'\t' -v limit="$BENCH_DISTURBED_PERCENT" '{
        note = $11; if ($9 + 0 >= limit + 0) note = note ", **DISTURBED**"
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, note }' "$results"
    disturbed_note "$results" 9
    echo
    echo "What Tollgate adds (tollgate minus direct, same stream mode and client count):"
    echo
    echo "| stream | clients | added p50 ms | added p99 ms | tollgate req/s | direct req/s | tollgate/direct | tollgate CPU ms/req app / db | CPU-bound ceiling req/s |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|---:|"
    awk -F'\t' -v cores="$(nproc)" '
        { k = $2 "," $3; if ($1 == "direct") { d[k] = 1; dp50[k] = $5; dp99[k] = $6; drps[k] = $4 }
          else { tp50[k] = $5; tp99[k] = $6; trps[k] = $4; tcpu[k] = $8; ttot[k] = $10; order[++n] = k } }
        END {
            for (i = 1; i <= n; i++) {
                k = order[i]; if (!(k in d)) continue
                split(k, sc, ","); split(tcpu[k], tc, "+")
                printf "| %s | %s | %.2f | %.2f | %s | %s | %.2f | %.2f / %.2f | %.0f |\n", sc[1], sc[2], tp50[k] - dp50[k], tp99[k] - dp99[k],
                    trps[k], drps[k], (drps[k] > 0 ? trps[k] / drps[k] : 0), tc[1], tc[2], (ttot[k] > 0 ? cores * 1000 / ttot[k] : 0)
            }
        }' "$results"
    echo
    echo "CPU-bound ceiling = $(nproc) cores x 1000 ms / (app+db+fake+load CPU ms per tollgate request): the most requests per second this machine could serve with that CPU cost per call. Once the clients keep every core busy, latency is about clients / throughput (Little's law), so at 16 and 64 clients the added latency is mostly the added CPU per call, queued."
    echo
    echo "Targets at $TARGET_CLIENTS closed-loop clients: Tollgate adds < $TARGET_P50_MS ms p50 and < $TARGET_P99_MS ms p99, with every call fully metered (the machine is saturated there, so this includes queueing for CPU; the open loop measures the added latency below saturation). For reference, LiteLLM publishes 12 ms median / 43 ms p99 proxy overhead."
    echo
    awk -F'\t' -v c="$TARGET_CLIENTS" -v tp50="$TARGET_P50_MS" -v tp99="$TARGET_P99_MS" '
        { k = $2 "," $3; if ($1 == "direct") { d50[k] = $5; d99[k] = $6 } else { t50[k] = $5; t99[k] = $6; order[++n] = k } }
        END {
            m = 0
            for (i = 1; i <= n; i++) {
                k = order[i]; if (!(k in d50)) continue
                split(k, sc, ","); a50 = t50[k] - d50[k]; a99 = t99[k] - d99[k]
                if (sc[2] == c) {
                    m++
                    printf "- **target**, stream %s, %s clients: added p50 %.2f ms (< %s) **%s**; added p99 %.2f ms (< %s) **%s**; against LiteLLM (12 ms p50 / 43 ms p99): p50 %s, p99 %s\n",
                        sc[1], c, a50, tp50, (a50 < tp50 ? "MET" : "MISSED"), a99, tp99, (a99 < tp99 ? "MET" : "MISSED"),
                        (a50 < 12 ? "lower" : "higher"), (a99 < 43 ? "lower" : "higher")
                } else {
                    printf "- for comparison, stream %s, %s client%s: added p50 %.2f ms, p99 %.2f ms%s\n", sc[1], sc[2], (sc[2] == 1 ? "" : "s"),
                        a50, a99, (sc[2] == 1 ? " (an unloaded call: no queueing for CPU)" : "")
                }
            }
            if (m == 0) printf "- no run at %s clients: the targets were not measured\n", c
        }' "$results"
}

# rate_source: where the open-loop rates came from, per stream mode.
rate_source() {
    if [[ -n "$BENCH_OPEN_RATES" ]]; then
        echo "given (BENCH_OPEN_RATES): $BENCH_OPEN_RATES req/s"
        return
    fi
    awk -F'\t' -v f="$BENCH_OPEN_FRACTION" 'BEGIN { n = split(f, ab, "/"); fraction = (n == 2 ? ab[1] / ab[2] : f + 0) } {
        printf "%sstream %s: %s of %s req/s (Tollgate'"'"'s throughput %s at %s clients) = %.1f req/s", sep, $1, f, $2,
            ($3 == "closed" ? "in the closed-loop run" : "in a '"$BENCH_CAPACITY_SECONDS"' s closed-loop probe"), $4, fraction * $2; sep = "; " }' <<<"$capacities"
}

# open_report: the open-loop runs, and what Tollgate adds at a fixed arrival rate with its targets.
open_report() {
    echo "## Open loop: a fixed arrival rate"
    echo
    echo "- requests arrive at a fixed rate whatever the answers do: request i is due at start + i / rate and is sent (HttpClient.sendAsync) without waiting for any answer; latency = from its due time until its whole answer was read, so a stall of the app, or of the driver, counts for every request due during it (no coordinated omission). An arrival that finds $BENCH_OPEN_MAX_OUTSTANDING requests in flight is not sent and counts as dropped. Per run ${BENCH_RUN_WARMUP_SECONDS}s of unmeasured warm-up at its rate and ${BENCH_SECONDS}s measured; 'achieved' = complete 2xx answers per second until the last answer; 'send lag max' = the scheduler's worst lateness (the driver's own stalls, part of the latencies)"
    echo "- rate: $(rate_source)"
    echo
    echo "| mode | stream | offered req/s | achieved req/s | p50 ms | p90 ms | p99 ms | max ms | errors | dropped | CPU ms/req app+db+fake+load | unattr. % | note |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---|"
    awk -F'\t' -v limit="$BENCH_DISTURBED_PERCENT" '{
        note = $14; if ($12 + 0 >= limit + 0) note = note ", **DISTURBED**"
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, note }' "$open_results"
    disturbed_note "$open_results" 12
    echo
    echo "### What Tollgate adds at a fixed arrival rate"
    echo
    echo "Tollgate minus direct, same stream mode and arrival rate."
    echo
    echo "| stream | offered req/s | added p50 ms | added p99 ms | tollgate p50 / p99 ms | direct p50 / p99 ms | tollgate CPU ms/req app / db | errors or dropped |"
    echo "|---|---:|---:|---:|---:|---:|---|---|"
    awk -F'\t' '
        { k = $2 "\t" $3; bad = ($9 != "0" || $10 + 0 > 0) ? $1 : ""
          if ($1 == "direct") { d[k] = 1; d50[k] = $5; d99[k] = $7; dbad[k] = bad }
          else { t50[k] = $5; t99[k] = $7; tcpu[k] = $11; tbad[k] = bad; order[++n] = k } }
        END {
            for (i = 1; i <= n; i++) {
                k = order[i]; if (!(k in d)) continue
                split(k, sr, "\t"); split(tcpu[k], tc, "+")
                bad = dbad[k] tbad[k]; if (dbad[k] != "" && tbad[k] != "") bad = "both"
                printf "| %s | %s | %.2f | %.2f | %s / %s | %s / %s | %.2f / %.2f | %s |\n", sr[1], sr[2], t50[k] - d50[k], t99[k] - d99[k],
                    t50[k], t99[k], d50[k], d99[k], tc[1], tc[2], (bad == "" ? "none" : "**" bad "** (see the runs)")
            }
        }' "$open_results"
    echo
    echo "Targets at a fixed arrival rate of about a third of the capacity (this run: $([[ -n "$BENCH_OPEN_RATES" ]] && echo "given rates" || echo "$BENCH_OPEN_FRACTION of it")): Tollgate adds < $TARGET_P50_MS ms p50 and < $TARGET_P99_MS ms p99, with every call fully metered. For reference, LiteLLM publishes 12 ms median / 43 ms p99 proxy overhead."
    echo
    awk -F'\t' -v tp50="$TARGET_P50_MS" -v tp99="$TARGET_P99_MS" '
        { k = $2 "\t" $3; bad = ($9 != "0" || $10 + 0 > 0)
          if ($1 == "direct") { d[k] = 1; d50[k] = $5; d99[k] = $7; dbad[k] = bad }
          else { t50[k] = $5; t99[k] = $7; tbad[k] = bad; order[++n] = k } }
        END {
            for (i = 1; i <= n; i++) {
                k = order[i]; if (!(k in d)) continue
                split(k, sr, "\t"); a50 = t50[k] - d50[k]; a99 = t99[k] - d99[k]
                printf "- **target**, stream %s, %s req/s: added p50 %.2f ms (< %s) **%s**; added p99 %.2f ms (< %s) **%s**; against LiteLLM (12 ms p50 / 43 ms p99): p50 %s, p99 %s%s\n",
                    sr[1], sr[2], a50, tp50, (a50 < tp50 ? "MET" : "MISSED"), a99, tp99, (a99 < tp99 ? "MET" : "MISSED"),
                    (a50 < 12 ? "lower" : "higher"), (a99 < 43 ? "lower" : "higher"),
                    (dbad[k] || tbad[k] ? " (**not comparable**: errors or dropped arrivals in this pair)" : "")
            }
            if (n == 0) print "- no open-loop run of Tollgate: the targets were not measured"
        }' "$open_results"
}

{
    echo "# Tollgate chat benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    bench_host_lines
    echo "- **one machine, $(nproc) cores shared**: the app, PostgreSQL, the fake upstream and the load driver all run on it, so every number includes their competition for the same CPUs (at 16 and 64 closed-loop clients the machine is saturated and latency is mostly queueing for CPU)"
    echo "- fake upstream: bench/FakeUpstream.java (JDK com.sun.net.httpserver, $BENCH_FAKE_THREADS handler threads, keep-alive, TCP_NODELAY), answers at once, the prompt counted as OpenAI bills it (o200k_base): a chat.completion with usage, or SSE: 5 content chunks, a finish chunk, a usage chunk (choices: []), [DONE], each event flushed on its own; fake's counters at the end: $fake_stats"
    echo "- app: prod profile, upstream openai = the fake (OPENAI_BASE_URL, OPENAI_MODELS=gpt-4o-mini, OPENAI_API_KEY=bench)$([[ -n "$BENCH_MAX_CONCURRENT" ]] && echo ", max-concurrent $BENCH_MAX_CONCURRENT" || echo ", max-concurrent default (64)"); a new account gets $BENCH_ALLOWANCE millicredits"
    echo "- request: gpt-4o-mini, a system and a user message, max_tokens 32; stream = \"stream\": true with stream_options.include_usage, the whole SSE body read to data: [DONE]"
    echo "- direct = the same request and body straight to the fake upstream; tollgate = POST /v1/chat/completions with an RS256 bearer token of one of $BENCH_USERS users, picked at random per request (accounts opened with GET /api/credit/balance first)"
    echo "- load: bench/LoadDriver.java chat ($BENCH_LOOP loop$([[ "$BENCH_LOOP" == both ]] && echo "s: closed, then open")), JDK HttpClient, HTTP/1.1 keep-alive; latency per request until the full answer was read; ${BENCH_WARMUP_SECONDS}s of warm-up over all four kinds of call before the runs ($(awk '/^WARMUP/ { sub(/^WARMUP /, ""); printf "%s%s", sep, $0; sep = "; " }' "$work/chat.out"))"
    echo "- before each run VACUUM credit_account, CHECKPOINT and a wait (<= ${BENCH_IDLE_WAIT} s) until the machine is < ${BENCH_IDLE_BUSY_PERCENT}% busy ('bg'); 'CPU ms/req' = CPU time of app + PostgreSQL + fake upstream + load driver per successful request; 'unattr. %' = CPU of the machine used by anything else during the run; errors = non-2xx, I/O errors, and 2xx answers that were cut short or carried an error event"
    if [[ -s "$results" ]]; then echo; closed_report; fi
    if [[ -s "$open_results" ]]; then echo; open_report; fi
    echo "- every call fully metered: $metered (below)"
    echo
    echo "Metering after all runs (SQL on the bench database):"
    echo
    echo "- 2xx answers of POST /v1/chat/completions counted by the driver (probes, warm-ups, capacity probes and runs): ${tollgate_2xx:-?}; token_usage rows: $usage_rows; SETTLE ledger entries: $settle_rows -> $([[ -n "$tollgate_2xx" && "$tollgate_2xx" == "$usage_rows" && "$tollgate_2xx" == "$settle_rows" ]] && echo OK || echo MISMATCH)"
    awk -F'|' '{ printf "- %s: %s\n", $1, $2 }' "$work/check.txt"
    echo "- verdict: **$metered** (2xx = usage rows = SETTLE entries; no reservation HELD; buckets = sum of ledger deltas for every account; every usage row has its SETTLE entry and vice versa; no compensation queued; charged sums agree)"
} >"$report"

echo
cat "$report"
echo
log "report written to ${report#"$repo"/} (app and fake logs next to it)"
[[ "$metered" == OK ]] || die "not every call through Tollgate was metered (see above)"
