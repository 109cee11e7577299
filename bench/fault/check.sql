-- The invariants the fault run checks after its load and faults (bench/fault/fault-run.sh), on the
-- run's own database, as the app's role. Before this file the script has loaded, into temporary
-- tables, what the load driver recorded: acks (every mutation answered 2xx, and a chat call answered
-- 502/504 with chargedMillicredits), refused (finally 402, 409, 422, or 502/504 without a charge for
-- a chat call, 400 for a grant whose expiry had passed before it committed), fivexx (every 5xx answer) and chats (every chat call: user, key, shape, what the
-- client saw); what the fake upstream billed (billed: one row per call it ended, keyed by the tag
-- the driver put in the prompt, which is the call's Idempotency-Key); and when the app was killed
-- (kills), when the database went away and came back (outages), the one-shot job rounds (job_rounds:
-- killed in a batch, the other instance skipped, the next run finished the work) and what the admin
-- API shows of the compensations of every account with a FAILED one (admin_compensations).
-- Variables: allowance (the plan's monthly allowance, granted when an account opens), call_window
-- (max-call-duration + the settle's patience: how long before a kill a call that the kill left
-- unsettled may have begun), min_path (how often each recovery path must be taken), short (1: the
-- short run, which must reach only some of them), stopped_reading_let_go (how many times the app's
-- log says it let a client go that read nothing), grants_final_at (when the script's last expire-grants
-- run began, once no hold was live). And deadline_cuts: the holds of the calls the app's log says it
-- cut at their maximum duration. And webhook_receipts: every request the webhook receiver (the
-- run's one endpoint, of every event type) got, in the order they came (n), with the webhook-id,
-- the body's type and userId, whether the signature was right, the attempt (requests with that id
-- so far) and its answer: 204 (accepted), 500 or stall (the receiver's planned failures of a first
-- attempt; a stall outlasts the sender's timeout), 401 (a bad signature).
--
-- Output: the per-account table, the list of every 5xx, one row per check with its count of
-- violations, the coverage table (how often the run took each recovery path), then the lines
-- "VIOLATIONS <n>" and "PATHS NOT TAKEN <n>" that the script reads.

\pset footer off
CREATE TEMP TABLE results (no int, invariant text, checked bigint, violations bigint, detail text);

-- Usage rows live and archived (the archival job moves them; a row is in exactly one of the two).
CREATE TEMP VIEW all_usage AS
SELECT id, user_id, request_id, model, cost_millicredits, shortfall_millicredits, estimated, output_tokens,
       reasoning_tokens, reservation_id, created_at, false AS archived FROM token_usage
UNION ALL
SELECT id, user_id, request_id, model, cost_millicredits, shortfall_millicredits, estimated, output_tokens,
       reasoning_tokens, reservation_id, created_at, true FROM token_usage_archive;

-- ---------------------------------------------------------------- per account
-- The audit rows of each account in the order they were applied (ids are taken under the account's
-- row lock, so per account id order = application order), with running sums.
CREATE TEMP TABLE chain AS
SELECT l.*,
       SUM(monthly_delta) OVER w AS m_run, SUM(granted_delta) OVER w AS g_run, SUM(purchased_delta) OVER w AS p_run,
       SUM(reserved_delta) OVER w AS r_run,
       (l.operation = 'GRANT' AND l.actor = 'system:account-opening')
           OR (l.operation = 'ADJUST' AND l.idempotency_key LIKE 'tollgate:adjust:init-%') AS initial
  FROM credit_audit_log l
WINDOW w AS (PARTITION BY user_id ORDER BY id);

CREATE TEMP TABLE per_account AS
SELECT a.user_id,
       COALESCE(SUM(c.monthly_delta + c.granted_delta + c.purchased_delta) FILTER (WHERE c.initial), 0) AS initial_grants,
       COALESCE((SELECT amount FROM acks k WHERE k.kind = 'INIT' AND k.user_id = a.user_id), 0) + :allowance AS known_grants,
       COALESCE(SUM(c.monthly_delta) FILTER (WHERE NOT c.initial), 0) AS monthly_moves,
       COALESCE(SUM(c.granted_delta) FILTER (WHERE NOT c.initial), 0) AS granted_moves,
       COALESCE(SUM(c.purchased_delta) FILTER (WHERE NOT c.initial), 0) AS purchased_moves,
       COALESCE(SUM(c.reserved_delta) FILTER (WHERE NOT c.initial), 0) AS reserved_moves,
       COALESCE(SUM(c.monthly_delta), 0) AS monthly_sum, COALESCE(SUM(c.granted_delta), 0) AS granted_sum,
       COALESCE(SUM(c.purchased_delta), 0) AS purchased_sum,
       COALESCE(SUM(c.reserved_delta), 0) AS reserved_sum,
       a.monthly_millicredits AS monthly, a.granted_millicredits AS granted, a.purchased_millicredits AS purchased,
       a.reserved_millicredits AS reserved,
       COUNT(c.id) AS audit_rows,
       COUNT(c.id) FILTER (WHERE c.m_run <> c.monthly_after OR c.g_run <> c.granted_after OR c.p_run <> c.purchased_after
                                 OR c.r_run <> c.reserved_after) AS broken_links,
       COUNT(c.id) FILTER (WHERE c.monthly_after < 0 OR c.granted_after < 0 OR c.purchased_after < 0 OR c.reserved_after < 0
                                 OR c.monthly_after + c.granted_after + c.purchased_after - c.reserved_after < 0) AS negative_points,
       MIN(c.monthly_after + c.granted_after + c.purchased_after - c.reserved_after) AS min_available
  FROM credit_account a LEFT JOIN chain c ON c.user_id = a.user_id
 GROUP BY a.user_id;

\echo
\echo 'Per account: initial grants (opening grant + the known admin grant) + the sum of its other audit rows = its buckets, at every audited point >= 0'
SELECT user_id AS account, initial_grants AS "initial grants", monthly_moves AS "monthly moves",
       granted_moves AS "granted moves", purchased_moves AS "purchased moves", reserved_moves AS "reserved moves",
       initial_grants + monthly_moves + granted_moves + purchased_moves AS "expected m+g+p",
       monthly + granted + purchased AS "account m+g+p", reserved AS "account r", audit_rows AS "audit rows",
       min_available AS "min available",
       CASE WHEN monthly = monthly_sum AND granted = granted_sum AND purchased = purchased_sum AND reserved = reserved_sum
                 AND initial_grants = known_grants AND broken_links = 0 AND negative_points = 0
                 AND monthly >= 0 AND granted >= 0 AND purchased >= 0 AND monthly + granted + purchased - reserved >= 0
            THEN 'ok' ELSE 'VIOLATION' END AS verdict
  FROM per_account ORDER BY user_id;

INSERT INTO results
SELECT 1, 'buckets = initial grants + sum of the account''s audit rows', COUNT(*),
       COUNT(*) FILTER (WHERE monthly <> monthly_sum OR granted <> granted_sum OR purchased <> purchased_sum
                              OR reserved <> reserved_sum OR initial_grants <> known_grants),
       'accounts; initial grants as granted: ' || COUNT(*) FILTER (WHERE initial_grants = known_grants)
  FROM per_account;
INSERT INTO results
SELECT 2, 'balances after every audit row = running sums (unbroken chain)', SUM(audit_rows), SUM(broken_links),
       'audit rows' FROM per_account;
INSERT INTO results
SELECT 3, 'never negative at any audited point (buckets, available)', SUM(audit_rows) + COUNT(*),
       SUM(negative_points) + COUNT(*) FILTER (WHERE monthly < 0 OR granted < 0 OR purchased < 0 OR reserved < 0
                                                   OR monthly + granted + purchased - reserved < 0),
       'audit rows + accounts; lowest available seen: ' || MIN(min_available) FROM per_account;

-- ---------------------------------------------------------------- idempotency
INSERT INTO results
SELECT 4, 'no idempotency key applied twice', (SELECT COUNT(*) FROM credit_audit_log WHERE idempotency_key IS NOT NULL),
       (SELECT COUNT(*) FROM (SELECT 1 FROM credit_audit_log WHERE idempotency_key IS NOT NULL
                               GROUP BY user_id, idempotency_key HAVING COUNT(*) > 1) d)
     + (SELECT COUNT(*) FROM (SELECT 1 FROM all_usage GROUP BY user_id, request_id HAVING COUNT(*) > 1) d)
     + (SELECT COUNT(*) FROM (SELECT 1 FROM all_usage GROUP BY id HAVING COUNT(*) > 1) d)
     + (SELECT COUNT(*) FROM (SELECT 1 FROM credit_audit_log WHERE usage_id IS NOT NULL AND operation IN ('CHARGE', 'SETTLE')
                               GROUP BY usage_id HAVING COUNT(*) > 1) d)
     -- per reservation: one hold, one resolution (settle, release or expiry), one charge (its settle, or
     -- the charge of its compensation once the hold had expired)
     + (SELECT COUNT(*) FROM (SELECT 1 FROM credit_audit_log WHERE reservation_id IS NOT NULL AND operation <> 'LAPSE'
                               GROUP BY reservation_id, CASE WHEN operation = 'HOLD' THEN 'hold'
                                                             WHEN operation IN ('SETTLE', 'RELEASE', 'EXPIRE') THEN 'resolution'
                                                             ELSE operation END HAVING COUNT(*) > 1) d)
     + (SELECT COUNT(*) FROM (SELECT 1 FROM credit_audit_log WHERE reservation_id IS NOT NULL AND operation IN ('SETTLE', 'CHARGE')
                               GROUP BY reservation_id HAVING COUNT(*) > 1) d),
       'keyed rows; also: usage rows per request and id (live or archived), charges per usage row, holds, resolutions and charges per reservation';

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

-- ---------------------------------------------------------------- calls the app was killed in
-- A call begun at most call_window before a kill -9 (its longest run and its settle) may have been
-- cut by it, unsettled: the expiry job then charges its whole hold (outcome unknown), with a usage
-- row of the prompt and the whole output budget. The fake notes a call when its handler starts, a
-- moment after the app sent it: 2 s of grace after the kill.
CREATE TEMP TABLE kill_windows AS
SELECT at - CAST(:'call_window' AS interval) AS from_at, at + interval '2 seconds' AS to_at FROM kills;

-- ---------------------------------------------------------------- acknowledged mutations
CREATE TEMP TABLE ack_check AS
SELECT k.*, CASE
    -- an admin grant: its GRANT entry and the one lot it created, as answered (lot, entry, amount, priority, expiry)
    WHEN k.kind = 'GRANT' THEN EXISTS (
        SELECT 1 FROM credit_audit_log l JOIN credit_grant_lot g ON g.entry_id = l.id
         WHERE l.user_id = k.user_id AND l.idempotency_key = k.key AND l.operation = 'GRANT'
           AND l.id = CAST(split_part(k.extra, ' ', 1) AS bigint) AND l.granted_delta = k.amount
           AND l.monthly_delta = 0 AND l.purchased_delta = 0 AND l.reserved_delta = 0
           AND g.id = CAST(k.ref AS uuid) AND g.user_id = k.user_id AND g.granted = k.amount
           AND g.priority = CAST(split_part(k.extra, ' ', 2) AS int)
           AND g.expires_at = CAST(split_part(k.extra, ' ', 3) AS timestamptz))
    WHEN k.kind IN ('INIT', 'ADJUST', 'REFUND') THEN EXISTS (
        SELECT 1 FROM credit_audit_log l WHERE l.user_id = k.user_id AND l.idempotency_key = k.key AND l.operation = 'ADJUST'
           AND l.id = CAST(k.ref AS bigint) AND l.monthly_delta + l.purchased_delta = k.amount)
    WHEN k.kind = 'CHARGE' THEN EXISTS (
        SELECT 1 FROM credit_audit_log l WHERE l.user_id = k.user_id AND l.idempotency_key = k.key AND l.operation = 'CHARGE'
           AND l.id = CAST(k.ref AS bigint) AND -(l.monthly_delta + l.granted_delta + l.purchased_delta) = k.amount
           AND l.usage_id = CAST(k.extra AS bigint))
    WHEN k.kind = 'HOLD' THEN EXISTS (
        SELECT 1 FROM credit_audit_log l WHERE l.user_id = k.user_id AND l.idempotency_key = k.key AND l.operation = 'HOLD'
           AND l.reservation_id = CAST(k.ref AS uuid) AND l.reserved_delta = k.amount)
    WHEN k.kind = 'SETTLE' THEN EXISTS (
        SELECT 1 FROM credit_audit_log l WHERE l.user_id = k.user_id AND l.idempotency_key = k.key AND l.operation = 'SETTLE'
           AND l.reservation_id = CAST(k.ref AS uuid) AND -(l.monthly_delta + l.granted_delta + l.purchased_delta) = k.amount)
    WHEN k.kind = 'RELEASE' THEN EXISTS (
        SELECT 1 FROM credit_audit_log l WHERE l.user_id = k.user_id AND l.idempotency_key = k.key AND l.operation = 'RELEASE'
           AND l.reservation_id = CAST(k.ref AS uuid) AND l.reserved_delta = -k.amount)
    -- A chat call answered 200 is charged: its hold settled in line, by its compensation, or (the app
    -- was killed in it before its settle) by the expiry job, whole.
    -- A chat call whose compensation FAILED (the account could not pay once its hold had expired) is
    -- counted apart: its amount and reason must be visible to admins (check 14).
    WHEN k.kind = 'CHAT' THEN EXISTS (
        SELECT 1 FROM credit_reservation r
          JOIN credit_audit_log l ON l.user_id = r.user_id
               AND (l.reservation_id = r.id AND l.operation = 'SETTLE'
                    OR l.idempotency_key IN (SELECT 'tollgate:compensation:' || c.id FROM credit_compensation c
                                              WHERE c.reservation_id = r.id AND c.status = 'APPLIED'))
         WHERE r.user_id = k.user_id AND r.idempotency_key = k.key)
        OR EXISTS (
        SELECT 1 FROM credit_reservation r JOIN credit_compensation c ON c.reservation_id = r.id AND c.status = 'FAILED'
         WHERE r.user_id = k.user_id AND r.idempotency_key = k.key)
    ELSE false END AS found,
    k.kind = 'CHAT' AND EXISTS (
        SELECT 1 FROM credit_reservation r JOIN credit_audit_log l ON l.user_id = r.user_id AND l.reservation_id = r.id
         WHERE r.user_id = k.user_id AND r.idempotency_key = k.key AND l.operation = 'SETTLE' AND l.actor = 'job:expire-holds')
        AS charged_at_expiry,
    k.kind = 'CHAT' AND EXISTS (
        SELECT 1 FROM credit_reservation r JOIN credit_compensation c ON c.reservation_id = r.id AND c.status = 'FAILED'
         WHERE r.user_id = k.user_id AND r.idempotency_key = k.key) AS compensation_failed
  FROM acks k;

INSERT INTO results
SELECT 7, 'every acknowledged (2xx) mutation is in the ledger, as answered', COUNT(*), COUNT(*) FILTER (WHERE NOT found),
       (SELECT string_agg(kind || ' ' || n, ', ' ORDER BY kind) FROM (SELECT kind, COUNT(*) n FROM ack_check GROUP BY kind) s)
       || '; chat calls a kill -9 cut before their settle, charged their whole hold by the expiry job: '
       || COUNT(*) FILTER (WHERE found AND charged_at_expiry)
       || '; chat calls whose compensation FAILED (check 14): ' || COUNT(*) FILTER (WHERE compensation_failed)
  FROM ack_check;

-- ---------------------------------------------------------------- refused mutations
CREATE TEMP TABLE refused_check AS
SELECT f.*, CASE
    -- A chat call refused before its hold (402, 422, a 409 of a used key) placed none; one the provider
    -- failed without output (502/504 without a charge) had its hold released: no usage row, no
    -- settle, no compensation.
    WHEN f.kind = 'CHAT' THEN NOT EXISTS (
        SELECT 1 FROM credit_reservation r WHERE r.user_id = f.user_id AND r.idempotency_key = f.key
           AND (r.status <> 'RELEASED' OR f.status NOT IN (502, 504)
                OR EXISTS (SELECT 1 FROM credit_compensation c WHERE c.reservation_id = r.id)))
        AND NOT EXISTS (SELECT 1 FROM all_usage u WHERE u.user_id = f.user_id AND u.request_id = f.key)
    WHEN f.kind = 'HOLD' THEN NOT EXISTS (
        SELECT 1 FROM credit_reservation r WHERE r.user_id = f.user_id AND r.idempotency_key = f.key)
        AND NOT EXISTS (SELECT 1 FROM credit_audit_log l WHERE l.user_id = f.user_id AND l.idempotency_key = f.key)
    ELSE NOT EXISTS (SELECT 1 FROM credit_audit_log l WHERE l.user_id = f.user_id AND l.idempotency_key = f.key)
    END AS unchanged
  FROM refused f;

INSERT INTO results
SELECT 8, 'every refused mutation (402, 409, 422; chat 502/504 without a charge; a grant''s 400) changed nothing', COUNT(*),
       COUNT(*) FILTER (WHERE NOT unchanged),
       COALESCE((SELECT string_agg(kind || ' ' || status || ' ' || n, ', ' ORDER BY kind, status) FROM
           (SELECT kind, status, COUNT(*) n FROM refused_check GROUP BY kind, status) s), 'none')
  FROM refused_check;

-- ---------------------------------------------------------------- usage rows and their charges
INSERT INTO results
SELECT 9, 'every usage row charged once, never above its cost', COUNT(*),
       COUNT(*) FILTER (WHERE charges <> 1 OR charged > u.cost_millicredits OR (op = 'CHARGE' AND charged <> u.cost_millicredits)),
       'usage rows (live and archived): ' || COUNT(*) FILTER (WHERE NOT u.archived) || ' live, ' || COUNT(*) FILTER (WHERE u.archived)
       || ' archived'
  FROM all_usage u
  LEFT JOIN LATERAL (SELECT COUNT(*) AS charges, -SUM(l.monthly_delta + l.granted_delta + l.purchased_delta) AS charged,
                            MIN(l.operation) AS op
                       FROM credit_audit_log l
                      WHERE l.user_id = u.user_id AND l.usage_id = u.id AND l.operation IN ('CHARGE', 'SETTLE')) c ON true;

-- ---------------------------------------------------------------- reconciliation with the provider's bills
-- Every call the fake upstream billed (tokens > 0) is charged at least its bill: its usage row
-- (request_id = the tag = the key) exists, its cost is at least the billed usage at the model's price
-- in force when it was held (exact decimal per 1M tokens in four buckets — uncached input, cached
-- input, output, reasoning at the reasoning price or else the output price — rounded up to the next
-- millicredit once), and what its SETTLE entry charged plus its recorded shortfall is its cost (the
-- SETTLE metadata saying the same shortfall). A call the app was killed in (kill_windows) before its
-- settle is charged its whole hold by the expiry job, an estimate that covers the bill unless the
-- provider ignored the output budget (counted apart: nobody can know how much more it billed).
CREATE TEMP TABLE reconciliation AS
SELECT b.*, ch.user_id, ch.shape, ch.seen, u.id AS usage_id, u.cost_millicredits AS cost,
       u.shortfall_millicredits AS shortfall, u.estimated, u.output_tokens + u.reasoning_tokens AS usage_output_tokens,
       r.status AS hold_status, r.amount_millicredits AS held,
       (SELECT COUNT(*) FROM billed b2 WHERE b2.tag = b.tag) AS bills,
       p.owed, p.owed_within_budget,
       s.charged, s.settles, s.metadata_shortfall,
       EXISTS (SELECT 1 FROM kill_windows w WHERE b.started_at BETWEEN w.from_at AND w.to_at) AS killed_in_call,
       EXISTS (SELECT 1 FROM credit_audit_log l WHERE l.user_id = r.user_id AND l.reservation_id = r.id
                  AND l.operation = 'SETTLE' AND l.actor = 'job:expire-holds') AS charged_at_expiry,
       -- cut by the app at its maximum call duration (its log says so), without usage: the provider may
       -- have generated (and bills) output that was still on its way, which the app never read
       b.cut AND NOT b.reported AND EXISTS (SELECT 1 FROM deadline_cuts d WHERE d.reservation_id = r.id) AS deadline_cut,
       fc.amount_millicredits AS failed_compensation
  FROM billed b
  LEFT JOIN chats ch ON ch.key = b.tag
  LEFT JOIN all_usage u ON u.user_id = ch.user_id AND u.request_id = b.tag
  LEFT JOIN credit_reservation r ON r.user_id = ch.user_id AND r.idempotency_key = b.tag
  LEFT JOIN LATERAL (
       SELECT CEIL((mp.input_credits_per_million * (b.prompt_tokens - b.cached_tokens)
                    + mp.cached_input_credits_per_million * b.cached_tokens
                    + mp.output_credits_per_million * (b.completion_tokens - b.reasoning_tokens)
                    + COALESCE(mp.reasoning_credits_per_million, mp.output_credits_per_million) * b.reasoning_tokens)
                   * 0.001) AS owed,  -- credits per 1M tokens to millicredits: x 1000 / 10^6, exact, then rounded up
              -- the bill had the provider kept to the output budget it was sent (reasoning comes first)
              CEIL((mp.input_credits_per_million * (b.prompt_tokens - b.cached_tokens)
                    + mp.cached_input_credits_per_million * b.cached_tokens
                    + mp.output_credits_per_million * (LEAST(b.completion_tokens, COALESCE(b.budget, b.completion_tokens))
                                                       - LEAST(b.reasoning_tokens, COALESCE(b.budget, b.completion_tokens)))
                    + COALESCE(mp.reasoning_credits_per_million, mp.output_credits_per_million)
                      * LEAST(b.reasoning_tokens, COALESCE(b.budget, b.completion_tokens)))
                   * 0.001) AS owed_within_budget
         FROM model_pricing mp
        WHERE mp.model = b.model AND mp.effective_from <= COALESCE(r.created_at, u.created_at, b.started_at)
        ORDER BY mp.effective_from DESC LIMIT 1) p ON true
  -- what charged the usage row: its SETTLE (in line, or by its compensation), or the CHARGE of its
  -- compensation when the hold had expired before it
  LEFT JOIN LATERAL (
       SELECT -SUM(l.monthly_delta + l.granted_delta + l.purchased_delta) AS charged, COUNT(*) AS settles,
              MAX(COALESCE((l.metadata ->> 'shortfallMillicredits')::bigint, 0)) AS metadata_shortfall
         FROM credit_audit_log l
        WHERE l.user_id = u.user_id AND l.usage_id = u.id AND l.operation IN ('SETTLE', 'CHARGE')) s ON true
  LEFT JOIN credit_compensation fc ON fc.reservation_id = r.id AND fc.status = 'FAILED'
 WHERE b.tag <> '-' AND b.prompt_tokens + b.completion_tokens > 0;

-- Cut by the app (its idle or first-byte timeout: a stalled provider) before any usage came, from a
-- provider that generated more than the output budget it was sent: the app charged its own count,
-- at least the budget, and cannot see the rest; counted apart when the charge covers the bill within
-- that budget (as for the calls its deadline cut, and those a kill -9 cut).
ALTER TABLE reconciliation ADD COLUMN overrun_cut boolean;
UPDATE reconciliation SET overrun_cut = cut AND NOT reported AND completion_tokens > budget AND cost >= owed_within_budget;
ALTER TABLE reconciliation ADD COLUMN problem text;
UPDATE reconciliation SET problem = CASE
    WHEN bills > 1 THEN 'billed ' || bills || ' times under one key'
    WHEN user_id IS NULL THEN 'billed a call the driver did not send'
    WHEN owed IS NULL THEN 'no price of ' || model
    -- counted apart: killed in the call, charged the whole hold at expiry, and the provider billed more
    -- output than the budget it was sent
    WHEN charged_at_expiry AND killed_in_call AND cost = held AND cost < owed AND completion_tokens > budget THEN NULL
    -- counted apart: its FAILED compensation, visible to admins (check 14), is at least the bill (or, for
    -- a call the app's deadline cut without usage, what the app had read: the rest of the bill was
    -- output still on its way; so for a usage row below)
    WHEN usage_id IS NULL AND failed_compensation IS NOT NULL AND failed_compensation < owed AND NOT deadline_cut
        THEN 'FAILED compensation of ' || failed_compensation || ' < billed ' || owed
    WHEN usage_id IS NULL AND failed_compensation IS NOT NULL THEN NULL
    WHEN usage_id IS NULL THEN 'billed, no usage row (hold ' || COALESCE(hold_status, 'none') || ')'
    WHEN cost < owed AND NOT deadline_cut AND NOT COALESCE(overrun_cut, false) THEN 'cost ' || cost || ' < billed ' || owed
    WHEN settles <> 1 THEN settles || ' SETTLE or CHARGE entries'
    WHEN charged + shortfall <> cost THEN 'charged ' || charged || ' + shortfall ' || shortfall || ' <> cost ' || cost
    WHEN metadata_shortfall <> shortfall THEN 'SETTLE metadata shortfall ' || metadata_shortfall || ' <> ' || shortfall
    END;

\echo
\echo 'Reconciliation with the bills of the fake provider, by request shape (millicredits; billed = the bill at our prices, cost = the usage rows):'
SELECT split_part(split_part(COALESCE(shape, '?'), ':', 2), '+', 1) AS shape, COUNT(*) AS calls,
       COUNT(*) FILTER (WHERE shape LIKE '%no-usage%') AS "no usage", COUNT(*) FILTER (WHERE shape LIKE '%tool-call-out%') AS "tool call out",
       COUNT(*) FILTER (WHERE shape LIKE '%hang-up%') AS "hang-up", COUNT(*) FILTER (WHERE cut) AS "cut by app",
       COUNT(*) FILTER (WHERE estimated) AS estimated, SUM(owed) AS billed, SUM(cost) AS cost, SUM(shortfall) AS shortfall,
       COUNT(*) FILTER (WHERE usage_id IS NULL) AS uncharged, COUNT(*) FILTER (WHERE problem IS NOT NULL) AS violations
  FROM reconciliation GROUP BY 1 ORDER BY 1;

INSERT INTO results
SELECT 11, 'every call the provider billed is charged at least its bill, or the rest is a recorded shortfall', COUNT(*),
       COUNT(*) FILTER (WHERE problem IS NOT NULL),
       'billed calls (tokens > 0); with a shortfall: ' || COUNT(*) FILTER (WHERE shortfall > 0) || ' calls, '
       || COALESCE(SUM(shortfall), 0) || ' millicredits (the provider billed more output than the budget sent: '
       || COUNT(*) FILTER (WHERE shortfall > 0 AND completion_tokens > budget) || '; the usage row has more output than that budget: '
       || COUNT(*) FILTER (WHERE shortfall > 0 AND usage_output_tokens > budget) || '); billed ' || COALESCE(SUM(owed), 0) || ', cost '
       || COALESCE(SUM(cost), 0) || ' millicredits; charged their whole hold at expiry because the app was killed in the call: '
       || COUNT(*) FILTER (WHERE charged_at_expiry) || ' (billed '
       || COALESCE(SUM(owed) FILTER (WHERE charged_at_expiry), 0) || ', charged '
       || COALESCE(SUM(cost) FILTER (WHERE charged_at_expiry), 0) || ' millicredits; of them billed more than the hold by a provider '
       || 'that ignored the budget: ' || COUNT(*) FILTER (WHERE charged_at_expiry AND cost < owed)
       || '); uncharged, their compensation FAILED (check 14): '
       || COUNT(*) FILTER (WHERE usage_id IS NULL AND problem IS NULL AND failed_compensation IS NOT NULL) || ' (billed '
       || COALESCE(SUM(owed) FILTER (WHERE usage_id IS NULL AND problem IS NULL AND failed_compensation IS NOT NULL), 0)
       || ' millicredits); cut by the app at its maximum call duration without usage, charged what it had read, less than the bill: '
       || COUNT(*) FILTER (WHERE deadline_cut AND problem IS NULL AND COALESCE(cost, failed_compensation) < owed) || ' (billed '
       || COALESCE(SUM(owed - COALESCE(cost, failed_compensation)) FILTER (WHERE deadline_cut AND problem IS NULL
                                                                               AND COALESCE(cost, failed_compensation) < owed), 0)
       || ' millicredits more than charged); cut by the app without usage from a provider that overran its output budget, '
       || 'charged at least the bill within that budget, less than the bill: '
       || COUNT(*) FILTER (WHERE overrun_cut AND problem IS NULL AND cost < owed) || ' (billed '
       || COALESCE(SUM(owed - cost) FILTER (WHERE overrun_cut AND problem IS NULL AND cost < owed), 0)
       || ' millicredits more than charged); cut by the app: '
       || COUNT(*) FILTER (WHERE cut) || '; no usage reported: ' || COUNT(*) FILTER (WHERE NOT reported)
       || '; not billed (tokens 0): ' || (SELECT COUNT(*) FROM billed WHERE tag <> '-' AND prompt_tokens + completion_tokens = 0)
  FROM reconciliation;

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

-- ---------------------------------------------------------------- compensations through recovery
-- 12. Every compensation applied exactly once, with its ledger row: an APPLIED one has exactly one
-- entry under its key (its settle of the hold, or its charge once the hold had expired) — or, for a
-- deferred settle that had committed after all, none and the hold's own settle; a PENDING or FAILED
-- one has none.
CREATE TEMP TABLE compensation_check AS
SELECT c.*,
       (SELECT COUNT(*) FROM credit_audit_log l WHERE l.user_id = c.user_id
           AND l.idempotency_key = 'tollgate:compensation:' || c.id) AS own_rows,
       (SELECT COUNT(*) FROM credit_audit_log l WHERE l.user_id = c.user_id AND c.kind = 'CHARGE'
           AND l.idempotency_key = 'tollgate:settle:' || c.reservation_id AND l.operation = 'SETTLE') AS inline_settles
  FROM credit_compensation c;

INSERT INTO results
SELECT 12, 'every compensation applied exactly once, with its ledger row', COUNT(*),
       COUNT(*) FILTER (WHERE status = 'APPLIED' AND NOT (own_rows = 1 AND inline_settles = 0 OR own_rows = 0 AND inline_settles = 1))
     + COUNT(*) FILTER (WHERE status <> 'APPLIED' AND own_rows > 0),
       'compensations; APPLIED by their own entry: ' || COUNT(*) FILTER (WHERE status = 'APPLIED' AND own_rows = 1)
       || ' (a settle of the hold: ' || (SELECT COUNT(*) FROM compensation_check x JOIN credit_audit_log l
                                            ON l.user_id = x.user_id AND l.idempotency_key = 'tollgate:compensation:' || x.id
                                         WHERE l.operation = 'SETTLE')
       || ', a charge after the hold expired: ' || (SELECT COUNT(*) FROM compensation_check x JOIN credit_audit_log l
                                            ON l.user_id = x.user_id AND l.idempotency_key = 'tollgate:compensation:' || x.id
                                         WHERE l.operation = 'CHARGE')
       || '), by the settle that had committed after all: ' || COUNT(*) FILTER (WHERE status = 'APPLIED' AND own_rows = 0)
  FROM compensation_check;

-- 13. No call both settled (in line) and compensated: no hold has both its own settle and an entry
-- of a compensation (check 4 also allows one charge per hold).
INSERT INTO results
SELECT 13, 'no call both settled in line and compensated', COUNT(*),
       COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM credit_audit_log l WHERE l.user_id = r.user_id
                                         AND l.idempotency_key = 'tollgate:settle:' || r.id)
                          AND EXISTS (SELECT 1 FROM credit_compensation c JOIN credit_audit_log l
                                         ON l.user_id = c.user_id AND l.idempotency_key = 'tollgate:compensation:' || c.id
                                       WHERE c.reservation_id = r.id)),
       'holds; with a compensation: ' || COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM credit_compensation c WHERE c.reservation_id = r.id))
  FROM credit_reservation r;

