#!/usr/bin/env bash
# Tollgate start-up benchmark: how long the packaged JVM app (target/quarkus-app/quarkus-run.jar)
# takes from exec until /q/health/ready (management port) answers UP, with how much CPU, and its resident memory
# (RSS) then and after a short load of charges — what scale-to-zero and the one-shot CronJobs pay.
# See bench/README.md. Run as root from anywhere: bench/startup-bench.sh
set -euo pipefail

BENCH_STARTS=${BENCH_STARTS:-5}
BENCH_LOAD_SECONDS=${BENCH_LOAD_SECONDS:-20}
BENCH_LOAD_CLIENTS=${BENCH_LOAD_CLIENTS:-16}
BENCH_ACCOUNTS=${BENCH_ACCOUNTS:-200}
BENCH_ALLOWANCE=${BENCH_ALLOWANCE:-1000000000000}
BENCH_DB=${BENCH_DB:-tollgate_startup_bench}
BENCH_ROLE=${BENCH_ROLE:-tollgate_startup_bench}
BENCH_PORT=${BENCH_PORT:-}
BENCH_POLL_SECONDS=${BENCH_POLL_SECONDS:-0.05}
BENCH_DRIVER_JAVA_OPTS=${BENCH_DRIVER_JAVA_OPTS:-"-Xmx512m"}

