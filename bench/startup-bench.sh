#!/usr/bin/env bash
# Tollgate start-up benchmark: what a cold start of the packaged JVM app costs — what Knative's
# scale-to-zero and every one-shot CronJob pay — side by side on JDK 17, JDK 25, and JDK 25 with the
# Leyden AOT cache of the -Paot build. Per start: the time from exec until the readiness check answers
# UP, until the first charge is answered, and the wall time of one `job <name>` run with nothing to do;
# CPU and resident memory (RSS) when ready. See bench/README.md. Run as root from anywhere:
#   flock /tmp/tollgate-build.lock bench/startup-bench.sh
set -euo pipefail

BENCH_STARTS=${BENCH_STARTS:-5}
BENCH_VARIANTS=${BENCH_VARIANTS:-"jdk17 jdk25 jdk25-aot"}
BENCH_JDK17_HOME=${BENCH_JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
BENCH_JDK25_HOME=${BENCH_JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
BENCH_AOT_APP=${BENCH_AOT_APP:-}
BENCH_JOB=${BENCH_JOB:-expire-holds}
BENCH_LOAD_SECONDS=${BENCH_LOAD_SECONDS:-0}
BENCH_LOAD_CLIENTS=${BENCH_LOAD_CLIENTS:-16}
BENCH_ACCOUNTS=${BENCH_ACCOUNTS:-200}
BENCH_ALLOWANCE=${BENCH_ALLOWANCE:-1000000000000}
BENCH_DB=${BENCH_DB:-tollgate_startup_bench}
BENCH_ROLE=${BENCH_ROLE:-tollgate_startup_bench}
BENCH_PORT=${BENCH_PORT:-}
BENCH_MANAGEMENT_PORT=${BENCH_MANAGEMENT_PORT:-}
BENCH_HEALTH_PATH=${BENCH_HEALTH_PATH:-/q/health/ready}
BENCH_POLL_SECONDS=${BENCH_POLL_SECONDS:-0.02}
BENCH_PHASES=${BENCH_PHASES:-1}
BENCH_DRIVER_JAVA_OPTS=${BENCH_DRIVER_JAVA_OPTS:-"-Xmx512m"}

# User ids: 7-digit numbers, apart from the other benches'. A start charges a user of its own.
LOAD_BASE=5000000
FIRST_CHARGE_BASE=5900000
[[ "$BENCH_STARTS" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_STARTS must be a positive whole number" >&2; exit 2; }
[[ "$BENCH_LOAD_SECONDS" =~ ^[0-9]+$ ]] || { echo "BENCH_LOAD_SECONDS must be a whole number" >&2; exit 2; }
for variant in $BENCH_VARIANTS; do
    [[ "$variant" =~ ^(jdk17|jdk25|jdk25-aot)$ ]] || { echo "unknown variant $variant (jdk17, jdk25, jdk25-aot)" >&2; exit 2; }
done

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
# Health is served on the management interface only: a port of the bench's own unless one is given.
BENCH_MANAGEMENT_PORT=${BENCH_MANAGEMENT_PORT:-$(bench_free_port 19000 19100)}

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

# variant_java VARIANT: the java launcher of the variant.
variant_java() {
    case $1 in
        jdk17) echo "$BENCH_JDK17_HOME/bin/java" ;;
        *) echo "$BENCH_JDK25_HOME/bin/java" ;;
    esac
}
# variant_jar VARIANT: the quarkus-run.jar the variant runs (the AOT variant: the -Paot package, where
# it was trained).
variant_jar() {
    case $1 in
        jdk25-aot) echo "$aot_dir/quarkus-run.jar" ;;
        *) echo "$run_jar" ;;
    esac
}
# variant_opts VARIANT: the variant's JVM options, after BENCH_APP_JAVA_OPTS. AOTMode=on makes a cache
# that cannot be used an error at start, never a silent start without it.
variant_opts() {
    case $1 in
        jdk25-aot) echo "-XX:AOTCache=$aot_dir/app.aot -XX:AOTMode=on" ;;
        *) echo "" ;;
    esac
}

