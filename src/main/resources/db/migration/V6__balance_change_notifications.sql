-- Live balance events: every ledger row announces itself on the channel credit_balance_changed,
-- with the payload '<audit id>:<user id>' (nothing else: a NOTIFY payload is at most 8000 bytes
-- and carries no amounts). PostgreSQL delivers a notification only when the transaction that
-- wrote the row commits, and never when it rolls back, so a listener hears of exactly the
-- balance changes that happened, from every instance. Listeners read the new balance themselves.
-- Cost: at commit, a notifying transaction takes a database-wide lock that serializes the
-- commits of all notifying transactions (docs/architecture.md, "Live balance events").
CREATE FUNCTION credit_audit_log_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('credit_balance_changed', NEW.id || ':' || NEW.user_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER credit_audit_log_notify
    AFTER INSERT ON credit_audit_log
    FOR EACH ROW EXECUTE FUNCTION credit_audit_log_notify();
