# shellcheck shell=bash
# The one-shot job faults of the fault run (sourced by bench/fault/fault-run.sh, not run): rounds in
# which two instances of one job are started at once as the serverless deployment starts them
# (`java -jar quarkus-run.jar job <name>`, no HTTP, no scheduler), the one that takes the job's lock
# is held in the middle of a batch and killed with -9, the other must have been skipped, and a third
# run must then finish the work.
#
# How a kill is aimed at "the middle of a batch": a session of the script (the blocker) holds a lock
# that the batch needs part-way — the row of an account the batch reaches after it has written
# something (refresh, expire-holds, process-compensations), or the archive table once the run has
# committed its first batches (archive-usage) — so that the run waits there with its batch
# uncommitted; pg_stat_activity (each run connects with an application_name of its own) shows it
# waiting on the lock, and that is when it is killed. The blocker lets go after the kill.
#
# Expects from the sourcing script: work, out, db (psql as the app's role), run_jar, app_env,
# BENCH_PORT, FAULT_ALLOWANCE, base_url, and the functions log, bench_export_app_env, admin_job.
# Writes one line per round to $out/jobs.tsv: round, job, landed (t: killed waiting in a batch),
# evidence, skipped (t: the instance started with it was skipped), resumed (t: the next run
# finished the work), detail.

