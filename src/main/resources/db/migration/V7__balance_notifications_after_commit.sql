-- Live balance events: the ledger no longer notifies from a trigger. At commit, a transaction that
-- has queued a NOTIFY takes a database-wide lock and holds it until its commit record is flushed,
-- so a trigger that notified for every ledger row serialized the commits of all balance changes
-- and capped the ledger's write rate near one commit per WAL flush. The application now announces
-- committed changes itself, batched (dev.tollgate.ledger.BalanceChangeNotifier): a handful of
-- notifying commits per second per instance instead of one per ledger row. Rows written
-- straight to the database, bypassing the application, are no longer pushed (docs/architecture.md,
-- "Live balance events").
DROP TRIGGER credit_audit_log_notify ON credit_audit_log;
DROP FUNCTION credit_audit_log_notify();