# aot_package: the -Paot package (aot-jar layout and app.aot) in aot_dir: BENCH_AOT_APP, or built here
# (JDK 25, the smoke IT trains the cache) in target/quarkus-app, after the default package has been
# copied away (bench_package). The AOT variant runs the package where it was trained: Quarkus' aot-jar
# launcher finds quarkus/quarkus-application.dat through its own class's code source, which the cache
# holds with the training path, so a moved copy would read the file at the old place.
aot_package() {
    if [[ -n "$BENCH_AOT_APP" ]]; then
        [[ -f "$BENCH_AOT_APP/app.aot" && -f "$BENCH_AOT_APP/quarkus-run.jar" ]] \
            || die "BENCH_AOT_APP=$BENCH_AOT_APP holds no quarkus-run.jar with app.aot (build it with -Paot)"
        aot_dir=$(cd "$BENCH_AOT_APP" && pwd)
        aot_note="$aot_dir, built $(date -u -r "$aot_dir/app.aot" '+%Y-%m-%d %H:%M UTC')"
        return
    fi
    log "building the AOT package (JAVA_HOME=$BENCH_JDK25_HOME ./mvnw -B -Paot verify; the smoke IT trains the cache)"
    local t0=$SECONDS
    (cd "$repo" && JAVA_HOME="$BENCH_JDK25_HOME" timeout 1800 ./mvnw -B -Paot verify) >"$work/aot-build.log" 2>&1 \
        || { tail -40 "$work/aot-build.log" >&2; die "the AOT build failed"; }
    [[ -f "$repo/target/quarkus-app/app.aot" ]] || die "the AOT build wrote no target/quarkus-app/app.aot"
    aot_dir="$repo/target/quarkus-app"
    aot_note="built here in $((SECONDS - t0)) s, run in place (target/quarkus-app)"
    log "AOT package built in $((SECONDS - t0)) s"
}

# health_url: where readiness is asked: the management port if one is set, else the public port.
health_url() { echo "http://127.0.0.1:${BENCH_MANAGEMENT_PORT:-$port}$BENCH_HEALTH_PATH"; }

# app_env: the environment of the app under the bench (as bench_start_app), scheduler off as deployed;
# the management interface on BENCH_MANAGEMENT_PORT if set.
app_env() {
    bench_export_app_env "$port" "$BENCH_ALLOWANCE"
    export QUARKUS_SCHEDULER_ENABLED=false
    if [[ -n "$BENCH_MANAGEMENT_PORT" ]]; then
        export QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT="$BENCH_MANAGEMENT_PORT"
    fi
}

# start_once VARIANT USER [JVM_OPTIONS]: starts the app, measures until ready, then answers one charge of USER (a
# token minted before the start). Sets ready_ms, charge_ms, charge_code, cpu_at_ready, rss_at_ready,
# quarkus_started; the app keeps running (app_pid).
start_once() {
    local variant=$1 user=$2 t0 deadline java jar opts
    java=$(variant_java "$variant")
    jar=$(variant_jar "$variant")
    opts="$(variant_opts "$variant") ${3:-}"
    base_url="http://127.0.0.1:$port"
    bench_management_port
    : >"$work/app.log"
    t0=$(now_ms)
    (
        cd "$repo"
        app_env
        # shellcheck disable=SC2086
        exec "$java" $BENCH_APP_JAVA_OPTS $opts -jar "$jar"
    ) >>"$work/app.log" 2>&1 &
    app_pid=$!
    deadline=$((SECONDS + BENCH_START_TIMEOUT))
    until curl -fsS -m 2 "$(health_url)" 2>/dev/null | grep -q '"status": *"UP"'; do
        kill -0 "$app_pid" 2>/dev/null || { tail -40 "$work/app.log" >&2; die "the app ($variant) exited during start"; }
        (( SECONDS < deadline )) || { tail -40 "$work/app.log" >&2; die "the app ($variant) was not ready within ${BENCH_START_TIMEOUT}s"; }
        sleep "$BENCH_POLL_SECONDS"
    done
    ready_ms=$(( $(now_ms) - t0 ))
    cpu_at_ready=$(cpu_seconds "$app_pid")
    rss_at_ready=$(rss_mib "$app_pid" VmRSS)
    charge_code=$(curl -sS -m 30 -o "$work/charge.json" -w '%{http_code}' -H @"$work/auth-$user" \
        -H 'Content-Type: application/json' -H "Idempotency-Key: startup-$stamp-$user" \
        -d '{"model":"gpt-4o","usage":{"uncachedInputTokens":2000,"outputTokens":300}}' "$base_url/api/credit/charges")
    charge_ms=$(( $(now_ms) - t0 ))
    [[ "$charge_code" == 201 ]] || { cat "$work/charge.json" >&2; die "the first charge ($variant) answered $charge_code"; }
    quarkus_started=$(grep -o 'started in [0-9.]*s' "$work/app.log" | head -1 | sed 's/started in //')
}