-- 14. Every FAILED compensation visible to admins with its reason and amount: the admin API's view of
-- its account (GET /api/admin/accounts/{userId}, fetched by the script) lists it as FAILED with the
-- same amount, its reason and its last error.
INSERT INTO results
SELECT 14, 'every FAILED compensation visible to admins (GET /api/admin/accounts/{id}) with its reason and amount', COUNT(*),
       COUNT(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM admin_compensations a WHERE a.user_id = c.user_id AND a.id = c.id
                                             AND a.status = 'FAILED' AND a.amount = c.amount_millicredits
                                             AND a.reason = c.reason AND a.last_error = c.last_error AND a.last_error <> '')),
       'FAILED compensations; reasons: ' || COALESCE(string_agg(DISTINCT c.last_error, '; '), 'none')
  FROM credit_compensation c WHERE c.status = 'FAILED';

-- 15. After the jobs catch up, no hold left HELD past its expiry.
INSERT INTO results
SELECT 15, 'after the jobs caught up, no hold HELD past its expiry', COUNT(*),
       COUNT(*) FILTER (WHERE status = 'HELD' AND expires_at < now()),
       'holds; HELD now: ' || COUNT(*) FILTER (WHERE status = 'HELD')
  FROM credit_reservation;

-- ---------------------------------------------------------------- purchases and Stripe's webhooks
-- The driver bought packs (purchases: what the app answered, and what "Stripe" — the driver, which
-- delivers Stripe's signed events — said of each payment in the end: paid, of the pack's amount and
-- currency or not, refunded so far, the dispute's last status, expired), delivered every event at
-- least once (stripe_events: every delivery and its final status), and the fake Stripe API wrote
-- down every Checkout Session it made (stripe_sessions). Every ledger row of a purchase names it in
-- its metadata (purchaseId, and reason: 'pack paid', 'refunded or disputed', 'dispute won').
CREATE TEMP TABLE purchase_rows AS
SELECT l.id, l.user_id, l.operation, l.metadata ->> 'purchaseId' AS purchase_id, l.metadata ->> 'reason' AS reason,
       (l.metadata ->> 'amountMillicredits')::bigint AS due, l.monthly_delta, l.granted_delta, l.purchased_delta,
       l.reserved_delta, l.purchased_after, l.monthly_after + l.granted_after + l.purchased_after - l.reserved_after AS available_after
  FROM credit_audit_log l WHERE l.operation IN ('PURCHASE', 'CLAWBACK');

-- What Stripe's final state requires of each purchase: granted if paid at the pack's amount and
-- currency; taken back (clawed back, or recorded unrecovered where the credits were spent): all of
-- it while a dispute is open or lost, else the refunded share rounded up to the next millicredit
-- (ceil(credits * refunded / amount), at most the credits) — after a won dispute only that share.
CREATE TEMP TABLE purchase_check AS
SELECT d.*, p.id IS NOT NULL AS found, p.user_id AS app_user, p.pack_id AS app_pack, p.credits_millicredits AS app_credits,
       p.amount_minor AS app_amount, p.currency AS app_currency, p.status, p.checkout_session_id, p.paid AS app_paid,
       p.flagged_reason, p.granted_millicredits AS granted, p.clawed_back_millicredits AS clawed_back,
       p.unrecovered_millicredits AS unrecovered,
       CASE WHEN d.paid AND d.matched THEN d.credits ELSE 0 END AS expected_granted,
       CASE WHEN NOT (d.paid AND d.matched) THEN 0
            WHEN d.dispute IS NOT NULL AND d.dispute NOT IN ('won', 'warning_closed') THEN d.credits
            WHEN d.refunded >= d.paid_amount THEN d.credits
            WHEN d.refunded <= 0 THEN 0
            ELSE LEAST(d.credits, (d.credits * d.refunded + d.paid_amount - 1) / d.paid_amount) END AS expected_taken,
       CASE WHEN NOT d.paid THEN CASE WHEN d.expired THEN 'expired' ELSE 'pending' END
            WHEN d.dispute IS NOT NULL AND d.dispute NOT IN ('won', 'warning_closed') THEN 'disputed'
            WHEN d.refunded >= d.paid_amount THEN 'refunded'
            WHEN d.refunded > 0 THEN 'partially_refunded'
            ELSE 'paid' END AS expected_status,
       r.grants, r.granted_delta, r.give_backs, r.given_back, r.clawbacks, r.short_clawbacks, r.net, r.odd_rows,
       ss.sessions, ss.fake_session
  FROM purchases d
  LEFT JOIN credit_purchase p ON p.id = d.purchase_id
  LEFT JOIN LATERAL (
       SELECT COUNT(*) FILTER (WHERE pr.operation = 'PURCHASE' AND pr.reason = 'pack paid') AS grants,
              COALESCE(SUM(pr.purchased_delta) FILTER (WHERE pr.operation = 'PURCHASE' AND pr.reason = 'pack paid'), 0) AS granted_delta,
              COUNT(*) FILTER (WHERE pr.operation = 'PURCHASE' AND pr.reason = 'dispute won') AS give_backs,
              COALESCE(SUM(pr.purchased_delta) FILTER (WHERE pr.operation = 'PURCHASE' AND pr.reason = 'dispute won'), 0) AS given_back,
              COUNT(*) FILTER (WHERE pr.operation = 'CLAWBACK') AS clawbacks,
              COUNT(*) FILTER (WHERE pr.operation = 'CLAWBACK' AND -pr.purchased_delta < pr.due) AS short_clawbacks,
              COALESCE(SUM(pr.purchased_delta), 0) AS net,
              -- on another account, touching another bucket, or of another kind than the three a purchase writes
              COUNT(*) FILTER (WHERE pr.user_id <> d.user_id OR pr.monthly_delta <> 0 OR pr.granted_delta <> 0 OR pr.reserved_delta <> 0
                                  OR NOT (pr.operation = 'PURCHASE' AND pr.reason IN ('pack paid', 'dispute won')
                                          OR pr.operation = 'CLAWBACK' AND pr.reason = 'refunded or disputed')) AS odd_rows
         FROM purchase_rows pr WHERE pr.purchase_id = d.purchase_id::text) r ON true
  LEFT JOIN LATERAL (
       SELECT COUNT(*) AS sessions, MIN(s.session_id) AS fake_session FROM stripe_sessions s
        WHERE s.reference = d.purchase_id::text) ss ON true
 WHERE d.answer = 201;

INSERT INTO results
SELECT 16, 'every purchase answered 201 is the app''s as answered, with the one Checkout Session Stripe made for it',
       (SELECT COUNT(*) FROM purchases),
       (SELECT COUNT(*) FROM purchases WHERE answer BETWEEN 400 AND 499)
     + COUNT(*) FILTER (WHERE NOT (found AND app_user = user_id AND app_pack = pack_id AND app_credits = credits
                                   AND app_amount = amount AND app_currency = currency AND sessions = 1
                                   AND fake_session = session_id AND checkout_session_id = session_id)),
       'purchases; refused (4xx): ' || (SELECT COUNT(*) FROM purchases WHERE answer BETWEEN 400 AND 499)
       || ', given up (outcome unknown): ' || (SELECT COUNT(*) FROM purchases WHERE answer <> 201 AND answer NOT BETWEEN 400 AND 499)
       || '; Checkout Sessions the fake Stripe made: ' || (SELECT COUNT(*) FROM stripe_sessions)
       || ' (for ' || (SELECT COUNT(DISTINCT reference) FROM stripe_sessions) || ' purchases); purchases in the app: '
       || (SELECT COUNT(*) FROM credit_purchase)
  FROM purchase_check;

INSERT INTO results
SELECT 17, 'every Stripe event delivered was acknowledged (2xx), through the faults', COUNT(*),
       COUNT(*) FILTER (WHERE status NOT BETWEEN 200 AND 299)
     + (SELECT COUNT(*) FROM purchases WHERE answer = 201 AND NOT delivered AND NOT EXISTS (
           SELECT 1 FROM stripe_events e WHERE e.purchase_id = purchases.purchase_id AND e.status NOT BETWEEN 200 AND 299)),
       'deliveries of ' || COUNT(DISTINCT event_id) || ' events; retried before their 2xx: ' || COUNT(*) FILTER (WHERE attempts > 1)
       || '; final statuses: ' || COALESCE(string_agg(DISTINCT status::text, ', '), '-')
  FROM stripe_events;

INSERT INTO results
SELECT 18, 'every purchase paid at the pack''s amount and currency granted exactly once (one PURCHASE ''pack paid'' of its credits)',
       COUNT(*) FILTER (WHERE paid AND matched),
       COUNT(*) FILTER (WHERE paid AND matched AND NOT (grants = 1 AND granted_delta = credits AND granted = credits
                                                          AND app_paid AND flagged_reason IS NULL)),
       'paid purchases; granted ' || COALESCE(SUM(granted_delta) FILTER (WHERE paid AND matched), 0) || ' millicredits'
  FROM purchase_check;

INSERT INTO results
SELECT 19, 'nothing granted for a purchase unpaid, expired, or paid the wrong amount or currency (flagged)',
       COUNT(*) FILTER (WHERE NOT (paid AND matched)),
       COUNT(*) FILTER (WHERE NOT (paid AND matched) AND (grants <> 0 OR granted <> 0 OR net <> 0 OR clawed_back <> 0
                                                          OR unrecovered <> 0 OR app_paid <> paid
                                                          OR (paid AND flagged_reason IS NULL))),
       'unpaid or flagged; expired: ' || COUNT(*) FILTER (WHERE NOT paid AND expired) || ', flagged (paid the wrong amount or currency): '
       || COUNT(*) FILTER (WHERE paid AND NOT matched) || ' (the app flagged ' || COUNT(*) FILTER (WHERE flagged_reason IS NOT NULL) || ')'
  FROM purchase_check;

INSERT INTO results
SELECT 20, 'clawed back + unrecovered = the take-back Stripe''s final state requires (refunded share rounded up; all while disputed or lost)',
       COUNT(*), COUNT(*) FILTER (WHERE clawed_back + unrecovered <> expected_taken),
       'purchases; to take back ' || COALESCE(SUM(expected_taken), 0) || ' millicredits: clawed back ' || COALESCE(SUM(clawed_back), 0)
       || ', unrecovered (spent) ' || COALESCE(SUM(unrecovered), 0)
  FROM purchase_check;

INSERT INTO results
SELECT 21, 'a purchase''s ledger rows (purchased_delta) add up to granted - clawed back, on its account and bucket only', COUNT(*),
       COUNT(*) FILTER (WHERE net <> granted - clawed_back OR odd_rows > 0 OR (give_backs > 0 AND dispute IS DISTINCT FROM 'won'))
     + (SELECT COUNT(*) FROM purchase_rows pr WHERE NOT EXISTS (SELECT 1 FROM purchases d WHERE d.answer = 201
                                                                   AND d.purchase_id::text = pr.purchase_id)),
       'purchases; their ledger rows: ' || (SELECT COUNT(*) FROM purchase_rows) || ' (grants ' || COALESCE(SUM(grants), 0)
       || ', claw-backs ' || COALESCE(SUM(clawbacks), 0) || ', give-backs after a won dispute ' || COALESCE(SUM(give_backs), 0) || ')'
  FROM purchase_check;

INSERT INTO results
SELECT 22, 'every purchase''s status is its final Stripe state', COUNT(*), COUNT(*) FILTER (WHERE status IS DISTINCT FROM expected_status),
       COALESCE((SELECT string_agg(COALESCE(status, 'no row') || ' ' || n, ', ' ORDER BY status) FROM
           (SELECT status, COUNT(*) n FROM purchase_check GROUP BY status) s), 'none')
  FROM purchase_check;

INSERT INTO results
-- Check 3 already covers every audit row; this is the claw-backs' share of it, and their bound.
SELECT 23, 'no CLAWBACK took more than due, nor a bucket below zero or below what holds need (also in check 3)', COUNT(*),
       COUNT(*) FILTER (WHERE purchased_delta >= 0 OR -purchased_delta > due OR purchased_after < 0 OR available_after < 0),
       'claw-backs; took less than due (the credits were spent): ' || COUNT(*) FILTER (WHERE -purchased_delta < due)
  FROM purchase_rows WHERE operation = 'CLAWBACK';

\echo
\echo 'Purchases by story (millicredits; the driver played Stripe: paid or not, refunds, disputes, late and repeated events):'
SELECT regexp_replace(regexp_replace(plan, '^(opening|burst):', ''),
                      '\+(late-repeat|refund-before-completion|dispute-before-completion|spent-first)', '', 'g') AS story,
       COUNT(*) AS purchases, COUNT(*) FILTER (WHERE plan LIKE 'opening:%') AS opening,
       COUNT(*) FILTER (WHERE plan LIKE 'burst:%') AS "at a fault",
       COUNT(*) FILTER (WHERE plan LIKE '%spent-first%') AS "spent first",
       COUNT(*) FILTER (WHERE plan LIKE '%before-completion%') AS "take-back first",
       SUM(granted) AS granted, SUM(clawed_back) AS "clawed back", SUM(unrecovered) AS unrecovered,
       SUM(given_back) AS "given back",
       COUNT(*) FILTER (WHERE grants IS DISTINCT FROM CASE WHEN paid AND matched THEN 1 ELSE 0 END
                           OR clawed_back + unrecovered <> expected_taken OR net <> granted - clawed_back
                           OR status IS DISTINCT FROM expected_status OR granted <> expected_granted) AS violations
  FROM purchase_check GROUP BY 1 ORDER BY 1;

-- ---------------------------------------------------------------- grant lots
-- The granted bucket is made of lots (credit_grant_lot), each created by one GRANT entry (an admin's
-- grant, acknowledged as acks kind GRANT: ref the lot, extra the entry, priority and expiry) and
-- changed only by movements (credit_grant_movement) that name the entry that caused them: spends,
-- refunds given back (or forfeited: recorded, without effect on the lot) and GRANT_EXPIRY entries.
-- Per lot its movements in the order they were applied (entries of an account are numbered under its
-- row lock) with the remainder after each.
CREATE TEMP TABLE lot_moves AS
SELECT mv.*, e.operation, e.created_at, e.reservation_id, e.user_id, l.granted, l.expires_at,
       l.granted + COALESCE(SUM(mv.delta) FILTER (WHERE NOT mv.forfeited) OVER w, 0) AS remaining_after
  FROM credit_grant_movement mv
  JOIN credit_audit_log e ON e.id = mv.entry_id
  JOIN credit_grant_lot l ON l.id = mv.lot_id
WINDOW w AS (PARTITION BY mv.lot_id ORDER BY mv.entry_id);

CREATE TEMP TABLE lot_check AS
SELECT l.*,
       l.granted + COALESCE((SELECT SUM(m.delta) FROM lot_moves m WHERE m.lot_id = l.id AND NOT m.forfeited), 0) AS by_moves,
       (SELECT COUNT(*) FROM lot_moves m WHERE m.lot_id = l.id AND (m.remaining_after < 0 OR m.remaining_after > m.granted))
           AS out_of_bounds,
       (SELECT COUNT(*) FROM lot_moves m WHERE m.lot_id = l.id AND m.operation = 'GRANT_EXPIRY') AS expiries,
       e.operation AS entry_operation, e.idempotency_key AS entry_key, e.user_id AS entry_user, e.granted_delta AS entry_granted,
       EXISTS (SELECT 1 FROM credit_reservation r WHERE r.user_id = l.user_id AND r.status = 'HELD') AS live_hold
  FROM credit_grant_lot l LEFT JOIN credit_audit_log e ON e.id = l.entry_id;

INSERT INTO results
SELECT 24, 'per account: granted bucket = sum of its granted deltas = sum of its lots'' remainders', COUNT(*),
       COUNT(*) FILTER (WHERE p.granted <> p.granted_sum OR p.granted <> COALESCE(lots.remaining, 0)),
       'accounts; with lots: ' || COUNT(lots.user_id) || ', granted now: ' || COALESCE(SUM(p.granted), 0) || ' millicredits'
  FROM per_account p
  LEFT JOIN (SELECT user_id, SUM(remaining) AS remaining FROM credit_grant_lot GROUP BY user_id) lots USING (user_id);

-- Every entry's granted delta is the lot it created (a GRANT) or the sum of its movements that took
-- effect: no credits enter or leave the bucket but through a lot.
CREATE TEMP TABLE entry_lot_links AS
SELECT l.id, l.user_id, l.operation, l.granted_delta,
       COALESCE(g.granted, 0) + COALESCE(m.moved, 0) AS by_lots
  FROM credit_audit_log l
  LEFT JOIN credit_grant_lot g ON g.entry_id = l.id
  LEFT JOIN (SELECT entry_id, SUM(delta) FILTER (WHERE NOT forfeited) AS moved FROM credit_grant_movement GROUP BY entry_id) m
         ON m.entry_id = l.id
 WHERE l.user_id IS NOT NULL AND (l.granted_delta <> 0 OR g.id IS NOT NULL OR m.entry_id IS NOT NULL);

INSERT INTO results
SELECT 25, 'every lot''s remainder = granted + its movements (forfeited ones aside); every entry''s granted delta = its lot or its movements',
       (SELECT COUNT(*) FROM lot_check) + COUNT(*),
       (SELECT COUNT(*) FROM lot_check WHERE remaining <> by_moves) + COUNT(*) FILTER (WHERE granted_delta <> COALESCE(by_lots, 0)),
       'lots and entries touching the granted bucket; movements: ' || (SELECT COUNT(*) FROM lot_moves) || ' (forfeited: '
       || (SELECT COUNT(*) FROM lot_moves WHERE forfeited) || ')'
  FROM entry_lot_links;

INSERT INTO results
SELECT 26, 'no lot''s remainder below 0 or above what it was granted, now or after any of its movements', COUNT(*),
       COUNT(*) FILTER (WHERE remaining < 0 OR remaining > granted OR out_of_bounds > 0),
       'lots; spent to nothing: ' || COUNT(*) FILTER (WHERE remaining = 0 AND expiries = 0) || ', emptied by their expiry: '
       || COUNT(*) FILTER (WHERE remaining = 0 AND expiries > 0) || ', holding credits: ' || COUNT(*) FILTER (WHERE remaining > 0)
  FROM lot_check;

-- Credits a lot gave after its expiry to anything but its own GRANT_EXPIRY entry or the settle of a
-- hold placed before the expiry (a hold keeps the cover it was placed with).
CREATE TEMP TABLE expired_spends AS
SELECT m.* FROM lot_moves m LEFT JOIN credit_reservation h ON h.id = m.reservation_id
 WHERE m.delta < 0 AND m.created_at >= m.expires_at AND m.operation <> 'GRANT_EXPIRY'
   AND NOT (m.operation = 'SETTLE' AND h.created_at < m.expires_at);

INSERT INTO results
SELECT 27, 'no credits spent from a lot after its expiry (but by its GRANT_EXPIRY, or the settle of a hold placed before it)',
       (SELECT COUNT(*) FROM lot_moves WHERE delta < 0), COUNT(*),
       'spending movements; settles of holds placed before the expiry that spent the lot after it: '
       || (SELECT COUNT(*) FROM lot_moves m JOIN credit_reservation h ON h.id = m.reservation_id
            WHERE m.delta < 0 AND m.operation = 'SETTLE' AND m.created_at >= m.expires_at AND h.created_at < m.expires_at)
  FROM expired_spends;

-- After the final expire-grants run (once no hold was live), every lot due before it began is empty.
INSERT INTO results
SELECT 28, 'every lot due before the final expiry run holds nothing (unless a live hold on its account still needs it)',
       COUNT(*) FILTER (WHERE expires_at <= CAST(:'grants_final_at' AS timestamptz)),
       COUNT(*) FILTER (WHERE expires_at <= CAST(:'grants_final_at' AS timestamptz) AND remaining > 0 AND NOT live_hold),
       'lots due by ' || :'grants_final_at' || '; not yet due then: '
       || COUNT(*) FILTER (WHERE expires_at > CAST(:'grants_final_at' AS timestamptz))
       || '; due and kept for a live hold: '
       || COUNT(*) FILTER (WHERE expires_at <= CAST(:'grants_final_at' AS timestamptz) AND remaining > 0 AND live_hold)
  FROM lot_check;

-- Every acknowledged grant is one GRANT entry under its key with one lot; every lot is the lot of one
-- admin's GRANT entry on its own account (this plan grants nothing at sign-up).
CREATE TEMP TABLE grant_acks AS
SELECT k.*, (SELECT COUNT(*) FROM credit_audit_log l WHERE l.user_id = k.user_id AND l.idempotency_key = k.key) AS entries,
       (SELECT COUNT(*) FROM credit_grant_lot g JOIN credit_audit_log l ON l.id = g.entry_id
         WHERE l.user_id = k.user_id AND l.idempotency_key = k.key) AS lots
  FROM acks k WHERE k.kind = 'GRANT';

INSERT INTO results
SELECT 29, 'every acknowledged admin grant exists exactly once (one GRANT entry, one lot); every lot is one admin grant''s',
       COUNT(*) + (SELECT COUNT(*) FROM lot_check),
       COUNT(*) FILTER (WHERE entries <> 1 OR lots <> 1)
     + (SELECT COUNT(*) FROM lot_check WHERE entry_operation IS DISTINCT FROM 'GRANT' OR entry_user IS DISTINCT FROM user_id
                                         OR entry_key NOT LIKE 'tollgate:grant:%' OR entry_granted <> granted),
       'acknowledged grants: ' || COUNT(*) || ' (' || COALESCE(SUM(amount), 0) || ' millicredits); lots: '
       || (SELECT COUNT(*) FROM lot_check) || '; grants refused (their expiry had passed before one committed): '
       || (SELECT COUNT(*) FROM refused WHERE kind = 'GRANT')
  FROM grant_acks;

-- ---------------------------------------------------------------- outbound webhooks
-- Every event of the outbox (webhook_event, written in the transaction of its change) against what
-- the receiver got: its deliveries (one, to the run's endpoint), its first accepted receipt (the
-- receipt number and time) and its receipts in all.
CREATE TEMP TABLE hook_events AS
SELECT ev.id, ev.type, ev.user_id, ev.created_at, d.id AS delivery_id, d.status, d.attempts,
       (SELECT COUNT(*) FROM webhook_delivery d2 WHERE d2.event_id = ev.id) AS deliveries,
       (SELECT MIN(n) FROM webhook_receipts r WHERE r.event_id = ev.id AND r.answer = '204') AS first_accepted,
       (SELECT MIN(received_at) FROM webhook_receipts r WHERE r.event_id = ev.id) AS first_received,
       (SELECT COUNT(*) FROM webhook_receipts r WHERE r.event_id = ev.id) AS receipts,
       (SELECT COUNT(*) FROM webhook_receipts r WHERE r.event_id = ev.id AND r.answer = '204') AS accepted,
       (SELECT COUNT(*) FROM webhook_receipts r WHERE r.event_id = ev.id AND r.answer = '500') AS failed,
       (SELECT COUNT(*) FROM webhook_receipts r WHERE r.event_id = ev.id AND r.answer = 'stall') AS stalled
  FROM webhook_event ev
  LEFT JOIN webhook_delivery d ON d.event_id = ev.id;

INSERT INTO results
SELECT 30, 'every webhook event (committed with its change, before a kill too) received and accepted at least once', COUNT(*),
       COUNT(*) FILTER (WHERE first_accepted IS NULL OR deliveries <> 1),
       'events ' || COUNT(*) || ' (' || COALESCE((SELECT string_agg(type || ' ' || n, ', ' ORDER BY type)
                                                   FROM (SELECT type, COUNT(*) n FROM hook_events GROUP BY type) t), '-')
       || '); deliveries delivered ' || COUNT(*) FILTER (WHERE status = 'delivered') || ', pending '
       || COUNT(*) FILTER (WHERE status = 'pending') || ', dead ' || COUNT(*) FILTER (WHERE status = 'dead')
       || '; receipts ' || (SELECT COUNT(*) FROM webhook_receipts)
  FROM hook_events;

INSERT INTO results
SELECT 31, 'every webhook the receiver got is an event of the database, of the same type and account', COUNT(*),
       COUNT(*) FILTER (WHERE ev.id IS NULL OR ev.type IS DISTINCT FROM r.type OR ev.user_id IS DISTINCT FROM r.user_id),
       'distinct webhook-ids received: ' || COUNT(DISTINCT r.event_id)
  FROM webhook_receipts r LEFT JOIN webhook_event ev ON ev.id = r.event_id;

INSERT INTO results
SELECT 32, 'every webhook the receiver got is signed right (Standard Webhooks, the endpoint''s secret)', COUNT(*),
       COUNT(*) FILTER (WHERE signature_ok IS NOT TRUE), 'answered 401: ' || COUNT(*) FILTER (WHERE answer = '401')
  FROM webhook_receipts;

INSERT INTO results
SELECT 33, 'no webhook delivery dead or left pending (the receiver fails first attempts only)', COUNT(*),
       COUNT(*) FILTER (WHERE status <> 'delivered'),
       'attempts: ' || COALESCE(SUM(attempts), 0) || ', most for one delivery: ' || COALESCE(MAX(attempts), 0)
       || COALESCE('; last errors of the undelivered: ' || string_agg(DISTINCT last_error, '; ') FILTER (WHERE status <> 'delivered'), '')
  FROM webhook_delivery;

-- In order per account and endpoint: an account's events are accepted first in the order they were
-- written (their deliveries' ids); an event accepted before an earlier one of its account is out of order.
CREATE TEMP TABLE hook_order AS
SELECT h.*, MAX(first_accepted) OVER (PARTITION BY user_id ORDER BY delivery_id
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_accepted_last
  FROM hook_events h WHERE delivery_id IS NOT NULL;

INSERT INTO results
SELECT 34, 'per account, webhook events first accepted in the order they were written', COUNT(*),
       COUNT(*) FILTER (WHERE first_accepted < earlier_accepted_last),
       'accounts with events: ' || COUNT(DISTINCT user_id) || ', with more than one: '
       || (SELECT COUNT(*) FROM (SELECT user_id FROM hook_events GROUP BY user_id HAVING COUNT(*) > 1) m)
  FROM hook_order;

-- ---------------------------------------------------------------- team pools
-- A team's pool is an account of its own (team:<id>), so checks 1-34 cover it like any other; these
-- check what is particular to it: each member's row (spent, held) against the ledger, the member a
-- call is booked to, the member's cap at every charge and hold it let through, and removals. The
-- driver's records: teams (the team it made), member_changes (every change of a member by the
-- owner, with when it was first sent and when acknowledged; the team's creation adds its members)
-- and pool_calls (every call on the pool as its member saw it, with when it was first sent and
-- finally answered).
--
-- The member of a pool's entry: its usage row's member_id (a charge's, or a settled call's, which a
-- trigger fills from the hold whichever path settles it: the call, the expiry job, a compensation —
-- whose actor is not the member), else its hold's (a hold, a release, an expiry).
CREATE TEMP VIEW usage_members AS
SELECT id, user_id, member_id FROM token_usage
UNION ALL
SELECT id, user_id, member_id FROM token_usage_archive;

CREATE TEMP TABLE pool_entries AS
SELECT l.id, l.user_id AS account, l.operation, l.created_at, l.idempotency_key, l.reservation_id, l.usage_id,
       -(l.monthly_delta + l.granted_delta + l.purchased_delta) AS spent, l.reserved_delta AS held_delta,
       u.member_id AS usage_member, r.member_id AS hold_member, COALESCE(u.member_id, r.member_id) AS member_id,
       r.created_at AS hold_created_at,
       -- the pool's period (the run stays in one: the job rounds refresh users' accounts only)
       l.created_at >= a.period_start AS this_period
  FROM credit_audit_log l
  JOIN team t ON t.account_id = l.user_id
  JOIN credit_account a ON a.user_id = l.user_id
  LEFT JOIN usage_members u ON u.id = l.usage_id AND u.user_id = l.user_id
  LEFT JOIN credit_reservation r ON r.id = l.reservation_id
 WHERE l.operation IN ('CHARGE', 'HOLD', 'SETTLE', 'RELEASE', 'EXPIRE');

INSERT INTO results
SELECT 35, 'every team pool is an account of checks 1-3: buckets = its audit sums, an unbroken chain, never negative', COUNT(*),
       COUNT(*) FILTER (WHERE p.user_id IS NULL OR p.monthly <> p.monthly_sum OR p.granted <> p.granted_sum
                              OR p.purchased <> p.purchased_sum OR p.reserved <> p.reserved_sum OR p.initial_grants <> p.known_grants
                              OR p.broken_links > 0 OR p.negative_points > 0)
     + (SELECT COUNT(*) FROM teams d WHERE NOT EXISTS (SELECT 1 FROM team t WHERE t.account_id = d.account AND t.id = d.team_id)),
       COALESCE(string_agg(t.account_id || ': ' || COALESCE(p.audit_rows, 0) || ' audit rows, lowest available '
                           || COALESCE(p.min_available::text, '-'), '; '), 'no team')
  FROM team t LEFT JOIN per_account p ON p.user_id = t.account_id;

-- Each member's row against the ledger: spent = what the member's CHARGE and SETTLE entries on the
-- pool charged in its period; held = their live holds (status HELD) = the sum of the reserved deltas
-- of their entries.
CREATE TEMP TABLE member_check AS
SELECT tm.account_id, tm.user_id, tm.cap_millicredits AS cap, tm.removed_at,
       CASE WHEN tm.period_start < a.period_start THEN 0 ELSE tm.spent_millicredits END AS spent,
       tm.held_millicredits AS held,
       COALESCE((SELECT SUM(e.spent) FROM pool_entries e WHERE e.account = tm.account_id AND e.member_id = tm.user_id
                    AND e.operation IN ('CHARGE', 'SETTLE') AND e.this_period), 0) AS ledger_spent,
       COALESCE((SELECT SUM(e.held_delta) FROM pool_entries e WHERE e.account = tm.account_id AND e.member_id = tm.user_id), 0)
           AS ledger_held,
       COALESCE((SELECT SUM(r.amount_millicredits) FROM credit_reservation r WHERE r.user_id = tm.account_id
                    AND r.member_id = tm.user_id AND r.status = 'HELD'), 0) AS live_holds,
       (SELECT COUNT(*) FROM pool_entries e WHERE e.account = tm.account_id AND e.member_id = tm.user_id
           AND e.operation IN ('CHARGE', 'SETTLE')) AS charges
  FROM team_member tm JOIN credit_account a ON a.user_id = tm.account_id;

INSERT INTO results
SELECT 36, 'every pool member''s spent = their CHARGE and SETTLE entries in the period, held = their live holds', COUNT(*),
       COUNT(*) FILTER (WHERE spent <> ledger_spent OR held <> live_holds OR held <> ledger_held),
       'member rows; charged entries ' || COALESCE(SUM(charges), 0) || ', spent ' || COALESCE(SUM(spent), 0)
       || ' millicredits; members at or past their cap now: ' || COUNT(*) FILTER (WHERE cap IS NOT NULL AND spent + held >= cap)
  FROM member_check;

-- The member a pool's call is booked to: every entry of a charge, hold or settle names a member of
-- the pool, its usage row and its hold name the same one, and every call the driver made and the
-- pool acknowledged is booked to the member who made it (a charge by its entry, a hold or a chat
-- call by its hold).
INSERT INTO results
SELECT 37, 'every call on a pool is booked to the member who made it (usage row and hold agree)', COUNT(*)
       + (SELECT COUNT(*) FROM pool_calls WHERE status BETWEEN 200 AND 299 AND kind IN ('CHARGE', 'HOLD', 'CHAT')),
       COUNT(*) FILTER (WHERE member_id IS NULL OR usage_member <> hold_member
                              OR NOT EXISTS (SELECT 1 FROM team_member tm WHERE tm.account_id = e.account AND tm.user_id = e.member_id))
     + (SELECT COUNT(*) FROM pool_calls c WHERE c.status BETWEEN 200 AND 299 AND c.kind IN ('CHARGE', 'HOLD', 'CHAT')
           AND NOT CASE WHEN c.kind = 'CHARGE'
                        THEN EXISTS (SELECT 1 FROM pool_entries x WHERE x.account = c.account AND x.operation = 'CHARGE'
                                        AND x.idempotency_key = c.key AND x.usage_member = c.member_id)
                        ELSE EXISTS (SELECT 1 FROM credit_reservation r WHERE r.user_id = c.account AND r.idempotency_key = c.key
                                        AND r.member_id = c.member_id) END),
       'entries of charges, holds and settles on pools, and acknowledged calls of the driver; usage rows and holds that disagree: '
       || COUNT(*) FILTER (WHERE usage_member <> hold_member)
  FROM pool_entries e WHERE operation IN ('CHARGE', 'HOLD', 'SETTLE');

-- The cap at every charge or hold a member made: replayed per member in entry order (a pool's
-- entries take their ids under its row lock, and the member's row changes under it too), spent (this
-- period) + held after the entry is within the member's cap. The cap is read in the entry's
-- transaction, after its time was taken, and an owner changes it meanwhile: the cap in force is the
-- one acknowledged last before the entry, or one whose change was in flight from up to 5 s after it
-- (the highest of them; none: no cap). A settle may charge above its hold (the provider billed it):
-- only charges and holds are bound.
CREATE TEMP TABLE member_replay AS
SELECT e.*,
       SUM(CASE WHEN e.operation IN ('CHARGE', 'SETTLE') AND e.this_period THEN e.spent ELSE 0 END) OVER w AS spent_run,
       SUM(e.held_delta) OVER w AS held_run
  FROM pool_entries e WHERE e.member_id IS NOT NULL
WINDOW w AS (PARTITION BY e.account, e.member_id ORDER BY e.id);

CREATE TEMP TABLE cap_points AS
SELECT x.id, x.account, x.member_id, x.operation, x.created_at, x.spent_run, x.held_run, c.unlimited, c.cap, c.known
  FROM member_replay x
  LEFT JOIN LATERAL (
       SELECT COUNT(*) > 0 AS known, bool_or(m.cap IS NULL) AS unlimited, MAX(m.cap) AS cap
         FROM member_changes m
        WHERE m.account = x.account AND m.user_id = x.member_id AND m.action <> 'remove'
          AND (m.acked_at = (SELECT MAX(m2.acked_at) FROM member_changes m2 WHERE m2.account = x.account
                                AND m2.user_id = x.member_id AND m2.acked_at <= x.created_at)
               OR m.sent_at <= x.created_at + interval '5 seconds' AND (m.acked_at IS NULL OR m.acked_at > x.created_at))) c ON true
 WHERE x.operation IN ('CHARGE', 'HOLD');

INSERT INTO results
SELECT 38, 'no member''s charge or hold let through past their cap (spent + held after it <= the cap in force)', COUNT(*),
       COUNT(*) FILTER (WHERE NOT known OR (NOT unlimited AND spent_run + held_run > cap)),
       'charges and holds of members; of them under a cap: ' || COUNT(*) FILTER (WHERE NOT unlimited)
       || ', the closest to it: ' || COALESCE(MIN(cap - spent_run - held_run) FILTER (WHERE NOT unlimited)::text, '-') || ' millicredits left'
  FROM cap_points;

-- Removals, from the driver's side: a call of a member sent after their removal was acknowledged and
-- answered before they were added back (the request sent) is refused 403 not-a-team-member (a settle
-- of a hold they placed before aside); a member never removed while their call ran is never refused so.
CREATE TEMP TABLE removal_windows AS
SELECT m.account, m.user_id, m.sent_at AS removal_sent, m.acked_at AS removal_acked,
       (SELECT MIN(a.sent_at) FROM member_changes a WHERE a.account = m.account AND a.user_id = m.user_id AND a.action = 'add'
           AND a.sent_at > m.sent_at) AS readd_sent,
       (SELECT MIN(a.acked_at) FROM member_changes a WHERE a.account = m.account AND a.user_id = m.user_id AND a.action = 'add'
           AND a.sent_at > m.sent_at) AS readd_acked
  FROM member_changes m WHERE m.action = 'remove';

CREATE TEMP TABLE removal_calls AS
SELECT c.*,
       EXISTS (SELECT 1 FROM removal_windows w WHERE w.account = c.account AND w.user_id = c.member_id
                  AND c.sent_at > w.removal_acked AND c.answered_at < COALESCE(w.readd_sent, 'infinity')) AS while_removed,
       EXISTS (SELECT 1 FROM removal_windows w WHERE w.account = c.account AND w.user_id = c.member_id
                  AND c.answered_at >= w.removal_sent AND c.sent_at <= COALESCE(w.readd_acked, 'infinity'))
           AS maybe_removed
  FROM pool_calls c;

INSERT INTO results
SELECT 39, 'a removed member''s new calls on the pool are refused (403 not-a-team-member), and only theirs', COUNT(*),
       COUNT(*) FILTER (WHERE while_removed AND kind IN ('CHARGE', 'HOLD', 'CHAT') AND NOT (status = 403 AND type = 'not-a-team-member'))
     + COUNT(*) FILTER (WHERE status = 403 AND NOT maybe_removed),
       'calls on pools; sent while their member was removed: ' || COUNT(*) FILTER (WHERE while_removed)
       || ' (of them settles: ' || COUNT(*) FILTER (WHERE while_removed AND kind = 'SETTLE') || '); removals: '
       || (SELECT COUNT(*) FROM removal_windows) || ', acknowledged: ' || (SELECT COUNT(*) FROM removal_windows WHERE removal_acked IS NOT NULL)
  FROM removal_calls;

-- ---------------------------------------------------------------- coverage of the recovery paths
-- How often the run took each recovery path. A chat call's hold "expired while its call was live"
-- when its call was charged (or given up) after the hold's expiry: expired by the job while its
-- settle waited for the database (then charged by its compensation, or the compensation FAILED), or
-- settled after its expiry time (by its compensation, which the expiry job leaves alone, or in line).
CREATE TEMP TABLE chat_holds AS
SELECT r.*, c.id AS compensation_id, c.status AS compensation_status,
       (SELECT l.created_at FROM credit_audit_log l WHERE l.user_id = r.user_id AND l.reservation_id = r.id
           AND l.operation IN ('SETTLE', 'CHARGE') ORDER BY l.id LIMIT 1) AS charged_at,
       (SELECT l.idempotency_key FROM credit_audit_log l WHERE l.user_id = r.user_id AND l.reservation_id = r.id
           AND l.operation = 'SETTLE' LIMIT 1) AS settle_key
  FROM credit_reservation r
  JOIN chats ch ON ch.user_id = r.user_id AND ch.key = r.idempotency_key
  LEFT JOIN credit_compensation c ON c.reservation_id = r.id;

CREATE TEMP TABLE expired_live AS
SELECT CASE
    WHEN status = 'EXPIRED' AND compensation_status = 'APPLIED' THEN 'expired by the job, then charged by its compensation'
    WHEN status = 'EXPIRED' AND compensation_status = 'FAILED' THEN 'expired by the job, its compensation FAILED (the account could not pay)'
    WHEN status = 'EXPIRED' AND compensation_status = 'PENDING' THEN 'expired by the job, its compensation still PENDING'
    WHEN status = 'SETTLED' AND charged_at > expires_at AND compensation_id IS NOT NULL
        THEN 'settled after its expiry by its compensation (the expiry job left it alone)'
    WHEN status = 'SETTLED' AND charged_at > expires_at THEN 'settled in line after its expiry'
    END AS outcome
  FROM chat_holds;

CREATE TEMP TABLE coverage (no int, path text, taken bigint, required boolean, detail text);
INSERT INTO coverage
SELECT 1, 'compensations queued', COUNT(*), true,
       'CHARGE ' || COUNT(*) FILTER (WHERE kind = 'CHARGE') || ', REFUND ' || COUNT(*) FILTER (WHERE kind = 'REFUND')
  FROM credit_compensation;
INSERT INTO coverage
SELECT 2, 'compensations applied', COUNT(*) FILTER (WHERE status = 'APPLIED'), true,
       'settling their hold ' || COUNT(*) FILTER (WHERE status = 'APPLIED' AND own_rows = 1 AND EXISTS (
           SELECT 1 FROM credit_audit_log l WHERE l.user_id = x.user_id AND l.idempotency_key = 'tollgate:compensation:' || x.id
              AND l.operation = 'SETTLE'))
       || ', charging after the hold expired ' || COUNT(*) FILTER (WHERE status = 'APPLIED' AND own_rows = 1 AND EXISTS (
           SELECT 1 FROM credit_audit_log l WHERE l.user_id = x.user_id AND l.idempotency_key = 'tollgate:compensation:' || x.id
              AND l.operation = 'CHARGE'))
       || ', nothing to do (the settle had committed) ' || COUNT(*) FILTER (WHERE status = 'APPLIED' AND own_rows = 0)
  FROM compensation_check x;
INSERT INTO coverage
-- Shown, not required (as 4): an attempt fails only on what a retry of its transaction does not cure,
-- and a compensation's hold now waits for it, so its settle cannot be refused.
SELECT 3, 'compensation attempts retried (after a failed one)',
       COALESCE(SUM(attempts) FILTER (WHERE status <> 'FAILED'), 0) + COALESCE(SUM(GREATEST(attempts - 1, 0)) FILTER (WHERE status = 'FAILED'), 0),
       false, COUNT(*) FILTER (WHERE attempts > 0) || ' compensations failed at least once'
  FROM credit_compensation;
INSERT INTO coverage
-- Shown, not required: the expiry job leaves alone a hold whose charge waits (in a compensation, or
-- in the app's memory), so no fault leaves a compensation a plain charge the account cannot pay.
SELECT 4, 'compensations FAILED', COUNT(*), false,
       COALESCE(string_agg(DISTINCT split_part(last_error, ':', 1) || ':' || split_part(last_error, ':', 2), '; '), '-')
  FROM credit_compensation WHERE status = 'FAILED';
INSERT INTO coverage
SELECT 5, 'holds expired while their call was live', COUNT(outcome), :short = 0,
       COALESCE((SELECT string_agg(outcome || ': ' || n, '; ' ORDER BY outcome) FROM
                    (SELECT outcome, COUNT(*) n FROM expired_live WHERE outcome IS NOT NULL GROUP BY outcome) o), '-')
  FROM expired_live;
INSERT INTO coverage
SELECT 6, 'one-shot jobs killed in a batch, resumed by their next run',
       (SELECT COUNT(*) FROM job_rounds WHERE landed AND resumed), true,
       COALESCE((SELECT string_agg(job || ' ' || n, ', ' ORDER BY job) FROM
                    (SELECT job, COUNT(*) n FROM job_rounds WHERE landed AND resumed GROUP BY job) j), '-')
       || '; rounds ' || (SELECT COUNT(*) FROM job_rounds) || ', killed in a batch ' || (SELECT COUNT(*) FROM job_rounds WHERE landed)
       || ', next run finished the work ' || (SELECT COUNT(*) FROM job_rounds WHERE resumed);
INSERT INTO coverage
SELECT 7, 'concurrent job starts skipped', COUNT(*) FILTER (WHERE skipped), true,
       COALESCE((SELECT string_agg(job || ' ' || n, ', ' ORDER BY job) FROM
                    (SELECT job, COUNT(*) n FROM job_rounds WHERE skipped GROUP BY job) j), '-')
  FROM job_rounds;
INSERT INTO coverage
SELECT 8, 'settles recorded with a shortfall', COUNT(*), true,
       COALESCE(SUM(shortfall_millicredits), 0) || ' millicredits; their SETTLE metadata says the same: '
       || COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM credit_audit_log l WHERE l.user_id = u.user_id AND l.usage_id = u.id
                                            AND l.operation = 'SETTLE'
                                            AND (l.metadata ->> 'shortfallMillicredits')::bigint = u.shortfall_millicredits))
  FROM all_usage u WHERE shortfall_millicredits > 0;
INSERT INTO coverage
SELECT 9, 'calls charged their hold: outcome unknown', COUNT(*), true,
       'charged exactly the hold: ' || COUNT(*) FILTER (WHERE u.cost_millicredits = r.amount_millicredits AND u.estimated)
  FROM chats ch
  LEFT JOIN credit_reservation r ON r.user_id = ch.user_id AND r.idempotency_key = ch.key
  LEFT JOIN all_usage u ON u.user_id = ch.user_id AND u.request_id = ch.key
 WHERE ch.seen LIKE 'charged-%-provider-outcome-unknown';
INSERT INTO coverage
SELECT 10, 'app killed between a provider''s final chunk and the settle', COUNT(*), true,
       'charged their whole hold by the expiry job: ' || COUNT(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM credit_audit_log l WHERE l.user_id = r.user_id AND l.reservation_id = r.id AND l.operation = 'SETTLE'
              AND l.actor = 'job:expire-holds'))
       || ', settled before the kill: ' || COUNT(*) FILTER (WHERE u.id IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM credit_audit_log l WHERE l.user_id = r.user_id AND l.reservation_id = r.id AND l.operation = 'SETTLE'
              AND l.actor = 'job:expire-holds'))
       || ', uncharged (check 11): ' || COUNT(*) FILTER (WHERE u.id IS NULL)
  FROM billed b
  JOIN chats ch ON ch.key = b.tag
  LEFT JOIN credit_reservation r ON r.user_id = ch.user_id AND r.idempotency_key = b.tag
  LEFT JOIN all_usage u ON u.user_id = ch.user_id AND u.request_id = b.tag
 WHERE b.final_at IS NOT NULL AND EXISTS (SELECT 1 FROM kills k WHERE k.at BETWEEN b.final_at AND b.ended_at);
