-- The seed report's pattern of a charge, for comparison: SERIALIZABLE, read the account row
-- FOR UPDATE, compute the new balances in the client (monthly bucket first), write them back and
-- append the audit row. Run with --max-tries so that pgbench retries serialization failures.
-- Like the raw-SQL scenario it charges :cost millicredits; unlike it, it writes no token_usage row
-- (the pattern as reported has none) and does not check the balance (accounts are bench-sized).
-- Variables (-D): first, accounts, cost, operation, request_hash, client_ip, user_agent.
\set uid :first + random(0, :accounts - 1)
\set rid :client_id * 100000000000000 + random(1, 99999999999999)
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT monthly_millicredits AS m, purchased_millicredits AS p, reserved_millicredits AS r
  FROM credit_account WHERE user_id = :uid FOR UPDATE \gset
\set from_monthly least(:m, :cost)
\set m2 :m - :from_monthly
\set p2 :p - (:cost - :from_monthly)
\set dm :m2 - :m
\set dp :p2 - :p
UPDATE credit_account SET monthly_millicredits = :m2, purchased_millicredits = :p2, updated_at = now()
 WHERE user_id = :uid;
INSERT INTO credit_audit_log (user_id, operation, monthly_delta, purchased_delta, reserved_delta,
       monthly_after, purchased_after, reserved_after, idempotency_key, request_hash, usage_id,
       reservation_id, actor, client_ip, user_agent, metadata, created_at)
VALUES (:uid, :operation, :dm, :dp, 0, :m2, :p2, :r, :rid, :request_hash, NULL,
        NULL, 'user:' || CAST(:uid AS text), :client_ip, :user_agent, NULL, now());
COMMIT;
