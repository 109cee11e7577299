-- Rate limits shared by every instance: one row per (tier, caller), holding the GCRA "theoretical
-- arrival time" of the caller's next request in microseconds since the epoch, as the database's
-- clock counts them (one clock for all instances). A check is one INSERT ... ON CONFLICT DO UPDATE
-- on this row (see ratelimit.PostgresRateLimitStore); a row whose tat is in the past is the same as
-- no row and may be purged at any time.
--
-- UNLOGGED: the counters are short-lived and need no crash safety; they are not written to the WAL
-- (a check costs no WAL flush) and are emptied after a crash of the database (the limits start
-- afresh). No index but the primary key, so that every update can be a HOT update; fillfactor
-- leaves room for it.
CREATE UNLOGGED TABLE rate_limit_bucket (
    bucket_key      text    PRIMARY KEY,
    tat_micros      bigint  NOT NULL,
    checked_micros  bigint  NOT NULL,
    admitted        boolean NOT NULL,
    CONSTRAINT rate_limit_bucket_key_length CHECK (length(bucket_key) <= 400)
) WITH (fillfactor = 70);