# User ids of the load: 7-digit numbers, apart from the other benches'.
LOAD_BASE=5000000
[[ "$BENCH_STARTS" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_STARTS must be a positive whole number" >&2; exit 2; }
[[ "$BENCH_LOAD_SECONDS" =~ ^[0-9]+$ ]] || { echo "BENCH_LOAD_SECONDS must be a whole number" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
results_dir="$here/results"
report="$results_dir/startup-$stamp.md"
mkdir -p "$results_dir"

work=$(mktemp -d /tmp/tollgate-startup-bench.XXXXXX)
chmod 700 "$work"

# shellcheck source=lib/common.sh
source "$here/lib/common.sh"

cleanup() {
    local rc=$?
    set +e
    [[ -f "$work/app.log" ]] && cp "$work/app.log" "$results_dir/startup-$stamp-app.log"
    bench_cleanup
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

clock_ticks=$(getconf CLK_TCK)

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# rss_mib PID FIELD: VmRSS or VmHWM (peak) of the process, in MiB.
rss_mib() { awk -v f="$2:" '$1 == f {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
# cpu_seconds PID: user + system CPU time the process has used so far.
cpu_seconds() { awk -v t="$clock_ticks" '{printf "%.2f", ($14 + $15) / t}' "/proc/$1/stat"; }
load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# start_once: starts the app like bench_start_app (prod profile, bench database, throw-away key) and
# measures it. Sets ready_ms, cpu_at_ready, rss_at_ready, quarkus_started.
start_once() {
    local t0 deadline
    base_url="http://127.0.0.1:$port"
    bench_management_port
    : >"$work/app.log"
    t0=$(now_ms)
    (
        cd "$repo"
        bench_export_app_env "$port" "$BENCH_ALLOWANCE"
        # As the serverless deployment runs it: no scheduler.
        export QUARKUS_SCHEDULER_ENABLED=false
        # shellcheck disable=SC2086
        exec java $BENCH_APP_JAVA_OPTS -jar "$run_jar"
    ) >>"$work/app.log" 2>&1 &
    app_pid=$!
    deadline=$((SECONDS + BENCH_START_TIMEOUT))
    until curl -fsS -m 2 "$management_url/q/health/ready" 2>/dev/null | grep -q '"status": *"UP"'; do
        kill -0 "$app_pid" 2>/dev/null || { tail -40 "$work/app.log" >&2; die "the app exited during start"; }
        (( SECONDS < deadline )) || { tail -40 "$work/app.log" >&2; die "the app was not ready within ${BENCH_START_TIMEOUT}s"; }
        sleep "$BENCH_POLL_SECONDS"
    done
    ready_ms=$(( $(now_ms) - t0 ))
    cpu_at_ready=$(cpu_seconds "$app_pid")
    rss_at_ready=$(rss_mib "$app_pid" VmRSS)
    quarkus_started=$(grep -o 'started in [0-9.]*s' "$work/app.log" | head -1 | sed 's/started in //')
}

bench_require_tools curl psql openssl java pg_lsclusters runuser awk getconf
bench_postgres
bench_database
bench_package
bench_token_key
port=${BENCH_PORT:-$(bench_free_port 18300 18400)}

rows=()
ready_warm=()
for ((i = 1; i <= BENCH_STARTS; i++)); do
    load_before=$(load_average)
    start_once
    if (( i == 1 )); then what="1 (empty database: Flyway migrates)"; else what="$i"; ready_warm+=("$ready_ms"); fi
    log "start $i: ready in $ready_ms ms (Quarkus: started in ${quarkus_started:-?}), CPU ${cpu_at_ready} s, RSS ${rss_at_ready} MiB"
    rows+=("| $what | $ready_ms | ${quarkus_started:-?} | $cpu_at_ready | $rss_at_ready | $load_before |")
    if (( i < BENCH_STARTS )); then
        stop_pid "$app_pid" "the app"
        app_pid=""
    fi
done

# The last instance stays up: a short load of charges, then its memory.
load_line="(no load: BENCH_LOAD_SECONDS=0)"
rss_after_load="–"
hwm_after_load="–"
if (( BENCH_LOAD_SECONDS > 0 )); then
    log "load: $BENCH_LOAD_CLIENTS clients charging over $BENCH_ACCOUNTS accounts for $BENCH_LOAD_SECONDS s"
    driver series --url "$base_url" --key "$work/private.der" --issuer tollgate-bench --audience tollgate \
        --hot-user "$LOAD_BASE" --first-user "$((LOAD_BASE + 1))" --accounts "$BENCH_ACCOUNTS" \
        --seconds "$BENCH_LOAD_SECONDS" --clients "$BENCH_LOAD_CLIENTS" --variants spread --warmup-seconds 0 \
        >"$work/load.out"
    result=$(grep '^RESULT' "$work/load.out" | head -1)
    kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $result"; }
    bad=$(( $(kv s402) + $(kv s4xx) + $(kv s5xx) + $(kv other) + $(kv io) ))
    load_line="$(kv ok) charges in $(kv seconds) s at $BENCH_LOAD_CLIENTS clients ($(kv tps)/s, p50 $(kv p50) ms, p99 $(kv p99) ms, $bad not 2xx), after opening $((BENCH_ACCOUNTS + 1)) accounts"
    rss_after_load=$(rss_mib "$app_pid" VmRSS)
    hwm_after_load=$(rss_mib "$app_pid" VmHWM)
fi
cpu_total=$(cpu_seconds "$app_pid")

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {if (NR == 0) print "–"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
min_of() { printf '%s\n' "$@" | sort -n | head -1; }
max_of() { printf '%s\n' "$@" | sort -n | tail -1; }

{
    echo "# Start-up and memory of the packaged JVM app, $stamp"
    echo
    bench_host_lines
    echo "- JVM options: ${BENCH_APP_JAVA_OPTS:-(none: the JVM's defaults, max heap = 1/4 of the machine's memory)}; scheduler off, as deployed"
    echo "- ready = from exec of \`java -jar quarkus-run.jar\` until \`GET /q/health/ready\` on the management port answers UP (database check included), polled every ${BENCH_POLL_SECONDS} s; CPU = user + system time of the app until then; RSS = VmRSS"
    echo
    echo "| start | ready ms | Quarkus \"started in\" | CPU s | RSS MiB | load average before |"
    echo "|---|---:|---:|---:|---:|---|"
    printf '%s\n' "${rows[@]}"
    echo
    if (( ${#ready_warm[@]} > 0 )); then
        echo "Starts on a migrated database: ready in median $(median "${ready_warm[@]}") ms (min $(min_of "${ready_warm[@]}"), max $(max_of "${ready_warm[@]}"), ${#ready_warm[@]} starts)."
    fi
    echo
    echo "| memory of the last instance | MiB |"
    echo "|---|---:|"
    echo "| RSS when ready | ${rss_at_ready} |"
    echo "| RSS after the load | ${rss_after_load} |"
    echo "| peak RSS (VmHWM) | ${hwm_after_load} |"
    echo
    echo "Load: $load_line. The app used $cpu_total s of CPU in all."
    echo
    echo "The machine's load average is shown per start: the app, PostgreSQL and anything else running share its cores, so a busy machine makes the start slower; rerun when it is quiet."
} | tee "$report"
log "report: $report"