INSERT INTO coverage
SELECT 11, 'streaming clients that stopped reading, let go, their call billed', COUNT(*) FILTER (WHERE u.id IS NOT NULL), true,
       'answered 200: ' || COUNT(*) || '; the app''s log says it let such a client go ' || :stopped_reading_let_go || ' times'
  FROM acks k
  LEFT JOIN all_usage u ON u.user_id = k.user_id AND u.request_id = k.key
 WHERE k.kind = 'CHAT' AND k.extra = 'stopped-reading';
INSERT INTO coverage
SELECT 12, 'held-over credits lapsed after a refresh across holds (LAPSE)', COUNT(*), false,
       COALESCE(-SUM(monthly_delta), 0) || ' millicredits; refreshes ' || (SELECT COUNT(*) FROM credit_audit_log WHERE operation = 'REFRESH')
  FROM credit_audit_log WHERE operation = 'LAPSE';

-- Purchases: the paths of Stripe's webhooks the run must take (its opening purchases take each once).
CREATE TEMP TABLE event_order AS
SELECT purchase_id,
       MIN(seq) FILTER (WHERE type = 'checkout.session.completed') AS completed_at,
       MIN(seq) FILTER (WHERE type = 'charge.refunded') AS first_refund,
       MIN(seq) FILTER (WHERE type LIKE 'charge.dispute.%') AS first_dispute,
       BOOL_OR(type = 'charge.refunded' AND split_part(detail, ' ', 2)::bigint < split_part(detail, ' ', 4)::bigint) AS partial_refund
  FROM stripe_events WHERE status BETWEEN 200 AND 299 GROUP BY purchase_id;
