#!/usr/bin/env bash
# Run before every measured run: VACUUM the account table, CHECKPOINT, then wait (bounded) until
# the machine is idle. Prints the CPU busy % of the whole machine over the last second measured:
# the bench itself is idle at that moment, so this is load of other processes.
# usage: between-runs.sh PG_PORT DB BUSY_THRESHOLD_PERCENT MAX_WAIT_SECONDS
set -euo pipefail
port=$1 db=$2 threshold=$3 max_wait=$4

(cd / && runuser -u postgres -- psql -X -q -p "$port" -d "$db" -c 'VACUUM ANALYZE credit_account' -c CHECKPOINT) >/dev/null

busy_percent() {
    local a b
    a=$(head -1 /proc/stat); sleep 1; b=$(head -1 /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        for (i = 2; i <= 9; i++) { d = y[i] - x[i]; total += d; if (i == 5 || i == 6) idle += d }
        printf "%d\n", total ? 100 * (total - idle) / total : 0 }'
}

busy=$(busy_percent)
waited=1
while (( busy > threshold && waited < max_wait )); do
    busy=$(busy_percent)
    waited=$((waited + 1))
done
echo "$busy"
