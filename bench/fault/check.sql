-- The invariants the fault run checks after its load and faults (bench/fault/fault-run.sh), on the
-- run's own database, as the app's role. Before this file the script has loaded, into temporary
-- tables, what the load driver recorded: acks (every mutation answered 2xx), refused (finally 402,
-- 409, 422, or 502/504 for a chat call) and fivexx (every 5xx answer). Variable: allowance (the
-- plan's monthly allowance, granted when an account opens).
--
-- Output: the per-account table, the list of every 5xx, then one row per check with its count of
-- violations, then a last line "VIOLATIONS <n>" that the script reads.

\pset footer off
CREATE TEMP TABLE results (no int, invariant text, checked bigint, violations bigint, detail text);

-- ---------------------------------------------------------------- per account
-- The audit rows of each account in the order they were applied (ids are taken under the account's
-- row lock, so per account id order = application order), with running sums.
CREATE TEMP TABLE chain AS
SELECT l.*,
       SUM(monthly_delta) OVER w AS m_run, SUM(purchased_delta) OVER w AS p_run, SUM(reserved_delta) OVER w AS r_run,
       (l.operation = 'GRANT' AND l.actor = 'system:account-opening')
           OR (l.operation = 'ADJUST' AND l.idempotency_key LIKE 'tollgate:adjust:init-%') AS initial
  FROM credit_audit_log l
WINDOW w AS (PARTITION BY user_id ORDER BY id);

CREATE TEMP TABLE per_account AS
SELECT a.user_id,
       COALESCE(SUM(c.monthly_delta + c.purchased_delta) FILTER (WHERE c.initial), 0) AS initial_grants,
       COALESCE((SELECT amount FROM acks k WHERE k.kind = 'INIT' AND k.user_id = a.user_id), 0) + :allowance AS known_grants,
       COALESCE(SUM(c.monthly_delta) FILTER (WHERE NOT c.initial), 0) AS monthly_moves,
       COALESCE(SUM(c.purchased_delta) FILTER (WHERE NOT c.initial), 0) AS purchased_moves,
       COALESCE(SUM(c.reserved_delta) FILTER (WHERE NOT c.initial), 0) AS reserved_moves,
       COALESCE(SUM(c.monthly_delta), 0) AS monthly_sum, COALESCE(SUM(c.purchased_delta), 0) AS purchased_sum,
       COALESCE(SUM(c.reserved_delta), 0) AS reserved_sum,
       a.monthly_millicredits AS monthly, a.purchased_millicredits AS purchased, a.reserved_millicredits AS reserved,
       COUNT(c.id) AS audit_rows,
       COUNT(c.id) FILTER (WHERE c.m_run <> c.monthly_after OR c.p_run <> c.purchased_after
                                 OR c.r_run <> c.reserved_after) AS broken_links,
       COUNT(c.id) FILTER (WHERE c.monthly_after < 0 OR c.purchased_after < 0 OR c.reserved_after < 0
                                 OR c.monthly_after + c.purchased_after - c.reserved_after < 0) AS negative_points,
       MIN(c.monthly_after + c.purchased_after - c.reserved_after) AS min_available
  FROM credit_account a LEFT JOIN chain c ON c.user_id = a.user_id
 GROUP BY a.user_id;

\echo
\echo 'Per account: initial grants (opening grant + the known admin grant) + the sum of its other audit rows = its buckets, at every audited point >= 0'
SELECT user_id AS account, initial_grants AS "initial grants", monthly_moves AS "monthly moves",
       purchased_moves AS "purchased moves", reserved_moves AS "reserved moves",
       initial_grants + monthly_moves + purchased_moves AS "expected m+p",
       monthly + purchased AS "account m+p", reserved AS "account r", audit_rows AS "audit rows",
       min_available AS "min available",
       CASE WHEN monthly = monthly_sum AND purchased = purchased_sum AND reserved = reserved_sum
                 AND initial_grants = known_grants AND broken_links = 0 AND negative_points = 0
                 AND monthly >= 0 AND purchased >= 0 AND monthly + purchased - reserved >= 0
            THEN 'ok' ELSE 'VIOLATION' END AS verdict
  FROM per_account ORDER BY user_id;

INSERT INTO results
SELECT 1, 'buckets = initial grants + sum of the account''s audit rows', COUNT(*),
       COUNT(*) FILTER (WHERE monthly <> monthly_sum OR purchased <> purchased_sum OR reserved <> reserved_sum
                              OR initial_grants <> known_grants),
       'accounts; initial grants as granted: ' || COUNT(*) FILTER (WHERE initial_grants = known_grants)
  FROM per_account;
INSERT INTO results
SELECT 2, 'balances after every audit row = running sums (unbroken chain)', SUM(audit_rows), SUM(broken_links),
       'audit rows' FROM per_account;
INSERT INTO results
SELECT 3, 'never negative at any audited point (buckets, available)', SUM(audit_rows) + COUNT(*),
       SUM(negative_points) + COUNT(*) FILTER (WHERE monthly < 0 OR purchased < 0 OR reserved < 0
                                                   OR monthly + purchased - reserved < 0),
       'audit rows + accounts; lowest available seen: ' || MIN(min_available) FROM per_account;

-- ---------------------------------------------------------------- idempotency
INSERT INTO results
SELECT 4, 'no idempotency key applied twice', (SELECT COUNT(*) FROM credit_audit_log WHERE idempotency_key IS NOT NULL),
       (SELECT COUNT(*) FROM (SELECT 1 FROM credit_audit_log WHERE idempotency_key IS NOT NULL
                               GROUP BY user_id, idempotency_key HAVING COUNT(*) > 1) d)
     + (SELECT COUNT(*) FROM (SELECT 1 FROM token_usage GROUP BY user_id, request_id HAVING COUNT(*) > 1) d)
     + (SELECT COUNT(*) FROM (SELECT 1 FROM credit_audit_log WHERE usage_id IS NOT NULL AND operation IN ('CHARGE', 'SETTLE')
                               GROUP BY usage_id HAVING COUNT(*) > 1) d)
     + (SELECT COUNT(*) FROM (SELECT 1 FROM credit_audit_log WHERE reservation_id IS NOT NULL AND operation <> 'LAPSE'
                               GROUP BY reservation_id, operation = 'HOLD' HAVING COUNT(*) > 1) d),
       'keyed rows; also: usage rows per request, charges per usage row, holds and resolutions per reservation';

-- ---------------------------------------------------------------- holds
INSERT INTO results
SELECT 5, 'every hold settled, released or expired (with its one ledger row)', COUNT(*),
       COUNT(*) FILTER (WHERE r.status = 'HELD')
     + COUNT(*) FILTER (WHERE r.status <> 'HELD' AND NOT EXISTS (
           SELECT 1 FROM credit_audit_log l WHERE l.reservation_id = r.id
              AND l.operation = CASE r.status WHEN 'SETTLED' THEN 'SETTLE' WHEN 'RELEASED' THEN 'RELEASE' ELSE 'EXPIRE' END))
     + (SELECT COUNT(*) FROM credit_account WHERE reserved_millicredits <> 0),
       string_agg(DISTINCT r.status, ', ' ORDER BY r.status) || ': ' ||
       (SELECT string_agg(status || ' ' || n, ', ' ORDER BY status) FROM
           (SELECT status, COUNT(*) n FROM credit_reservation GROUP BY status) s)
  FROM credit_reservation r;

-- ---------------------------------------------------------------- compensations
INSERT INTO results
SELECT 6, 'every compensation APPLIED (with its ledger row), or FAILED with a reason', COUNT(*),
       COUNT(*) FILTER (WHERE status = 'PENDING')
     + COUNT(*) FILTER (WHERE status = 'FAILED' AND COALESCE(last_error, '') = '')
     -- applied: by its own ledger row, or (a deferred settle that had committed after all) by the hold's settle
     + COUNT(*) FILTER (WHERE status = 'APPLIED' AND (SELECT COUNT(*) FROM credit_audit_log l
                                                    WHERE l.user_id = c.user_id AND (l.idempotency_key = 'tollgate:compensation:' || c.id
                                                          OR c.kind = 'CHARGE' AND l.idempotency_key = 'tollgate:settle:' || c.reservation_id)) <> 1),
       COALESCE((SELECT string_agg(status || ' ' || n, ', ' ORDER BY status) FROM
           (SELECT status, COUNT(*) n FROM credit_compensation GROUP BY status) s), 'none queued')
     || COALESCE('; FAILED: ' || string_agg(DISTINCT last_error, '; ') FILTER (WHERE status = 'FAILED'), '')
  FROM credit_compensation c;

-- ---------------------------------------------------------------- acknowledged mutations
CREATE TEMP TABLE ack_check AS
SELECT k.*, CASE
    WHEN k.kind IN ('INIT', 'ADJUST', 'REFUND') THEN EXISTS (
        SELECT 1 FROM credit_audit_log l WHERE l.user_id = k.user_id AND l.idempotency_key = k.key AND l.operation = 'ADJUST'
           AND l.id = CAST(k.ref AS bigint) AND l.monthly_delta + l.purchased_delta = k.amount)
    WHEN k.kind = 'CHARGE' THEN EXISTS (
        SELECT 1 FROM credit_audit_log l WHERE l.user_id = k.user_id AND l.idempotency_key = k.key AND l.operation = 'CHARGE'
           AND l.id = CAST(k.ref AS bigint) AND -(l.monthly_delta + l.purchased_delta) = k.amount
           AND l.usage_id = CAST(k.extra AS bigint))
    WHEN k.kind = 'HOLD' THEN EXISTS (
        SELECT 1 FROM credit_audit_log l WHERE l.user_id = k.user_id AND l.idempotency_key = k.key AND l.operation = 'HOLD'
           AND l.reservation_id = CAST(k.ref AS uuid) AND l.reserved_delta = k.amount)
    WHEN k.kind = 'SETTLE' THEN EXISTS (
        SELECT 1 FROM credit_audit_log l WHERE l.user_id = k.user_id AND l.idempotency_key = k.key AND l.operation = 'SETTLE'
           AND l.reservation_id = CAST(k.ref AS uuid) AND -(l.monthly_delta + l.purchased_delta) = k.amount)
    WHEN k.kind = 'RELEASE' THEN EXISTS (
        SELECT 1 FROM credit_audit_log l WHERE l.user_id = k.user_id AND l.idempotency_key = k.key AND l.operation = 'RELEASE'
           AND l.reservation_id = CAST(k.ref AS uuid) AND l.reserved_delta = -k.amount)
    -- A chat call answered 200 is charged: its hold settled in line, or by its compensation.
    WHEN k.kind = 'CHAT' THEN EXISTS (
        SELECT 1 FROM credit_reservation r
          JOIN credit_audit_log l ON l.user_id = r.user_id
               AND (l.reservation_id = r.id AND l.operation = 'SETTLE'
                    OR l.idempotency_key IN (SELECT 'tollgate:compensation:' || c.id FROM credit_compensation c
                                              WHERE c.reservation_id = r.id AND c.status = 'APPLIED'))
         WHERE r.user_id = k.user_id AND r.idempotency_key = k.key)
    ELSE false END AS found
  FROM acks k;

INSERT INTO results
SELECT 7, 'every acknowledged (2xx) mutation is in the ledger, as answered', COUNT(*), COUNT(*) FILTER (WHERE NOT found),
       (SELECT string_agg(kind || ' ' || n, ', ' ORDER BY kind) FROM (SELECT kind, COUNT(*) n FROM ack_check GROUP BY kind) s)
  FROM ack_check;

-- ---------------------------------------------------------------- refused mutations
CREATE TEMP TABLE refused_check AS
SELECT f.*, CASE
    WHEN f.kind = 'CHAT' THEN NOT EXISTS (
        SELECT 1 FROM credit_reservation r WHERE r.user_id = f.user_id AND r.idempotency_key = f.key AND r.status = 'SETTLED')
    WHEN f.kind = 'HOLD' THEN NOT EXISTS (
        SELECT 1 FROM credit_reservation r WHERE r.user_id = f.user_id AND r.idempotency_key = f.key)
        AND NOT EXISTS (SELECT 1 FROM credit_audit_log l WHERE l.user_id = f.user_id AND l.idempotency_key = f.key)
    ELSE NOT EXISTS (SELECT 1 FROM credit_audit_log l WHERE l.user_id = f.user_id AND l.idempotency_key = f.key)
    END AS unchanged
  FROM refused f;

INSERT INTO results
SELECT 8, 'every refused mutation (402, 409, 422; chat 502/504) changed nothing', COUNT(*),
       COUNT(*) FILTER (WHERE NOT unchanged),
       COALESCE((SELECT string_agg(kind || ' ' || status || ' ' || n, ', ' ORDER BY kind, status) FROM
           (SELECT kind, status, COUNT(*) n FROM refused_check GROUP BY kind, status) s), 'none')
  FROM refused_check;

-- ---------------------------------------------------------------- usage rows and their charges
INSERT INTO results
SELECT 9, 'every usage row charged once, never above its cost', COUNT(*),
       COUNT(*) FILTER (WHERE charges <> 1 OR charged > u.cost_millicredits OR (op = 'CHARGE' AND charged <> u.cost_millicredits)),
       'usage rows'
  FROM token_usage u
  LEFT JOIN LATERAL (SELECT COUNT(*) AS charges, -SUM(l.monthly_delta + l.purchased_delta) AS charged, MIN(l.operation) AS op
                       FROM credit_audit_log l
                      WHERE l.user_id = u.user_id AND l.usage_id = u.id AND l.operation IN ('CHARGE', 'SETTLE')) c ON true;

-- ---------------------------------------------------------------- 5xx answers
\echo
\echo 'Every 5xx answer the clients saw (grouped; all of them are in fivexx.tsv):'
SELECT status, type AS "problem type", kind, path, COUNT(*) AS answers, MIN(at) AS first, MAX(at) AS last,
       CASE WHEN expected THEN 'expected' ELSE 'VIOLATION' END AS verdict
  FROM (SELECT f.*, (f.kind = 'CHAT' AND f.status IN (502, 504) AND f.type LIKE 'provider-%')
                    OR (f.status = 503 AND f.type IN ('database-unavailable', 'prices-unavailable', 'provider-unavailable')) AS expected
          FROM fivexx f) x
 GROUP BY status, type, kind, path, expected ORDER BY status, type, kind, path;

INSERT INTO results
SELECT 10, '5xx answers: only the documented ones (provider 502/503/504; database or prices 503)', COUNT(*),
       COUNT(*) FILTER (WHERE NOT ((kind = 'CHAT' AND status IN (502, 504) AND type LIKE 'provider-%')
                                   OR (status = 503 AND type IN ('database-unavailable', 'prices-unavailable', 'provider-unavailable')))),
       COALESCE(string_agg(DISTINCT status || ' ' || type, ', '), 'none')
  FROM fivexx;

\echo
\echo 'Invariants:'
SELECT no AS "#", invariant, checked, violations, CASE WHEN violations = 0 THEN 'ok' ELSE 'VIOLATED' END AS verdict, detail
  FROM results ORDER BY no;

-- Details of what failed, if anything did.
SELECT 'unacknowledged in the ledger: ' || kind || ' ' || user_id || ' ' || key || ' ' || ref AS "violating rows"
  FROM ack_check WHERE NOT found
UNION ALL
SELECT 'refused but applied: ' || kind || ' ' || user_id || ' ' || key || ' ' || status FROM refused_check WHERE NOT unchanged
UNION ALL
SELECT 'account ' || user_id || ': buckets ' || monthly || '/' || purchased || '/' || reserved || ', audit sums '
       || monthly_sum || '/' || purchased_sum || '/' || reserved_sum || ', initial ' || initial_grants || ' (known '
       || known_grants || '), broken links ' || broken_links || ', negative points ' || negative_points
  FROM per_account
 WHERE monthly <> monthly_sum OR purchased <> purchased_sum OR reserved <> reserved_sum OR initial_grants <> known_grants
    OR broken_links > 0 OR negative_points > 0
UNION ALL
SELECT 'hold left HELD: ' || id || ' of ' || user_id || ', expires ' || expires_at FROM credit_reservation WHERE status = 'HELD'
UNION ALL
SELECT 'compensation ' || id || ' ' || status || ': ' || COALESCE(last_error, '-') FROM credit_compensation WHERE status <> 'APPLIED'
LIMIT 50;

\pset tuples_only on
\pset format unaligned
SELECT 'VIOLATIONS ' || SUM(violations) FROM results;
