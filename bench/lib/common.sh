# shellcheck shell=bash
# Shared set-up of the bench scripts, sourced (not run): PostgreSQL cluster, throw-away role and
# database, the packaged app (built if stale, run from a private copy), a throw-away RSA key for the
# bearer tokens, bounded start and stop, cleanup. Every wait is bounded.
#
# The sourcing script sets, before calling anything here:
#   here (bench/), repo (the repository), work (a 0700 temp dir, removed by bench_cleanup),
#   results_dir, and the BENCH_* knobs it uses (defaults below).
# State kept here for bench_cleanup: app_pid, own_pg_dir, cluster_started, db_created, role_created.

: "${BENCH_DB:=tollgate_bench}"
: "${BENCH_ROLE:=tollgate_bench}"
: "${BENCH_PG_VERSION:=15}"
: "${BENCH_PG_CLUSTER:=main}"
: "${BENCH_PG_PORT:=5432}"
: "${BENCH_SKIP_BUILD:=0}"
: "${BENCH_APP_JAVA_OPTS:=}"
: "${BENCH_START_TIMEOUT:=120}"
: "${BENCH_STOP_TIMEOUT:=20}"
# The app's management port (health, metrics): BENCH_MANAGEMENT_PORT, else the first free one of 19000..19100.
: "${BENCH_MANAGEMENT_PORT:=}"

app_pid=""
management_port=""
own_pg_dir=""
cluster_started=0
db_created=0
role_created=0
build_note=""

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# pg_admin PSQL_ARGS...: psql as the postgres superuser, bounded (PG_ADMIN_TIMEOUT, default 600 s);
# through the socket directory of a private cluster (bench_own_postgres) if there is one.
pg_admin() {
    (cd / && timeout "${PG_ADMIN_TIMEOUT:-600}" runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 \
        ${own_pg_dir:+-h "$own_pg_dir/socket"} -p "$BENCH_PG_PORT" "$@")
}

# bench_require_tools TOOL...: every tool is installed, and we are root (the cluster, runuser).
bench_require_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || die "$tool is not installed"
    done
    [[ $(id -u) -eq 0 ]] || die "run as root (it starts the cluster and uses runuser -u postgres)"
}

# stop_pid PID NAME: TERM, wait up to BENCH_STOP_TIMEOUT s, then KILL. Only the given pid.
stop_pid() {
    local pid=$1 name=$2 i
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < BENCH_STOP_TIMEOUT * 2; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name did not stop within ${BENCH_STOP_TIMEOUT}s: KILL"
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null || true
}

# bench_cleanup: the app stopped, the bench database and role dropped, the cluster stopped if we
# started it, the work dir removed. Safe to call in any state; call it from the EXIT trap.
bench_cleanup() {
    stop_pid "$app_pid" "the app"
    if (( db_created )); then
        log "dropping database $BENCH_DB"
        PG_ADMIN_TIMEOUT=60 pg_admin -d postgres -c "DROP DATABASE IF EXISTS \"$BENCH_DB\" WITH (FORCE)" >/dev/null \
            || log "WARNING: could not drop database $BENCH_DB"
    fi
    if (( role_created )); then
        PG_ADMIN_TIMEOUT=30 pg_admin -d postgres -c "DROP ROLE IF EXISTS \"$BENCH_ROLE\"" >/dev/null \
            || log "WARNING: could not drop role $BENCH_ROLE"
    fi
    if (( cluster_started )); then
        log "stopping PostgreSQL $BENCH_PG_VERSION/$BENCH_PG_CLUSTER (it was down before the bench)"
        timeout 90 pg_ctlcluster "$BENCH_PG_VERSION" "$BENCH_PG_CLUSTER" stop || log "WARNING: the cluster did not stop"
    fi
    if [[ -n "$own_pg_dir" && -d "$own_pg_dir" ]]; then
        own_pg_ctl stop -m immediate >/dev/null 2>&1
        rm -rf "$own_pg_dir"
    fi
    [[ -n "${work:-}" && -d "$work" ]] && rm -rf "$work"
    return 0
}

