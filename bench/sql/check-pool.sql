-- Correctness of the team pool after the runs (one line each, "name|value"). psql variable: pool
-- (the pool's account, team:<team id>).
\pset format unaligned
\pset tuples_only on
SELECT 'pool: buckets differ from the sum of its ledger deltas', count(*)
  FROM credit_account a
  LEFT JOIN (SELECT user_id, sum(monthly_delta) AS m, sum(purchased_delta) AS p, sum(reserved_delta) AS r
               FROM credit_audit_log WHERE user_id = :'pool' GROUP BY user_id) l USING (user_id)
 WHERE a.user_id = :'pool'
   AND (l.user_id IS NULL OR a.monthly_millicredits <> l.m OR a.purchased_millicredits <> l.p
        OR a.reserved_millicredits <> l.r);
SELECT 'pool CHARGE entries', count(*) FROM credit_audit_log WHERE operation = 'CHARGE' AND user_id = :'pool';
SELECT 'pool charged millicredits', COALESCE(-sum(monthly_delta + purchased_delta), 0) FROM credit_audit_log
 WHERE operation = 'CHARGE' AND user_id = :'pool';
SELECT 'pool usage rows', count(*) FROM token_usage WHERE user_id = :'pool';
SELECT 'pool usage rows that name no member of the pool', count(*)
  FROM token_usage u
 WHERE u.user_id = :'pool'
   AND NOT EXISTS (SELECT 1 FROM team_member m WHERE m.account_id = u.user_id AND m.user_id = u.member_id);
SELECT 'pool members', count(*) FROM team_member WHERE account_id = :'pool';
SELECT 'pool members spent millicredits (sum)', COALESCE(sum(spent_millicredits), 0) FROM team_member WHERE account_id = :'pool';
SELECT 'pool members held millicredits (sum)', COALESCE(sum(held_millicredits), 0) FROM team_member WHERE account_id = :'pool';
