-- Correctness after the runs (one line each, "name|value"). psql variables: http_lo, http_hi
-- (user ids of the HTTP accounts, as text bounds: ids are numbers of equal length).
\pset format unaligned
\pset tuples_only on
SELECT 'accounts', count(*) FROM credit_account;
SELECT 'accounts whose buckets differ from the sum of their ledger deltas', count(*)
  FROM credit_account a
  LEFT JOIN (SELECT user_id, sum(monthly_delta) AS m, sum(purchased_delta) AS p, sum(reserved_delta) AS r
               FROM credit_audit_log GROUP BY user_id) l USING (user_id)
 WHERE l.user_id IS NULL OR a.monthly_millicredits <> l.m OR a.purchased_millicredits <> l.p
    OR a.reserved_millicredits <> l.r;
SELECT 'accounts whose last ledger entry disagrees with the account', count(*)
  FROM credit_account a
  JOIN LATERAL (SELECT * FROM credit_audit_log x WHERE x.user_id = a.user_id ORDER BY id DESC LIMIT 1) l ON true
 WHERE (l.monthly_after, l.purchased_after, l.reserved_after)
       <> (a.monthly_millicredits, a.purchased_millicredits, a.reserved_millicredits);
SELECT 'token_usage rows without their CHARGE (or, metered scenario, SETTLE) entry', count(*)
  FROM token_usage u
 WHERE NOT EXISTS (SELECT 1 FROM credit_audit_log l WHERE l.usage_id = u.id AND l.operation IN ('CHARGE', 'SETTLE')
                      AND l.user_id = u.user_id);
SELECT 'holds not settled (metered scenario)', count(*) FROM credit_reservation WHERE status <> 'SETTLED';
SELECT 'CHARGE entries without a token_usage row (seed pattern writes none)', count(*)
  FROM credit_audit_log l
 WHERE l.operation = 'CHARGE' AND l.usage_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM token_usage u WHERE u.id = l.usage_id);
SELECT 'http CHARGE entries', count(*) FROM credit_audit_log
 WHERE operation = 'CHARGE' AND user_id >= :'http_lo' AND user_id <= :'http_hi';
SELECT 'http charged millicredits', COALESCE(-sum(monthly_delta + purchased_delta), 0) FROM credit_audit_log
 WHERE operation = 'CHARGE' AND user_id >= :'http_lo' AND user_id <= :'http_hi';