INSERT INTO coverage
SELECT 13, 'purchases paid and granted', COUNT(*) FILTER (WHERE paid AND matched AND grants = 1), true,
       COUNT(*) || ' purchases answered 201, ' || COUNT(*) FILTER (WHERE paid) || ' paid'
  FROM purchase_check;
INSERT INTO coverage
SELECT 14, 'Stripe events delivered more than once', COUNT(*), true,
       'twice at the same moment: ' || COUNT(*) FILTER (WHERE at_once) || ', twice in a row: ' || COUNT(*) FILTER (WHERE in_a_row)
       || ', again after later events: ' || COUNT(*) FILTER (WHERE late)
  FROM (SELECT event_id, BOOL_OR(copy = 3) AS at_once, BOOL_OR(copy = 2) AS in_a_row, COUNT(DISTINCT seq) > 1 AS late
          FROM stripe_events WHERE status BETWEEN 200 AND 299 GROUP BY event_id HAVING COUNT(*) > 1) e;
INSERT INTO coverage
SELECT 15, 'refunds delivered before the payment''s completion', COUNT(*) FILTER (WHERE first_refund < completed_at), true,
       'disputes before the completion: ' || COUNT(*) FILTER (WHERE first_dispute < completed_at)
  FROM event_order;
INSERT INTO coverage
SELECT 16, 'partial refunds', COUNT(*) FILTER (WHERE partial_refund), true,
       'then refunded in full: ' || (SELECT COUNT(*) FROM purchase_check c JOIN event_order o USING (purchase_id)
                                       WHERE o.partial_refund AND c.refunded >= c.paid_amount)
  FROM event_order;
