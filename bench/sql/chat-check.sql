-- Metering checks after the chat benchmark (one line each, "name|value"). psql variables: lo, hi
-- (user ids of the bench users, as text bounds: the ids are numbers of equal length).
-- chat-bench.sh compares them with the driver's count of 2xx answers from Tollgate.
\pset format unaligned
\pset tuples_only on
SELECT 'bench accounts', count(*) FROM credit_account WHERE user_id BETWEEN :'lo' AND :'hi';
SELECT 'token_usage rows of the bench users', count(*) FROM token_usage WHERE user_id BETWEEN :'lo' AND :'hi';
SELECT 'SETTLE entries of the bench users', count(*) FROM credit_audit_log
 WHERE operation = 'SETTLE' AND user_id BETWEEN :'lo' AND :'hi';
SELECT 'HOLD entries of the bench users', count(*) FROM credit_audit_log
 WHERE operation = 'HOLD' AND user_id BETWEEN :'lo' AND :'hi';
SELECT 'RELEASE or EXPIRE entries of the bench users', count(*) FROM credit_audit_log
 WHERE operation IN ('RELEASE', 'EXPIRE') AND user_id BETWEEN :'lo' AND :'hi';
SELECT 'reservations left HELD', count(*) FROM credit_reservation WHERE status = 'HELD';
SELECT 'accounts whose buckets differ from the sum of their ledger deltas', count(*)
  FROM credit_account a
  LEFT JOIN (SELECT user_id, sum(monthly_delta) AS m, sum(purchased_delta) AS p, sum(reserved_delta) AS r
               FROM credit_audit_log GROUP BY user_id) l USING (user_id)
 WHERE l.user_id IS NULL OR a.monthly_millicredits <> l.m OR a.purchased_millicredits <> l.p
    OR a.reserved_millicredits <> l.r;
SELECT 'token_usage rows without their SETTLE entry', count(*)
  FROM token_usage u
 WHERE u.user_id BETWEEN :'lo' AND :'hi'
   AND NOT EXISTS (SELECT 1 FROM credit_audit_log l WHERE l.usage_id = u.id AND l.operation = 'SETTLE'
                      AND l.user_id = u.user_id AND l.reservation_id = u.reservation_id);
SELECT 'SETTLE entries without their token_usage row', count(*)
  FROM credit_audit_log l
 WHERE l.operation = 'SETTLE' AND l.user_id BETWEEN :'lo' AND :'hi'
   AND NOT EXISTS (SELECT 1 FROM token_usage u WHERE u.id = l.usage_id);
SELECT 'compensations queued (settles that failed in line)', count(*) FROM credit_compensation;
SELECT 'usage rows counted by Tollgate (upstream usage not used)', count(*) FROM token_usage
 WHERE estimated AND user_id BETWEEN :'lo' AND :'hi';
SELECT 'millicredits charged, token_usage', COALESCE(sum(cost_millicredits), 0) FROM token_usage
 WHERE user_id BETWEEN :'lo' AND :'hi';
SELECT 'millicredits charged, SETTLE entries', COALESCE(-sum(monthly_delta + purchased_delta), 0) FROM credit_audit_log
 WHERE operation = 'SETTLE' AND user_id BETWEEN :'lo' AND :'hi';