# bench_postgres: starts the cluster if it is down (cluster_started=1), waits (<= 30 s) until it answers.
bench_postgres() {
    local status
    status=$(pg_lsclusters -h | awk -v v="$BENCH_PG_VERSION" -v c="$BENCH_PG_CLUSTER" '$1 == v && $2 == c {print $4}')
    [[ -n "$status" ]] || die "no PostgreSQL cluster $BENCH_PG_VERSION/$BENCH_PG_CLUSTER"
    if [[ "$status" != online ]]; then
        log "starting PostgreSQL $BENCH_PG_VERSION/$BENCH_PG_CLUSTER"
        timeout 90 pg_ctlcluster "$BENCH_PG_VERSION" "$BENCH_PG_CLUSTER" start || die "the cluster did not start"
        cluster_started=1
    fi
    for _ in $(seq 1 30); do pg_admin -d postgres -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
    pg_admin -d postgres -c 'SELECT 1' >/dev/null || die "PostgreSQL does not answer"
    pg_datadir=$(pg_lsclusters -h | awk -v v="$BENCH_PG_VERSION" -v c="$BENCH_PG_CLUSTER" '$1 == v && $2 == c {print $6}')
}

# own_pg_ctl ARGS...: pg_ctl of the private cluster, as postgres, bounded (90 s).
own_pg_ctl() {
    (cd / && timeout 90 runuser -u postgres -- "$pg_bin/pg_ctl" -D "$own_pg_dir/data" -l "$own_pg_dir/postgresql.log" "$@")
}

# bench_own_postgres: a private, throw-away PostgreSQL BENCH_PG_VERSION cluster (initdb into a new
# directory under /tmp owned by postgres, on the first free port of 25432-25532, loopback and its own
# socket directory only, scram for TCP), started and waited for; bench_cleanup stops it and removes it.
# For runs that restart or crash the server: nothing else uses it. Sets BENCH_PG_PORT, pg_datadir.
bench_own_postgres() {
    pg_bin=/usr/lib/postgresql/$BENCH_PG_VERSION/bin
    [[ -x "$pg_bin/initdb" ]] || die "no PostgreSQL $BENCH_PG_VERSION binaries in $pg_bin"
    own_pg_dir=$(mktemp -d /tmp/tollgate-pg.XXXXXX)
    mkdir -p "$own_pg_dir/socket"
    chown -R postgres: "$own_pg_dir"
    chmod 700 "$own_pg_dir"
    BENCH_PG_PORT=$(bench_free_port 25432 25532)
    log "creating a private PostgreSQL $BENCH_PG_VERSION cluster in $own_pg_dir, port $BENCH_PG_PORT"
    (cd / && timeout 120 runuser -u postgres -- "$pg_bin/initdb" -D "$own_pg_dir/data" -U postgres --auth-local=peer \
        --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8) >"$own_pg_dir/initdb.log" 2>&1 \
        || { cat "$own_pg_dir/initdb.log" >&2; die "initdb failed"; }
    cat >>"$own_pg_dir/data/postgresql.conf" <<CONF
port = $BENCH_PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$own_pg_dir/socket'
max_connections = 100
CONF
    own_pg_ctl -w -t 60 start >/dev/null || { tail -20 "$own_pg_dir/postgresql.log" >&2; die "the private cluster did not start"; }
    pg_admin -d postgres -c 'SELECT 1' >/dev/null || die "the private cluster does not answer"
    pg_datadir="$own_pg_dir/data"
}