JOB_JVM_OPTS=${JOB_JVM_OPTS:-"-Xmx160m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}
JOB_WAIT_SECONDS=${JOB_WAIT_SECONDS:-90}
# Batches small enough that a run has several: accounts per refresh batch, usage rows per archival batch.
JOB_REFRESH_BATCH=4
JOB_ARCHIVE_BATCH=20
JOB_REFRESH_ACCOUNTS=${JOB_REFRESH_ACCOUNTS:-16}
JOB_ARCHIVE_ROWS=${JOB_ARCHIVE_ROWS:-600}

# job_start NAME APPNAME: a one-shot run of job NAME in the background, connecting as APPNAME; its
# output in $work/jobs/APPNAME.out. Sets job_pid.
job_start() {
    local name=$1 appname=$2 cds=""
    mkdir -p "$work/jobs"
    [[ -f "$work/job.jsa" ]] && cds="-XX:SharedArchiveFile=$work/job.jsa -Xshare:auto"
    (
        cd "$work"
        bench_export_app_env "$BENCH_PORT" "$FAULT_ALLOWANCE"
        local kv
        for kv in "${app_env[@]}"; do export "${kv?}"; done
        export QUARKUS_HTTP_HOST_ENABLED=false QUARKUS_SCHEDULER_ENABLED=false
        export QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$BENCH_PG_PORT/$BENCH_DB?ApplicationName=$appname"
        export TOLLGATE_JOBS_REFRESH_BATCH_SIZE=$JOB_REFRESH_BATCH TOLLGATE_ARCHIVAL_BATCH_SIZE=$JOB_ARCHIVE_BATCH
        # shellcheck disable=SC2086
        exec java $JOB_JVM_OPTS $cds -jar "$run_jar" job "$name"
    ) >"$work/jobs/$appname.out" 2>"$work/jobs/$appname.err" &
    job_pid=$!
    echo "$job_pid" >>"$work/jobs/pids"
}

# job_wait PID: waits (bounded) for a one-shot run to exit; KILLs it past the bound.
job_wait() {
    local pid=$1 i
    for ((i = 0; i < JOB_WAIT_SECONDS * 5; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && { log "job run $pid did not end within ${JOB_WAIT_SECONDS}s: KILL"; kill -KILL "$pid" 2>/dev/null; }
    wait "$pid" 2>/dev/null || true
}

# job_line APPNAME: the run's report line ("job X done: …", "job X skipped: …"), or its failure.
job_line() {
    local line
    line=$(grep -E '^job [a-z-]+ (done|skipped)' "$work/jobs/$1.out" 2>/dev/null | tail -1)
    [[ -n "$line" ]] || line="no report ($(grep -m1 -E 'failed|Exception' "$work/jobs/$1.err" 2>/dev/null | cut -c1-160))"
    echo "$line"
}

# blocker_start ROUND SQL: a session (application_name fault-blocker-ROUND) that runs SQL, which takes
# its lock and then signals readiness by \! touch; it then sleeps until terminated (at most 300 s).
blocker_start() {
    local round=$1 sql=$2
    rm -f "$work/jobs/blocker.$round.ready"
    {
        echo "$sql"
        echo "\\! touch $work/jobs/blocker.$round.ready"
        echo "SELECT pg_sleep(300);"
        echo "ROLLBACK;"
    } | PGAPPNAME="fault-blocker-$round" db -v ON_ERROR_STOP=1 >/dev/null 2>"$work/jobs/blocker.$round.err" &
    blocker_pid=$!
}

# blocker_stop ROUND: ends the blocker's session (its locks go with it).
blocker_stop() {
    db -tAc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'fault-blocker-$1'" >/dev/null 2>&1
    [[ -n "${blocker_pid:-}" ]] && { wait "$blocker_pid" 2>/dev/null || true; }
    blocker_pid=""
}

# backend_of APPNAMES...: the application_name of a session of these runs that waits on a lock, with
# its transaction id (none: it has written nothing yet) and what it runs; empty if none waits.
backend_waiting() {
    local names
    names=$(printf "'%s'," "$@")
    db -tAc "SELECT application_name || '|' || COALESCE(backend_xid::text, 'none') || '|' || left(regexp_replace(query, '\\s+', ' ', 'g'), 60)
               FROM pg_stat_activity WHERE application_name IN (${names%,}) AND wait_event_type = 'Lock' LIMIT 1" 2>/dev/null
}

# The work of each kind of round: prepare (choose the work and the blocker's lock), check (the work
# is done). Each sets round_sql (the blocker's statements), round_note, and what the check needs.
current_period="(date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"

prepare_refresh() {
    # Accounts of the load whose period is made to be over (as the jobs tests do: period_start
    # moves back by SQL; no balance is touched), the last of them (the refresh takes them by user id)
    # locked: the run refreshes the others batch by batch and waits in the last one.
    local users target
    users=$(db -tAc "SELECT string_agg(quote_literal(user_id), ',') FROM (SELECT user_id FROM credit_account
                      WHERE period_start >= $current_period AND user_id ~ '^[0-9]+\$'
                        AND NOT EXISTS (SELECT 1 FROM credit_refresh_history h WHERE h.user_id = credit_account.user_id
                                          AND h.period_start = $current_period)
                      ORDER BY md5(user_id || '$round') LIMIT $JOB_REFRESH_ACCOUNTS) s")
    [[ -n "$users" ]] || return 1
    target=$(db -tAc "SELECT max(user_id) FROM credit_account WHERE user_id IN ($users)")
    db -qc "UPDATE credit_account SET period_start = period_start - interval '1 month' WHERE user_id IN ($users)" >/dev/null
    round_sql="BEGIN; SELECT 1 FROM credit_account WHERE user_id = '$target' FOR UPDATE;"
    round_note="$(tr -cd ',' <<<"$users" | wc -c | awk '{print $1 + 1}') accounts due, the last ($target) locked"
}
check_refresh() {
    [[ $(db -tAc "SELECT COUNT(*) FROM credit_account WHERE period_start < $current_period") == 0 ]]
}

prepare_archive_usage() {
    # Usage rows made older than the retention (created_at moved back 100 days by SQL; the checks read
    # token_usage and token_usage_archive alike); once the run has committed a batch, the archive
    # table is locked: its next batch waits.
    db -qc "UPDATE token_usage SET created_at = created_at - interval '100 days'
             WHERE id IN (SELECT id FROM token_usage WHERE created_at > now() - interval '1 day' AND created_at < now() - interval '2 seconds'
                           ORDER BY id LIMIT $JOB_ARCHIVE_ROWS)" >/dev/null
    local since
    since=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
    round_sql="DO \$\$ BEGIN FOR i IN 1..9000 LOOP
                   EXIT WHEN EXISTS (SELECT 1 FROM token_usage_archive WHERE archived_at >= '$since');
                   PERFORM pg_sleep(0.01); END LOOP; END \$\$;
               BEGIN; LOCK TABLE token_usage_archive IN SHARE ROW EXCLUSIVE MODE;"
    round_note="usage rows past the retention: $(db -tAc "SELECT COUNT(*) FROM token_usage WHERE created_at < now() - interval '90 days'")"
    round_wait_blocker_first=0
}
check_archive_usage() {
    [[ $(db -tAc "SELECT COUNT(*) FROM token_usage WHERE created_at < now() - interval '90 days'") == 0 ]]
}

prepare_expire_holds() {
    # Holds past their expiry (the script's expiry cron paused meanwhile); the account of the second
    # in the order the job takes them (expires_at) is locked, so the run frees the first and waits.
    local i target=""
    touch "$work/pause.expire-holds"
    for i in $(seq 1 40); do
        target=$(db -tAc "WITH due AS (SELECT r.id, r.user_id, row_number() OVER (ORDER BY r.expires_at) AS n
                                          FROM credit_reservation r WHERE r.status = 'HELD' AND r.expires_at < now() - interval '1 second'
                                           AND NOT EXISTS (SELECT 1 FROM credit_compensation c WHERE c.reservation_id = r.id AND c.status = 'PENDING'))
                          SELECT d.user_id FROM due d WHERE d.n >= 2 AND d.user_id <> (SELECT user_id FROM due WHERE n = 1)
                           ORDER BY d.n LIMIT 1")
        [[ -n "$target" ]] && break
        sleep 1
    done
    [[ -n "$target" ]] || return 1
    db -tAc "SELECT r.id FROM credit_reservation r WHERE r.status = 'HELD' AND r.expires_at < now()" >"$work/jobs/round.$round.due"
    round_sql="BEGIN; SELECT 1 FROM credit_account WHERE user_id = '$target' FOR UPDATE;"
    round_note="$(wc -l <"$work/jobs/round.$round.due") holds due, the account of the second ($target) locked"
}
check_expire_holds() {
    local ids
    ids=$(awk 'NF { printf "%s\x27%s\x27", (n++ ? "," : ""), $1 }' "$work/jobs/round.$round.due")
    [[ -z "$ids" ]] && return 0
    [[ $(db -tAc "SELECT COUNT(*) FROM credit_reservation r WHERE r.id IN ($ids) AND r.status = 'HELD'
                   AND NOT EXISTS (SELECT 1 FROM credit_compensation c WHERE c.reservation_id = r.id AND c.status = 'PENDING')") == 0 ]]
}

prepare_process_compensations() {
    # Pending compensations (queued after the database came back; the script's compensation cron
    # paused meanwhile); the account of the second the batch takes is locked: the run applies the
    # first and waits in the second's transaction.
    local target
    target=$(db -tAc "WITH due AS (SELECT id, user_id, row_number() OVER (ORDER BY next_attempt_at, id) AS n
                                      FROM credit_compensation WHERE status = 'PENDING' AND next_attempt_at <= now())
                      SELECT d.user_id FROM due d WHERE d.n >= 2 AND d.user_id <> (SELECT user_id FROM due WHERE n = 1)
                       ORDER BY d.n LIMIT 1")
    [[ -n "$target" ]] || return 1
    db -tAc "SELECT id || ' ' || attempts FROM credit_compensation WHERE status = 'PENDING' AND next_attempt_at <= now()" \
        >"$work/jobs/round.$round.due"
    round_sql="BEGIN; SELECT 1 FROM credit_account WHERE user_id = '$target' FOR UPDATE;"
    round_note="$(wc -l <"$work/jobs/round.$round.due") compensations due, the account of the second ($target) locked"
}
check_process_compensations() {
    local id attempts
    while read -r id attempts; do
        [[ -n "$id" ]] || continue
        [[ $(db -tAc "SELECT status <> 'PENDING' OR attempts > $attempts FROM credit_compensation WHERE id = $id") == t ]] || return 1
    done <"$work/jobs/round.$round.due"
}

# job_round ROUND JOB: one round (see the top of this file); appends its line to $out/jobs.tsv.
job_round() {
    round=$1
    local job=$2 a="fault-job-$1-a" b="fault-job-$1-b" c="fault-job-$1-c" pid_a pid_b waiting="" landed=f evidence="-"
    local skipped=f resumed=f line_a line_b winner winner_pid detail i
    round_wait_blocker_first=1
    round_sql="" round_note=""
    if ! "prepare_${job//-/_}"; then
        rm -f "$work/pause.$job"
        log "job round $round ($job): nothing to do, skipped"
        return 1
    fi
    blocker_start "$round" "$round_sql"
    if (( round_wait_blocker_first )); then
        for i in $(seq 1 100); do [[ -f "$work/jobs/blocker.$round.ready" ]] && break; sleep 0.1; done
    fi
    # Two instances of the job at once, as two cron triggers (or two instances) would start them.
    job_start "$job" "$a"; pid_a=$job_pid
    job_start "$job" "$b"; pid_b=$job_pid
    for ((i = 0; i < JOB_WAIT_SECONDS * 5; i++)); do
        waiting=$(backend_waiting "$a" "$b")
        [[ -n "$waiting" ]] && break
        kill -0 "$pid_a" 2>/dev/null || kill -0 "$pid_b" 2>/dev/null || break
        sleep 0.2
    done
    if [[ -n "$waiting" ]]; then
        winner=${waiting%%|*}
        if [[ "$winner" == "$a" ]]; then winner_pid=$pid_a; else winner_pid=$pid_b; fi
        # The other instance: it found the job's lock taken and was skipped (or failed, or still runs).
        if [[ "$winner" == "$a" ]]; then job_wait "$pid_b"; line_b=$(job_line "$b"); else job_wait "$pid_a"; line_b=$(job_line "$a"); fi
        [[ "$line_b" == *" skipped:"* ]] && skipped=t
        waiting=$(backend_waiting "$winner")
        if [[ -n "$waiting" ]] && kill -KILL "$winner_pid" 2>/dev/null; then
            landed=t
            evidence="waiting on a lock, transaction ${waiting#*|}"
            evidence=${evidence//|/, running: }
        fi
        wait "$winner_pid" 2>/dev/null || true
        line_a=$(job_line "$winner")
    else
        job_wait "$pid_a"; job_wait "$pid_b"
        line_a="$(job_line "$a"); $(job_line "$b")"
        line_b=""
    fi
    blocker_stop "$round"
    # The killed run's sessions end (the blocked one as soon as it can tell that its client is gone).
    for i in $(seq 1 150); do
        [[ $(db -tAc "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name IN ('$a', '$b')" 2>/dev/null) == 0 ]] && break
        sleep 0.2
    done
    # The next run finishes the work.
    job_start "$job" "$c"
    job_wait "$job_pid"
    local line_c
    line_c=$(job_line "$c")
    if [[ "$line_c" == *" done:"* ]] && "check_${job//-/_}"; then resumed=t; fi
    rm -f "$work/pause.$job"
    detail="$round_note; killed: ${line_a:-?}; other: ${line_b:--}; next: $line_c"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$job" "$landed" "$evidence" "$skipped" "$resumed" "${detail//$'\t'/ }" \
        >>"$out/jobs.tsv"
    log "job round $round ($job): killed in a batch=$landed skipped=$skipped resumed=$resumed ($round_note)"
}

# job_rounds_loop UNTIL_FILE: rounds one after another (never while the database is down) until
# FAULT_JOB_ROUNDS rounds have landed and UNTIL_FILE exists, or STOP_FILE exists. A round of
# process-compensations when at least two are pending after the database came back; otherwise
# refresh, archive-usage and expire-holds in turn (expire-holds only while the load runs).
job_rounds_loop() {
    local until_file=$1 stop_file=$2 n=0 k=0 landed=0 job pending
    local cycle=(refresh archive-usage expire-holds)
    set +e
    while [[ ! -f "$stop_file" ]]; do
        if (( landed >= FAULT_JOB_ROUNDS )) && [[ -f "$until_file" ]]; then break; fi
        if [[ -f "$work/db-down" ]]; then sleep 1; continue; fi
        pending=$(db -tAc "SELECT COUNT(*) FROM credit_compensation WHERE status = 'PENDING' AND next_attempt_at <= now()" 2>/dev/null)
        if [[ -f "$work/pause.process-compensations" && "${pending:-0}" -ge 2 ]]; then
            job=process-compensations
        elif [[ -f "$work/pause.process-compensations" && $(( $(date +%s) - $(stat -c %Y "$work/pause.process-compensations") )) -gt 90 ]]; then
            rm -f "$work/pause.process-compensations"   # no round came of it: the cron takes over again
            continue
        else
            job=${cycle[k % ${#cycle[@]}]}
            k=$((k + 1))
            # Once the load is over, no new holds come due: an expiry round would find nothing to do.
            [[ "$job" == expire-holds && -f "$until_file" ]] && continue
        fi
        n=$((n + 1))
        job_round "$n" "$job"
        landed=$(awk -F'\t' '$3 == "t" && $6 == "t"' "$out/jobs.tsv" 2>/dev/null | wc -l)
    done
}