INSERT INTO coverage
SELECT 17, 'claw-backs that met spent credits (unrecovered)', COUNT(*) FILTER (WHERE unrecovered > 0 OR short_clawbacks > 0), true,
       'purchases whose buyer spent the pack first: ' || COUNT(*) FILTER (WHERE spent) || '; unrecovered now: '
       || COALESCE(SUM(unrecovered), 0) || ' millicredits on ' || COUNT(*) FILTER (WHERE unrecovered > 0) || ' purchases'
  FROM purchase_check;
INSERT INTO coverage
SELECT 18, 'disputes won', COUNT(*) FILTER (WHERE paid AND matched AND dispute = 'won'), true,
       'given back ' || COALESCE(SUM(given_back) FILTER (WHERE dispute = 'won'), 0) || ' millicredits; lost: '
       || COUNT(*) FILTER (WHERE paid AND dispute = 'lost') || ', left open: ' || COUNT(*) FILTER (WHERE paid AND dispute = 'needs_response')
       || '; flagged payments: ' || COUNT(*) FILTER (WHERE paid AND NOT matched) || '; sessions expired unpaid: '
       || COUNT(*) FILTER (WHERE NOT paid AND expired)
  FROM purchase_check;
INSERT INTO coverage
SELECT 19, 'Stripe deliveries that met a fault, acknowledged on a later attempt',
       COUNT(*) FILTER (WHERE attempts > 1 AND status BETWEEN 200 AND 299), true,
       'of purchases bought just before an outage or a kill: ' || COUNT(*) FILTER (WHERE attempts > 1 AND status BETWEEN 200 AND 299
           AND purchase_id IN (SELECT purchase_id FROM purchases WHERE plan LIKE 'burst:%'))
       || '; attempts in all: ' || COALESCE(SUM(attempts), 0) || ' for ' || COUNT(*) || ' deliveries'
  FROM stripe_events;