# bench_database: role BENCH_ROLE with a fresh random password (db_password) and a fresh database
# BENCH_DB owned by it; checks that the role logs in over TCP as the app will.
bench_database() {
    db_password=$(openssl rand -hex 24)
    if [[ -z $(pg_admin -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$BENCH_ROLE'") ]]; then
        role_created=1
    fi
    log "creating role $BENCH_ROLE and a fresh database $BENCH_DB"
    # The password goes through stdin, never a command line.
    pg_admin -d postgres >/dev/null <<SQL
SET client_min_messages = warning;
SELECT format('CREATE ROLE %I', '$BENCH_ROLE') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$BENCH_ROLE') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', '$BENCH_ROLE', '$db_password') \gexec
DROP DATABASE IF EXISTS "$BENCH_DB" WITH (FORCE);
CREATE DATABASE "$BENCH_DB" OWNER "$BENCH_ROLE";
SQL
    db_created=1
    PGPASSWORD="$db_password" psql -X -q -h 127.0.0.1 -p "$BENCH_PG_PORT" -U "$BENCH_ROLE" -d "$BENCH_DB" -c 'SELECT 1' >/dev/null \
        || die "role $BENCH_ROLE cannot log in over TCP 127.0.0.1:$BENCH_PG_PORT (check pg_hba.conf: host ... 127.0.0.1/32 scram-sha-256)"
}

# bench_package: builds the app if target/quarkus-app is missing or older than src/main or pom.xml
# (a failed build measures the previous package and says so in build_note), then copies it to
# $work/quarkus-app, so that a rebuild by someone else during the bench cannot change the app under
# test. Sets run_jar and package_time.
bench_package() {
    run_jar="$repo/target/quarkus-app/quarkus-run.jar"
    if [[ "$BENCH_SKIP_BUILD" == 1 ]]; then
        [[ -f "$run_jar" ]] || die "BENCH_SKIP_BUILD=1 but $run_jar is missing"
        build_note="not rebuilt (BENCH_SKIP_BUILD=1)"
    elif [[ ! -f "$run_jar" ]] || [[ -n $(find "$repo/src/main" "$repo/pom.xml" -newer "$run_jar" -type f -print -quit) ]]; then
        log "building the packaged app (./mvnw -B -q package -DskipTests -DskipITs)"
        if ! (cd "$repo" && timeout 900 ./mvnw -B -q package -DskipTests -DskipITs) >"$work/build.log" 2>&1; then
            grep -E '^\[ERROR\] /' "$work/build.log" | head -5 >&2 || true
            [[ -f "$run_jar" ]] || die "build failed and there is no previous package"
            log "WARNING: the build failed (see above); measuring the previous package instead"
            build_note="the build of the working tree FAILED; the previous package was measured"
        fi
    else
        log "packaged app is up to date"
    fi
    cp -a "$repo/target/quarkus-app" "$work/quarkus-app"
    package_time=$(date -u -r "$work/quarkus-app/quarkus-run.jar" '+%Y-%m-%d %H:%M UTC')
    run_jar="$work/quarkus-app/quarkus-run.jar"
}

# bench_token_key: a throw-away RSA key: $work/private.der (PKCS#8, for the driver) and public_key
# (base64 DER, for QUARKUS_OIDC_PUBLIC_KEY).
bench_token_key() {
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/private.pem" 2>/dev/null
    openssl pkcs8 -topk8 -nocrypt -inform PEM -in "$work/private.pem" -outform DER -out "$work/private.der"
    public_key=$(openssl pkey -in "$work/private.pem" -pubout -outform DER | base64 -w0)
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# bench_free_port FROM TO: prints the first free loopback port of the range.
bench_free_port() {
    local p
    for p in $(seq "$1" "$2"); do port_free "$p" && { echo "$p"; return 0; }; done
    die "no free port in $1..$2"
}

# The limit and period of every tier under a bench: far above any bench's load. All tiers get the same
# pair, so that charge-bench.sh's rawrl scenario, which binds these numbers into the rate-limit statement
# on the bucket of the charge's tier (bench/LoadDriver.java reads that tier from the packaged
# dev.tollgate.ratelimit.Tier), matches the app whichever tier a charge is in.
BENCH_RATE_LIMIT=1000000000
BENCH_RATE_LIMIT_PERIOD_SECONDS=300

# bench_management_port: picks the app's management port (BENCH_MANAGEMENT_PORT or a free one) once, in
# the calling shell, before the app starts. Sets management_port and management_url (health at
# $management_url/q/health/ready, metrics at $management_url/q/metrics; the public port serves neither).
bench_management_port() {
    [[ -n "$management_port" ]] || management_port=${BENCH_MANAGEMENT_PORT:-$(bench_free_port 19000 19100)}
    management_url="http://127.0.0.1:$management_port"
}

# bench_export_app_env PORT ALLOWANCE: the environment of the packaged app under a bench (prod profile,
# the bench database, tokens of the bench's throw-away key, the plan allowance). Rate limits far above
# any bench's load: the limiter runs as in production but refuses nothing (bench/ratelimit-bench.sh
# switches it off or changes its store through bench_start_app's NAME=VALUE arguments).
bench_export_app_env() {
    export QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$1"
    if [[ -n "$management_port" ]]; then
        export QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT="$management_port"
    fi
    export QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$BENCH_PG_PORT/$BENCH_DB"
    export QUARKUS_DATASOURCE_USERNAME="$BENCH_ROLE" QUARKUS_DATASOURCE_PASSWORD="$db_password"
    export QUARKUS_OIDC_AUTH_SERVER_URL= QUARKUS_OIDC_DISCOVERY_ENABLED=false
    export QUARKUS_OIDC_PUBLIC_KEY="$public_key" QUARKUS_OIDC_TOKEN_ISSUER=tollgate-bench TOLLGATE_OIDC_AUDIENCE=tollgate
    export TOLLGATE_PLANS_CATALOG_FREE_MONTHLY_ALLOWANCE_MILLICREDITS="$2"
    # A team's pool gets the same allowance: the pool a bench charges never runs dry either.
    export TOLLGATE_PLANS_CATALOG_TEAM_MONTHLY_ALLOWANCE_MILLICREDITS="$2"
    local tier
    for tier in GENERAL MESSAGES SENSITIVE WEBHOOKS; do
        export "TOLLGATE_RATE_LIMIT_${tier}_LIMIT=$BENCH_RATE_LIMIT"
        export "TOLLGATE_RATE_LIMIT_${tier}_PERIOD=PT${BENCH_RATE_LIMIT_PERIOD_SECONDS}S"
    done
}

# bench_start_app PORT ALLOWANCE [NAME=VALUE...]: the packaged app in the prod profile on
# 127.0.0.1:PORT against the bench database, tokens verified with the throw-away key (issuer
# tollgate-bench, audience tollgate), new accounts get ALLOWANCE millicredits; extra environment
# as NAME=VALUE. Waits (<= BENCH_START_TIMEOUT s) for /q/health/ready on the management port. Sets
# app_pid, base_url and management_url; the log is $work/app.log.
bench_start_app() {
    local port=$1 allowance=$2 deadline
    shift 2
    base_url="http://127.0.0.1:$port"
    bench_management_port
    log "starting the app on $base_url"
    (
        cd "$repo"
        bench_export_app_env "$port" "$allowance"
        local kv
        for kv in "$@"; do export "${kv?}"; done
        # shellcheck disable=SC2086
        exec java $BENCH_APP_JAVA_OPTS -jar "$run_jar"
    ) >"$work/app.log" 2>&1 &
    app_pid=$!
    deadline=$((SECONDS + BENCH_START_TIMEOUT))
    until curl -fsS -m 5 -o /dev/null "$management_url/q/health/ready" 2>/dev/null; do
        kill -0 "$app_pid" 2>/dev/null || { tail -40 "$work/app.log" >&2; die "the app exited during start"; }
        (( SECONDS < deadline )) || { tail -40 "$work/app.log" >&2; die "the app was not ready within ${BENCH_START_TIMEOUT}s"; }
        sleep 0.5
    done
    log "app ready (pid $app_pid)"
}

# bench_start_fake THREADS [BILLING_FILE]: bench/FakeUpstream.java on a free loopback port (JVM options
# BENCH_FAKE_JAVA_OPTS, log $work/fake.log), with jtokkit from the packaged app's lib/main on its class
# path (it counts prompts on o200k_base; call bench_package first), writing what it bills to
# BILLING_FILE if given; then one curl of each answer shape (a completion, a stream with usage). Sets
# fake_pid, fake_port and upstream_url (…/v1).
bench_start_fake() {
    local threads=$1 billing=${2:-} deadline probe jtokkit
    jtokkit=$(compgen -G "$work/quarkus-app/lib/main/com.knuddels.jtokkit-*.jar" | head -1 || true)
    [[ -n "$jtokkit" ]] || die "no jtokkit jar in $work/quarkus-app/lib/main (bench_package first)"
    log "starting the fake upstream (bench/FakeUpstream.java, $threads handler threads)"
    # shellcheck disable=SC2086
    java ${BENCH_FAKE_JAVA_OPTS:--Xmx256m} -cp "$jtokkit" "$here/FakeUpstream.java" --port 0 --port-file "$work/fake.port" \
        --threads "$threads" ${billing:+--billing-file "$billing"} >"$work/fake.log" 2>&1 &
    fake_pid=$!
    deadline=$((SECONDS + 60))
    until [[ -s "$work/fake.port" ]]; do
        kill -0 "$fake_pid" 2>/dev/null || { cat "$work/fake.log" >&2; die "the fake upstream exited during start"; }
        (( SECONDS < deadline )) || die "the fake upstream did not listen within 60 s"
        sleep 0.2
    done
    fake_port=$(<"$work/fake.port")
    upstream_url="http://127.0.0.1:$fake_port/v1"
    probe='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]'
    curl -fsS -m 10 -H 'Content-Type: application/json' -d "$probe}" "$upstream_url/chat/completions" >"$work/fake-once.json" \
        || die "the fake upstream does not answer a completion"
    curl -fsS -m 10 -N -H 'Content-Type: application/json' -d "$probe,\"stream\":true,\"stream_options\":{\"include_usage\":true}}" \
        "$upstream_url/chat/completions" >"$work/fake-stream.txt" || die "the fake upstream does not answer a stream"
    grep -q '"object":"chat.completion"' "$work/fake-once.json" && grep -q '"usage":{' "$work/fake-once.json" \
        && grep -q '^data: {.*"choices":\[\],"usage":{' "$work/fake-stream.txt" && [[ $(tail -2 "$work/fake-stream.txt" | head -1) == 'data: [DONE]' ]] \
        || die "the fake upstream's answers do not have the OpenAI shapes"
    log "fake upstream on $upstream_url (pid $fake_pid), curl check of both answer shapes OK"
}

# driver_classpath: the packaged application's jar (of $BENCH_DRIVER_APP, a quarkus-app directory,
# or else the repository's target/quarkus-app). The driver builds its pgbench scripts from the
# application's statement seams (LedgerStatements, MeteringStatements, PostgresRateLimitStore), so they
# are the statements of the build under test.
driver_classpath() {
    local jar
    jar=$(ls "${BENCH_DRIVER_APP:-$repo/target/quarkus-app}"/app/*.jar 2>/dev/null | head -1)
    [[ -n "$jar" ]] || die "no packaged application in ${BENCH_DRIVER_APP:-$repo/target/quarkus-app} (run ./mvnw package first)"
    echo "$jar"
}

# driver ARGS...: bench/LoadDriver.java, a single source file run against the packaged application.
driver() { (cd "$repo" && java ${BENCH_DRIVER_JAVA_OPTS:--Xmx1g} -cp "$(driver_classpath)" "$here/LoadDriver.java" "$@"); }

# bench_check_allowance USER ALLOWANCE: one real token through curl (kept in a 0600 file in $work,
# never printed): GET /api/credit/balance answers 200 and the new account has ALLOWANCE.
bench_check_allowance() {
    local user=$1 allowance=$2 code monthly
    driver auth-header --key "$work/private.der" --sub "$user" --out "$work/auth-header"
    code=$(curl -sS -m 30 -o "$work/balance.json" -w '%{http_code}' -H @"$work/auth-header" "$base_url/api/credit/balance")
    rm -f "$work/auth-header"
    [[ "$code" == 200 ]] || { cat "$work/balance.json" >&2; die "GET /api/credit/balance answered $code"; }
    monthly=$(grep -o '"monthlyMillicredits":[0-9]*' "$work/balance.json" | cut -d: -f2)
    [[ "$monthly" == "$allowance" ]] \
        || die "new accounts got $monthly millicredits, not $allowance: TOLLGATE_PLANS_CATALOG_FREE_MONTHLY_ALLOWANCE_MILLICREDITS was not applied"
    log "curl check: GET /api/credit/balance = 200, new account has $monthly millicredits"
}

# bench_host_lines: markdown bullets describing the machine, PostgreSQL and the package under test.
bench_host_lines() {
    local cpu mem pg_settings pg_version commit dirty
    cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
    mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
    pg_settings=$(pg_admin -d "$BENCH_DB" -tA -c "SELECT string_agg(name || '=' || setting || COALESCE(unit, ''), ', ' ORDER BY name)
        FROM pg_settings WHERE name IN ('shared_buffers', 'synchronous_commit', 'fsync', 'max_connections', 'checkpoint_timeout')")
    pg_version=$(pg_admin -d "$BENCH_DB" -tA -c 'SHOW server_version')
    commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')
    dirty=$(git -C "$repo" status --porcelain -- src/main pom.xml 2>/dev/null | wc -l)
    echo "- host: nproc=$(nproc), CPU: $cpu, memory: $mem, kernel $(uname -r)"
    echo "- PostgreSQL $pg_version, TCP 127.0.0.1 (scram); $pg_settings"
    echo "- app: packaged JVM app built $package_time from commit $commit$( (( dirty > 0 )) && echo " + $dirty uncommitted changes under src/main or pom.xml" )${build_note:+ ($build_note)}; JDBC pool max ${QUARKUS_DATASOURCE_JDBC_MAX_SIZE:-$(sed -n "s/^quarkus.datasource.jdbc.max-size=//p" "$repo/src/main/resources/application.properties")}; $(java -version 2>&1 | head -1)"
}
