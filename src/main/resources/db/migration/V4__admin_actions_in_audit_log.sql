-- Every admin action shows up in the audit log with who, when and why, including the ones that move
-- no credits: a price change and a job run on demand. Such a row belongs to no account and carries
-- no balances (NULL, not a made-up zero); its deltas are zero, so the sum of an account's rows is
-- still its balance. The reason is in metadata.reason, as for adjustments.
ALTER TABLE credit_audit_log DROP CONSTRAINT credit_audit_log_operation_check;
ALTER TABLE credit_audit_log ADD CONSTRAINT credit_audit_log_operation_check CHECK (operation IN
    ('GRANT', 'CHARGE', 'HOLD', 'SETTLE', 'RELEASE', 'EXPIRE', 'REFUND', 'ADJUST', 'REFRESH',
     'PRICE_CHANGE', 'JOB_RUN'));

ALTER TABLE credit_audit_log
    ALTER COLUMN user_id DROP NOT NULL,
    ALTER COLUMN monthly_after DROP NOT NULL,
    ALTER COLUMN purchased_after DROP NOT NULL,
    ALTER COLUMN reserved_after DROP NOT NULL;

ALTER TABLE credit_audit_log ADD CONSTRAINT credit_audit_log_balance_change_or_admin_action CHECK (
    CASE WHEN operation IN ('PRICE_CHANGE', 'JOB_RUN')
        THEN user_id IS NULL AND monthly_delta = 0 AND purchased_delta = 0 AND reserved_delta = 0
             AND monthly_after IS NULL AND purchased_after IS NULL AND reserved_after IS NULL
             AND idempotency_key IS NULL AND COALESCE(jsonb_typeof(metadata -> 'reason') = 'string', false)
        ELSE user_id IS NOT NULL AND monthly_after IS NOT NULL AND purchased_after IS NOT NULL
             AND reserved_after IS NOT NULL
    END);

-- The admin audit page filters by operation over a time range.
CREATE INDEX credit_audit_log_admin_actions ON credit_audit_log (created_at) WHERE user_id IS NULL;