INSERT INTO coverage
SELECT 20, 'grant lots granted (admin grants acknowledged)', COUNT(*), true,
       COUNT(*) FILTER (WHERE g.user_id IN (SELECT user_id FROM acks WHERE kind = 'INIT' AND amount <= 300))
       || ' on accounts that run dry; lots in all: ' || (SELECT COUNT(*) FROM credit_grant_lot)
       || '; not acknowledged (given up or refused): ' || (SELECT COUNT(*) FROM credit_grant_lot l2
                                                           JOIN credit_audit_log e ON e.id = l2.entry_id
                                                          WHERE NOT EXISTS (SELECT 1 FROM acks k WHERE k.kind = 'GRANT'
                                                                               AND k.user_id = e.user_id AND k.key = e.idempotency_key))
  FROM grant_acks g;
-- A GRANT_EXPIRY "while a hold was live": the account had a hold placed before it and resolved after it.
INSERT INTO coverage
SELECT 21, 'grant lots expired (GRANT_EXPIRY)', COUNT(DISTINCT lot_id), true,
       COALESCE(-SUM(delta), 0) || ' millicredits removed in ' || COUNT(*) || ' entries, before the final expiry run: '
       || COUNT(*) FILTER (WHERE created_at < CAST(:'grants_final_at' AS timestamptz))
       || '; while a hold was live on the account: ' || COUNT(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM credit_reservation r WHERE r.user_id = x.user_id AND r.created_at < x.created_at
              AND NOT EXISTS (SELECT 1 FROM credit_audit_log f WHERE f.user_id = r.user_id AND f.reservation_id = r.id
                                 AND f.operation IN ('SETTLE', 'RELEASE', 'EXPIRE') AND f.created_at <= x.created_at)))
       || ' (a chat call''s: ' || COUNT(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM credit_reservation r JOIN chats ch ON ch.user_id = r.user_id AND ch.key = r.idempotency_key
            WHERE r.user_id = x.user_id AND r.created_at < x.created_at
              AND NOT EXISTS (SELECT 1 FROM credit_audit_log f WHERE f.user_id = r.user_id AND f.reservation_id = r.id
                                 AND f.operation IN ('SETTLE', 'RELEASE', 'EXPIRE') AND f.created_at <= x.created_at))) || ')'
  FROM lot_moves x WHERE operation = 'GRANT_EXPIRY';