# job_once VARIANT: one `job BENCH_JOB` run as infra/cronjobs.yaml runs it (no scheduler, no HTTP
# listener, the app's settings). Sets job_ms (exec to exit), job_cpu (user + system) and job_line.
job_once() {
    local variant=$1 java jar opts t0 rc=0
    java=$(variant_java "$variant")
    jar=$(variant_jar "$variant")
    opts=$(variant_opts "$variant")
    t0=$(now_ms)
    (
        cd "$repo"
        app_env
        export QUARKUS_HTTP_HOST_ENABLED=false
        # shellcheck disable=SC2086
        exec /usr/bin/time -f '%U %S' -o "$work/job.time" "$java" $BENCH_APP_JAVA_OPTS $opts -jar "$jar" job "$BENCH_JOB"
    ) >"$work/job.log" 2>&1 || rc=$?
    job_ms=$(( $(now_ms) - t0 ))
    (( rc == 0 )) || { tail -40 "$work/job.log" >&2; die "job $BENCH_JOB ($variant) exited $rc"; }
    job_cpu=$(awk '{printf "%.2f", $1 + $2}' "$work/job.time")
    job_line=$(grep -v '^{' "$work/job.log" | grep -v '^\[' | tail -1)
}

bench_require_tools curl psql openssl java pg_lsclusters runuser awk getconf
[[ -x /usr/bin/time ]] || die "/usr/bin/time is not installed (apt-get install time)"
for variant in $BENCH_VARIANTS; do
    [[ -x $(variant_java "$variant") ]] || die "no $(variant_java "$variant") for $variant (BENCH_JDK17_HOME, BENCH_JDK25_HOME)"
done
aot_note="not measured"
aot_dir=""
# A package left by an earlier -Paot build is not the default one: build the default package again.
if unzip -p "$repo/target/quarkus-app/quarkus-run.jar" META-INF/MANIFEST.MF 2>/dev/null | grep -q AotQuarkusEntryPoint; then
    log "target/quarkus-app is an AOT package: the default package is built again"
    rm -f "$repo/target/quarkus-app/quarkus-run.jar"
fi
bench_postgres
bench_database
bench_package
[[ " $BENCH_VARIANTS " == *" jdk25-aot "* ]] && aot_package
bench_token_key
port=${BENCH_PORT:-$(bench_free_port 18300 18400)}

