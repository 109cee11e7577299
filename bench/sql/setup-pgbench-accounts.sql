-- Accounts for the pgbench scenarios, opened the way the application opens one: the account row
-- and its GRANT audit row (actor system:account-opening), here with a bench-sized allowance.
-- psql variables: raw_base, seed_base (user id of the hot account; the spread accounts follow it),
-- accounts, allowance.
WITH ids AS (
    SELECT CAST(b + g AS text) AS user_id
      FROM (VALUES (:raw_base), (:seed_base)) AS v(b), generate_series(0, :accounts) AS g),
opened AS (
    INSERT INTO credit_account (user_id, plan, monthly_millicredits, purchased_millicredits,
           reserved_millicredits, period_start, created_at, updated_at)
    SELECT user_id, 'free', :allowance, 0, 0, date_trunc('month', now()), now(), now() FROM ids
    RETURNING user_id, monthly_millicredits, created_at)
INSERT INTO credit_audit_log (user_id, operation, monthly_delta, purchased_delta, reserved_delta,
       monthly_after, purchased_after, reserved_after, actor, metadata, created_at)
SELECT user_id, 'GRANT', monthly_millicredits, 0, 0, monthly_millicredits, 0, 0, 'system:account-opening',
       CAST('{"reason":"account opened","plan":"free"}' AS jsonb), created_at
  FROM opened;
VACUUM ANALYZE;