INSERT INTO coverage
SELECT 22, 'grant expiries that kept part of a lot for a live hold', COUNT(*), true,
       COUNT(DISTINCT lot_id) || ' lots; settles of holds placed before a lot''s expiry that spent it after: '
       || (SELECT COUNT(*) FROM lot_moves m JOIN credit_reservation h ON h.id = m.reservation_id
            WHERE m.delta < 0 AND m.operation = 'SETTLE' AND m.created_at >= m.expires_at AND h.created_at < m.expires_at)
  FROM lot_moves WHERE operation = 'GRANT_EXPIRY' AND remaining_after > 0;
-- Outbound webhooks: events committed before a kill -9 and first received after the restart (the
-- outbox's promise), and deliveries the sender had to make again.
INSERT INTO coverage
SELECT 23, 'webhook events committed before an app kill, first received after it', COUNT(*), true,
       'of them accepted at their first attempt after the restart: '
       || COUNT(*) FILTER (WHERE (SELECT r.answer FROM webhook_receipts r WHERE r.event_id = h.id ORDER BY n LIMIT 1) = '204')
  FROM hook_events h
 WHERE EXISTS (SELECT 1 FROM kills k WHERE h.created_at < k.at AND h.first_received > k.at);
INSERT INTO coverage
SELECT 24, 'webhook deliveries retried (received again, or after a 500)', COUNT(*) FILTER (WHERE receipts > 1 OR failed > 0), true,
       'after a 500: ' || COUNT(*) FILTER (WHERE failed > 0) || ', after a stall past the timeout: '
       || COUNT(*) FILTER (WHERE stalled > 0) || ', accepted more than once (the outcome lost, e.g. to a kill): '
       || COUNT(*) FILTER (WHERE accepted > 1) || '; attempts the app counted above one: '
       || COALESCE(SUM(GREATEST(attempts - 1, 0)), 0)
  FROM hook_events;

-- Team pools: refusals for the member's cap and for the pool's credits (the problem's ranOut says
-- which), a member removed while a hold of theirs was live who then settled it (its SETTLE entry
-- after the removal was acknowledged, before they were added back), and a call refused after a removal.
INSERT INTO coverage
SELECT 25, 'pool calls refused: the member''s cap reached', COUNT(*) FILTER (WHERE status = 402 AND type = 'member-cap-reached'
                                                                              AND ran_out = 'member-cap'), true,
       'by kind: ' || COALESCE(string_agg(DISTINCT kind, ', ') FILTER (WHERE type = 'member-cap-reached'), '-')
       || '; answered member-cap-reached without ranOut member-cap: '
       || COUNT(*) FILTER (WHERE type = 'member-cap-reached' AND ran_out IS DISTINCT FROM 'member-cap')
  FROM pool_calls;
INSERT INTO coverage
SELECT 26, 'pool calls refused: the pool''s credits ran out', COUNT(*) FILTER (WHERE status = 402 AND type = 'insufficient-credits'
                                                                                AND ran_out = 'pool'), true,
       'pool calls ' || COUNT(*) || ', acknowledged ' || COUNT(*) FILTER (WHERE status BETWEEN 200 AND 299)
       || '; top-ups of the pool: ' || (SELECT COUNT(*) FROM acks k JOIN teams t ON t.account = k.user_id WHERE k.kind = 'ADJUST')
  FROM pool_calls;
INSERT INTO coverage
SELECT 27, 'pool holds settled by a member removed while they were live', COUNT(DISTINCT e.id), true,
       'removals while the member had a live hold: ' || (SELECT COUNT(*) FROM removal_windows w WHERE EXISTS (
           SELECT 1 FROM credit_reservation r WHERE r.user_id = w.account AND r.member_id = w.user_id
              AND r.created_at < w.removal_sent AND COALESCE(r.resolved_at, 'infinity') > w.removal_acked))
  FROM pool_entries e JOIN removal_windows w ON w.account = e.account AND w.user_id = e.hold_member
 WHERE e.operation = 'SETTLE' AND e.hold_created_at < w.removal_sent AND e.created_at > w.removal_acked
   AND e.created_at < COALESCE(w.readd_sent, 'infinity');
INSERT INTO coverage
SELECT 28, 'pool calls refused after their member''s removal', COUNT(*) FILTER (WHERE while_removed AND status = 403
                                                                                 AND type = 'not-a-team-member'), true,
       'by kind: ' || COALESCE(string_agg(DISTINCT kind, ', ') FILTER (WHERE while_removed AND status = 403), '-')
  FROM removal_calls;

\echo
\echo 'Coverage: how often the run took each recovery path (required: at least' :min_path 'times):'
SELECT no AS "#", path AS "recovery path", taken,
       CASE WHEN NOT required THEN 'shown' WHEN taken >= :min_path THEN 'ok' ELSE 'NOT TAKEN ENOUGH' END AS verdict, detail
  FROM coverage ORDER BY no;

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
SELECT 'account ' || user_id || ': buckets (m/g/p/r) ' || monthly || '/' || granted || '/' || purchased || '/' || reserved
       || ', audit sums ' || monthly_sum || '/' || granted_sum || '/' || purchased_sum || '/' || reserved_sum || ', initial '
       || initial_grants || ' (known ' || known_grants || '), broken links ' || broken_links || ', negative points ' || negative_points
  FROM per_account
 WHERE monthly <> monthly_sum OR granted <> granted_sum OR purchased <> purchased_sum OR reserved <> reserved_sum
    OR initial_grants <> known_grants
    OR broken_links > 0 OR negative_points > 0
UNION ALL
SELECT 'hold left HELD: ' || id || ' of ' || user_id || ', expires ' || expires_at FROM credit_reservation WHERE status = 'HELD'
UNION ALL
SELECT 'compensation ' || id || ' ' || status || ': ' || COALESCE(last_error, '-') FROM credit_compensation WHERE status = 'PENDING'
UNION ALL
SELECT 'compensation ' || id || ' ' || status || ', applied by ' || own_rows || ' own entries and ' || inline_settles || ' settles'
  FROM compensation_check WHERE status = 'APPLIED' AND NOT (own_rows = 1 AND inline_settles = 0 OR own_rows = 0 AND inline_settles = 1)
     OR status <> 'APPLIED' AND own_rows > 0
UNION ALL
SELECT 'FAILED compensation ' || c.id || ' of ' || c.user_id || ' (' || c.amount_millicredits || ' millicredits, ' || c.last_error
       || ') as the admin API shows it: ' || COALESCE((SELECT a.status || ' ' || a.amount || ' ' || COALESCE(a.last_error, '-')
                                                         FROM admin_compensations a WHERE a.user_id = c.user_id AND a.id = c.id), 'not listed')
  FROM credit_compensation c WHERE c.status = 'FAILED' AND NOT EXISTS (
       SELECT 1 FROM admin_compensations a WHERE a.user_id = c.user_id AND a.id = c.id AND a.status = 'FAILED'
          AND a.amount = c.amount_millicredits AND a.reason = c.reason AND a.last_error = c.last_error AND a.last_error <> '')
UNION ALL
SELECT 'billed call ' || tag || ' (' || COALESCE(user_id, '?') || ', ' || model || ', ' || COALESCE(shape, '?') || ', client saw '
       || COALESCE(seen, '?') || '): ' || problem || '; bill: prompt ' || prompt_tokens || ' (cached ' || cached_tokens
       || '), completion ' || completion_tokens || ' (reasoning ' || reasoning_tokens || '), usage '
       || CASE WHEN reported THEN 'reported' ELSE 'not reported' END || CASE WHEN cut THEN ', cut by the app' ELSE '' END
       || '; usage row ' || COALESCE(usage_id::text, '-') || ' estimated ' || COALESCE(estimated::text, '-')
  FROM reconciliation WHERE problem IS NOT NULL
UNION ALL
SELECT 'purchase ' || COALESCE(purchase_id::text, '-') || ' of ' || user_id || ' (' || plan || '): answered ' || answer
       || CASE WHEN answer <> 201 THEN '' ELSE '; app: ' || COALESCE(status, 'no row') || ' (expected ' || expected_status
       || '), granted ' || COALESCE(granted::text, '-') || ' by ' || COALESCE(grants::text, '-') || ' grants (expected '
       || expected_granted || '), clawed back ' || COALESCE(clawed_back::text, '-') || ' + unrecovered '
       || COALESCE(unrecovered::text, '-') || ' (expected ' || expected_taken || '), ledger net ' || COALESCE(net::text, '-')
       || ', odd rows ' || COALESCE(odd_rows::text, '-') || ', sessions ' || COALESCE(sessions::text, '-') || ', flagged '
       || COALESCE(flagged_reason, '-') || '; Stripe said: paid ' || paid || ' ' || COALESCE(paid_amount::text, '-') || ' '
       || COALESCE(paid_currency, '-') || ', refunded ' || refunded || ', dispute ' || COALESCE(dispute, '-') END
  FROM (SELECT d.purchase_id, d.user_id, d.plan, d.answer, c.status, c.expected_status, c.granted, c.grants, c.expected_granted,
               c.clawed_back, c.unrecovered, c.expected_taken, c.net, c.odd_rows, c.sessions, c.flagged_reason, d.paid,
               d.paid_amount, d.paid_currency, d.refunded, d.dispute,
               d.answer BETWEEN 400 AND 499 OR NOT (c.found AND c.app_user = d.user_id AND c.app_pack = d.pack_id
                   AND c.sessions = 1 AND c.fake_session = d.session_id AND c.checkout_session_id = d.session_id)
               OR c.grants <> CASE WHEN d.paid AND d.matched THEN 1 ELSE 0 END OR c.granted <> c.expected_granted
               OR c.clawed_back + c.unrecovered <> c.expected_taken OR c.net <> c.granted - c.clawed_back OR c.odd_rows > 0
               OR c.status IS DISTINCT FROM c.expected_status OR (d.paid AND NOT d.matched AND c.flagged_reason IS NULL)
               OR (d.paid AND d.matched AND c.flagged_reason IS NOT NULL) AS broken
          FROM purchases d LEFT JOIN purchase_check c USING (purchase_id, key)) x
 WHERE broken
UNION ALL
SELECT 'Stripe event ' || event_id || ' (' || type || ', ' || detail || ') of purchase ' || purchase_id || ': answered ' || status
       || ' after ' || attempts || ' attempts'
  FROM stripe_events WHERE status NOT BETWEEN 200 AND 299
UNION ALL
SELECT 'purchase ledger row ' || id || ' (' || operation || ', ' || COALESCE(reason, '-') || ') of ' || user_id || ' names purchase '
       || COALESCE(purchase_id, '-') || ', which the driver did not buy (or whose buy it gave up)'
  FROM purchase_rows pr WHERE NOT EXISTS (SELECT 1 FROM purchases d WHERE d.answer = 201 AND d.purchase_id::text = pr.purchase_id)
UNION ALL
SELECT 'account ' || p.user_id || ': granted ' || p.granted || ', its granted deltas ' || p.granted_sum || ', its lots '
       || COALESCE((SELECT SUM(remaining) FROM credit_grant_lot g WHERE g.user_id = p.user_id), 0)
  FROM per_account p
 WHERE p.granted <> p.granted_sum OR p.granted <> COALESCE((SELECT SUM(remaining) FROM credit_grant_lot g WHERE g.user_id = p.user_id), 0)
UNION ALL
SELECT 'lot ' || id || ' of ' || user_id || ' (granted ' || granted || ', expires ' || expires_at || '): remaining ' || remaining
       || ', by its movements ' || by_moves || ', out of bounds after ' || out_of_bounds || ' movements'
       || CASE WHEN expires_at <= CAST(:'grants_final_at' AS timestamptz) AND remaining > 0 AND NOT live_hold
               THEN ', due before the final expiry run and not empty' ELSE '' END
       || CASE WHEN entry_operation IS DISTINCT FROM 'GRANT' OR entry_user IS DISTINCT FROM user_id OR entry_key NOT LIKE 'tollgate:grant:%'
                    OR entry_granted <> granted
               THEN ', its entry: ' || COALESCE(entry_operation, '-') || ' ' || COALESCE(entry_key, '-') || ' ' || COALESCE(entry_granted::text, '-')
               ELSE '' END
  FROM lot_check
 WHERE remaining <> by_moves OR remaining < 0 OR remaining > granted OR out_of_bounds > 0
    OR (expires_at <= CAST(:'grants_final_at' AS timestamptz) AND remaining > 0 AND NOT live_hold)
    OR entry_operation IS DISTINCT FROM 'GRANT' OR entry_user IS DISTINCT FROM user_id OR entry_key NOT LIKE 'tollgate:grant:%'
    OR entry_granted <> granted
UNION ALL
SELECT 'entry ' || id || ' (' || operation || ') of ' || user_id || ': granted delta ' || granted_delta || ', by its lots ' || COALESCE(by_lots, 0)
  FROM entry_lot_links WHERE granted_delta <> COALESCE(by_lots, 0)
UNION ALL
SELECT 'lot ' || lot_id || ' of ' || user_id || ' (expired ' || expires_at || ') gave ' || -delta || ' to entry ' || entry_id || ' ('
       || operation || ') at ' || created_at FROM expired_spends
UNION ALL
SELECT 'acknowledged grant ' || key || ' of ' || user_id || ' (lot ' || ref || '): ' || entries || ' GRANT entries, ' || lots || ' lots'
  FROM grant_acks WHERE entries <> 1 OR lots <> 1
UNION ALL
SELECT 'webhook event ' || id || ' (' || type || ' of ' || user_id || ', ' || created_at || '): ' || deliveries || ' deliveries, '
       || COALESCE(status, 'no delivery') || ' after ' || COALESCE(attempts, 0) || ' attempts; received ' || receipts
       || ' times, accepted ' || accepted || CASE WHEN first_accepted < earlier_accepted_last
                                                  THEN ', accepted before an earlier event of its account' ELSE '' END
  FROM hook_order WHERE first_accepted IS NULL OR deliveries <> 1 OR status <> 'delivered' OR first_accepted < earlier_accepted_last
UNION ALL
SELECT 'pool member ' || user_id || ' of ' || account_id || ': spent ' || spent || ' (ledger ' || ledger_spent || '), held ' || held
       || ' (live holds ' || live_holds || ', ledger ' || ledger_held || ')'
  FROM member_check WHERE spent <> ledger_spent OR held <> live_holds OR held <> ledger_held
UNION ALL
SELECT 'pool entry ' || id || ' (' || operation || ') of ' || account || ': member ' || COALESCE(member_id, '-') || ' (usage row '
       || COALESCE(usage_member, '-') || ', hold ' || COALESCE(hold_member, '-') || ')'
  FROM pool_entries e WHERE operation IN ('CHARGE', 'HOLD', 'SETTLE') AND (member_id IS NULL OR usage_member <> hold_member
       OR NOT EXISTS (SELECT 1 FROM team_member tm WHERE tm.account_id = e.account AND tm.user_id = e.member_id))
UNION ALL
SELECT 'pool call ' || kind || ' ' || key || ' of member ' || member_id || ' (' || status || '): not booked to them'
  FROM pool_calls c WHERE c.status BETWEEN 200 AND 299 AND c.kind IN ('CHARGE', 'HOLD', 'CHAT')
   AND NOT CASE WHEN c.kind = 'CHARGE'
                THEN EXISTS (SELECT 1 FROM pool_entries x WHERE x.account = c.account AND x.operation = 'CHARGE'
                                AND x.idempotency_key = c.key AND x.usage_member = c.member_id)
                ELSE EXISTS (SELECT 1 FROM credit_reservation r WHERE r.user_id = c.account AND r.idempotency_key = c.key
                                AND r.member_id = c.member_id) END
UNION ALL
SELECT 'pool entry ' || id || ' (' || operation || ' at ' || created_at || ') of member ' || member_id || ': spent ' || spent_run
       || ' + held ' || held_run || CASE WHEN known THEN ' > cap ' || cap ELSE ', no cap change of the member known' END
  FROM cap_points WHERE NOT known OR (NOT unlimited AND spent_run + held_run > cap)
UNION ALL
SELECT 'pool call ' || kind || ' ' || key || ' of member ' || member_id || ' (sent ' || sent_at || ', answered ' || answered_at || '): '
       || status || ' ' || type || CASE WHEN while_removed THEN ' while removed' ELSE ' while a member' END
  FROM removal_calls WHERE (while_removed AND kind IN ('CHARGE', 'HOLD', 'CHAT') AND NOT (status = 403 AND type = 'not-a-team-member'))
    OR (status = 403 AND NOT maybe_removed)
UNION ALL
SELECT 'webhook received ' || r.received_at || ': ' || COALESCE(r.event_id, '-') || ' (' || COALESCE(r.type, '-') || ' of '
       || COALESCE(r.user_id, '-') || ', signature ' || CASE WHEN r.signature_ok THEN 'ok' ELSE 'WRONG' END || '); the database: '
       || COALESCE(ev.type || ' of ' || ev.user_id, 'no such event')
  FROM webhook_receipts r LEFT JOIN webhook_event ev ON ev.id = r.event_id
 WHERE ev.id IS NULL OR ev.type IS DISTINCT FROM r.type OR ev.user_id IS DISTINCT FROM r.user_id OR r.signature_ok IS NOT TRUE
LIMIT 50;

-- Calls whose cost exceeded what could be charged (not violations: the shortfall is recorded), with
-- what caused it: a provider that billed more output than the budget it was sent, or a usage row
-- with more output than that budget (a count of the app's own, when the provider reported none).
SELECT 'shortfall of ' || tag || ' (' || user_id || ', ' || model || ', ' || COALESCE(shape, '?') || '): '
       || shortfall || ' of cost ' || cost || ' millicredits (hold ' || COALESCE(held::text, '-') || ', billed ' || owed
       || '); budget sent ' || COALESCE(budget::text, 'none') || ', provider billed completion ' || completion_tokens
       || ' (usage ' || CASE WHEN reported THEN 'reported' ELSE 'not reported' END || '), usage row output '
       || usage_output_tokens || CASE WHEN estimated THEN ' (estimated)' ELSE '' END
       || CASE WHEN completion_tokens > budget THEN ': the provider overran the budget'
               WHEN usage_output_tokens > budget THEN ': the usage row counts more output than the budget sent'
               ELSE '' END AS "calls with a shortfall"
  FROM reconciliation WHERE shortfall > 0 ORDER BY tag LIMIT 50;

\pset tuples_only on
\pset format unaligned
SELECT 'VIOLATIONS ' || SUM(violations) FROM results;
SELECT 'PATHS NOT TAKEN ' || COUNT(*) FILTER (WHERE required AND taken < :min_path) FROM coverage;