variants=($BENCH_VARIANTS)
log "minting $(( (BENCH_STARTS + 1) * ${#variants[@]} + 1 )) tokens for the first charges"
for ((u = 0; u <= (BENCH_STARTS + 1) * ${#variants[@]}; u++)); do
    driver auth-header --key "$work/private.der" --sub "$((FIRST_CHARGE_BASE + u))" --out "$work/auth-$((FIRST_CHARGE_BASE + u))"
done

# The schema is created by a first start that is not measured with the others.
log "first start (JDK 17, empty database: Flyway migrates)"
start_once jdk17 "$FIRST_CHARGE_BASE"
migrate_line="| jdk17, empty database (Flyway creates the schema; not in the medians) | 0 | $ready_ms | $charge_ms | ${quarkus_started:-?} | $cpu_at_ready | $rss_at_ready | – |"
stop_pid "$app_pid" "the app"
app_pid=""

declare -A ready_of charge_of job_of jobcpu_of cpu_of rss_of load_of
rows=()
job_rows=()
user=$FIRST_CHARGE_BASE
# Rounds: every variant once per round, so that a busy moment of the machine falls on all of them.
for ((i = 1; i <= BENCH_STARTS; i++)); do
    for variant in "${variants[@]}"; do
        user=$((user + 1))
        load_before=$(load_average)
        start_once "$variant" "$user"
        log "$variant start $i: ready in $ready_ms ms, first charge after $charge_ms ms (Quarkus: started in ${quarkus_started:-?}), CPU ${cpu_at_ready} s, RSS ${rss_at_ready} MiB"
        rows+=("| $variant | $i | $ready_ms | $charge_ms | ${quarkus_started:-?} | $cpu_at_ready | $rss_at_ready | $load_before |")
        ready_of[$variant]+="$ready_ms "
        charge_of[$variant]+="$charge_ms "
        cpu_of[$variant]+="$cpu_at_ready "
        rss_of[$variant]+="$rss_at_ready "
        if (( i == BENCH_STARTS && BENCH_LOAD_SECONDS > 0 )); then
            log "$variant load: $BENCH_LOAD_CLIENTS clients charging over $BENCH_ACCOUNTS accounts for $BENCH_LOAD_SECONDS s"
            driver series --url "$base_url" --key "$work/private.der" --issuer tollgate-bench --audience tollgate \
                --hot-user "$LOAD_BASE" --first-user "$((LOAD_BASE + 1))" --accounts "$BENCH_ACCOUNTS" \
                --seconds "$BENCH_LOAD_SECONDS" --clients "$BENCH_LOAD_CLIENTS" --variants spread --warmup-seconds 0 \
                >"$work/load.out"
            result=$(grep '^RESULT' "$work/load.out" | head -1)
            kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $result"; }
            load_of[$variant]="$(kv ok) charges ($(kv tps)/s, p50 $(kv p50) ms, p99 $(kv p99) ms); RSS $(rss_mib "$app_pid" VmRSS) MiB after, peak $(rss_mib "$app_pid" VmHWM) MiB"
        fi
        stop_pid "$app_pid" "the app"
        app_pid=""
        job_once "$variant"
        log "$variant job $BENCH_JOB $i: $job_ms ms, CPU $job_cpu s: $job_line"
        job_rows+=("| $variant | $i | $job_ms | $job_cpu | $job_line |")
        job_of[$variant]+="$job_ms "
        jobcpu_of[$variant]+="$job_cpu "
    done
done

# phases VARIANT USER: one more start (not in the medians) with Quarkus' start-up step timings
# (quarkus.debug.print-startup-times) and the JVM's class loading log: the slowest steps, and how
# many classes were loaded from where (the JDK's CDS archive or the AOT cache, or parsed from a jar).
phases() {
    local variant=$1 user=$2
    start_once "$variant" "$user" "-Dquarkus.debug.print-startup-times=true -Xlog:class+load=info:file=$work/classes-$variant.txt"
    stop_pid "$app_pid" "the app"
    app_pid=""
    log "$variant phases: ready in $ready_ms ms with the timing and class logs on"
    {
        echo "### $variant: ready in $ready_ms ms with both logs on"
        echo
        echo "| step (Quarkus start-up, slowest first) | ms |"
        echo "|---|---:|"
        sed -n 's/.*Build step \([A-Za-z0-9_.$]*\) completed in: \([0-9]*\)ms.*/\2 \1/p' "$work/app.log" \
            | sort -rn | head -"${BENCH_PHASE_STEPS:-12}" | awk '{print "| " $2 " | " $1 " |"}'
        echo
        echo "| classes loaded until stop, by source | count |"
        echo "|---|---:|"
        awk '/source: shared objects file/ {s++; next} /source: jrt:/ {j++; next} /source: file:/ {f++; next} /source:/ {o++}
            END {printf "| from the CDS archive or the AOT cache (shared objects file) | %d |\n", s
                 printf "| parsed from the JDK modules (jrt:) | %d |\n| parsed from the application jars | %d |\n", j, f
                 printf "| defined at run time (lambdas, proxies, generated) | %d |\n", o}' \
            "$work/classes-$variant.txt"
        echo
    } >>"$work/phases.md"
}

: >"$work/phases.md"
if (( BENCH_PHASES )); then
    for variant in "${variants[@]}"; do
        user=$((user + 1))
        phases "$variant" "$user"
    done
fi

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {if (NR == 0) print "–"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
min_of() { printf '%s\n' "$@" | sort -n | head -1; }
max_of() { printf '%s\n' "$@" | sort -n | tail -1; }
# spread VALUES...: "median (min–max)".
spread() { echo "$(median "$@") ($(min_of "$@")–$(max_of "$@"))"; }
# ratio BASE VALUE: how many times BASE is VALUE, two decimals.
ratio() { awk -v b="$1" -v v="$2" 'BEGIN {if (v > 0) printf "%.2f", b / v; else print "–"}'; }

{
    echo "# Start-up side by side: JDK 17, JDK 25, JDK 25 + AOT cache, $stamp"
    echo
    bench_host_lines
    for variant in "${variants[@]}"; do
        echo "- $variant: $("$(variant_java "$variant")" -version 2>&1 | sed -n 2p); \`$(variant_jar "$variant" | sed "s|^$work/||; s|^$repo/||")\`${BENCH_APP_JAVA_OPTS:+ $BENCH_APP_JAVA_OPTS}$(o=$(variant_opts "$variant"); [[ -n "$o" ]] && echo " $o" | sed "s|$repo/||g")"
    done
    echo "- AOT package: $aot_note"
    echo "- ready = from exec until \`GET $BENCH_HEALTH_PATH\` on the $([[ -n "$BENCH_MANAGEMENT_PORT" ]] && echo "management port $BENCH_MANAGEMENT_PORT" || echo "public port") answers UP (database check included), polled every ${BENCH_POLL_SECONDS} s; first charge = from exec until \`POST /api/credit/charges\` (a new user, sent as soon as ready) has answered 201; CPU = user + system time of the app until ready; RSS = VmRSS when ready"
    echo "- job = \`java -jar quarkus-run.jar job $BENCH_JOB\` with the app's settings (the job command itself switches off the HTTP listener, the management interface, OIDC and the scheduler), from exec to exit, nothing to do; CPU = user + system"
    echo "- the variants take turns, one start each per round, $BENCH_STARTS rounds"
    echo
    echo "| variant | ready ms | first charge ms | job $BENCH_JOB ms | CPU s until ready | job CPU s | RSS MiB when ready |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for variant in "${variants[@]}"; do
        # shellcheck disable=SC2086
        echo "| $variant | $(spread ${ready_of[$variant]}) | $(spread ${charge_of[$variant]}) | $(spread ${job_of[$variant]}) | $(spread ${cpu_of[$variant]}) | $(spread ${jobcpu_of[$variant]}) | $(spread ${rss_of[$variant]}) |"
    done
    echo
    echo "Medians of $BENCH_STARTS starts, (min–max)."
    if [[ " $BENCH_VARIANTS " == *" jdk17 "* ]]; then
        echo
        echo "| variant | ready: JDK 17 / variant | first charge: JDK 17 / variant | job: JDK 17 / variant |"
        echo "|---|---:|---:|---:|"
        # shellcheck disable=SC2086
        for variant in "${variants[@]}"; do
            [[ "$variant" == jdk17 ]] && continue
            echo "| $variant | $(ratio "$(median ${ready_of[jdk17]})" "$(median ${ready_of[$variant]})")× | $(ratio "$(median ${charge_of[jdk17]})" "$(median ${charge_of[$variant]})")× | $(ratio "$(median ${job_of[jdk17]})" "$(median ${job_of[$variant]})")× |"
        done
        echo
        echo "Ratios of the medians: how many times faster than JDK 17 plain in this run."
    fi
    echo
    echo "## Every start"
    echo
    echo "| variant | round | ready ms | first charge ms | Quarkus \"started in\" | CPU s | RSS MiB | load average before |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|"
    echo "$migrate_line"
    printf '%s\n' "${rows[@]}"
    echo
    echo "| variant | round | job ms | CPU s | what the job printed |"
    echo "|---|---:|---:|---:|---|"
    printf '%s\n' "${job_rows[@]}"
    if (( BENCH_PHASES )); then
        echo
        echo "## Where the start goes"
        echo
        echo 'One more start of each variant, not in the medians, with `-Dquarkus.debug.print-startup-times=true` (the time of each start-up step Quarkus records; the steps of the main thread add up, a few run beside it) and `-Xlog:class+load` (every class the JVM loaded until the app was stopped, first charge included). Both logs slow the start.'
        echo
        cat "$work/phases.md"
    fi
    if (( BENCH_LOAD_SECONDS > 0 )); then
        echo
        echo "Load on the last instance of each variant ($BENCH_LOAD_CLIENTS clients over $BENCH_ACCOUNTS accounts, $BENCH_LOAD_SECONDS s):"
        for variant in "${variants[@]}"; do echo "- $variant: ${load_of[$variant]}"; done
    fi
    echo
    echo "The machine's load average is shown per start: the app, PostgreSQL and anything else running share its cores, so a busy machine makes the start slower; run it under the build lock and rerun when it is quiet."
} | tee "$report"
log "report: $report"
