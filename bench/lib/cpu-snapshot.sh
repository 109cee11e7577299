#!/usr/bin/env bash
# Prints CPU time used so far, in clock ticks, as "app,postgres,machine_busy,machine_total[,other]":
#   app      = utime+stime of APP_PID (0 if none)
#   postgres = utime+stime of every live postgres process, plus the postmaster's reaped children
#              (cutime+cstime), so that backends that exited during a run still count
#   machine  = busy and total ticks of all CPUs (/proc/stat)
#   other    = utime+stime of OTHER_PID, only if given (the chat bench's fake upstream)
# usage: cpu-snapshot.sh APP_PID POSTMASTER_PID_FILE [OTHER_PID]
set -euo pipefail
app_pid=${1:-0}
postmaster=$(head -1 "$2" 2>/dev/null || echo 0)
other_pid=${3:-}
procs=$(cat /proc/[0-9]*/stat 2>/dev/null || true)
awk -v app="$app_pid" -v pm="$postmaster" -v other="$other_pid" '
    FILENAME == "-" {
        pid = $1
        comm = $0; sub(/^[0-9]+ \(/, "", comm); sub(/\) [A-Za-z] .*$/, "", comm)
        rest = $0; sub(/^.*\) /, "", rest); n = split(rest, f, " ")
        t = f[12] + f[13]
        if (pid == app) a += t
        if (other != "" && pid == other) o += t
        if (comm == "postgres") p += t
        if (pid == pm) p += f[14] + f[15]
        next
    }
    /^cpu / { for (i = 2; i <= 9; i++) { total += $i; if (i != 5 && i != 6) busy += $i } }
    END { printf "%d,%d,%d,%d", a, p, busy, total; if (other != "") printf ",%d", o; printf "\n" }' - /proc/stat <<<"$procs"
