-- Accounts whose credits are all granted ones, for the granted scenario: the account row, one lot
-- that expires in a year, and the GRANT entry that created it, as Ledger.grantLot writes them.
-- psql variables: granted_base (the accounts are granted_base + 1 ..), accounts, allowance.
WITH ids AS (
    SELECT CAST(:granted_base + g AS text) AS user_id FROM generate_series(1, :accounts) AS g),
opened AS (
    INSERT INTO credit_account (user_id, plan, monthly_millicredits, granted_millicredits, purchased_millicredits,
           reserved_millicredits, grants_expire_at, period_start, created_at, updated_at)
    SELECT user_id, 'free', 0, :allowance, 0, 0, now() + interval '1 year', date_trunc('month', now()), now(), now()
      FROM ids
    RETURNING user_id, granted_millicredits, grants_expire_at, created_at),
entry AS (
    INSERT INTO credit_audit_log (user_id, operation, monthly_delta, granted_delta, purchased_delta, reserved_delta,
           monthly_after, granted_after, purchased_after, reserved_after, actor, metadata, created_at)
    SELECT user_id, 'GRANT', 0, granted_millicredits, 0, 0, 0, granted_millicredits, 0, 0, 'admin:bench',
           CAST('{"reason":"bench grant"}' AS jsonb), created_at
      FROM opened
    RETURNING id, user_id, granted_delta, created_at)
INSERT INTO credit_grant_lot (id, user_id, priority, granted, remaining, expires_at, source, reason, entry_id, granted_at)
SELECT gen_random_uuid(), e.user_id, 100, e.granted_delta, e.granted_delta, o.grants_expire_at, 'admin:bench',
       'bench grant', e.id, e.created_at
  FROM entry e JOIN opened o ON o.user_id = e.user_id;
VACUUM ANALYZE;
