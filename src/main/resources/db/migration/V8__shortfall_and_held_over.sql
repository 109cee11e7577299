-- A settle above its hold charges what the account can cover; the rest, the shortfall, is now
-- recorded with the call (and in the SETTLE entry's metadata) instead of being dropped silently.
ALTER TABLE token_usage ADD COLUMN shortfall_millicredits bigint NOT NULL DEFAULT 0;
ALTER TABLE token_usage ADD CONSTRAINT token_usage_shortfall_within_cost
    CHECK (shortfall_millicredits >= 0 AND shortfall_millicredits <= cost_millicredits);
ALTER TABLE token_usage_archive ADD COLUMN shortfall_millicredits bigint NOT NULL DEFAULT 0;
ALTER TABLE token_usage_archive ADD CONSTRAINT token_usage_archive_shortfall_within_cost
    CHECK (shortfall_millicredits >= 0 AND shortfall_millicredits <= cost_millicredits);

-- Held over: the part of the monthly bucket that is credits of an earlier period, kept at a refresh
-- only because live holds still need them (the refresh replaces the monthly bucket, but holds placed
-- before it must stay covered). A settle spends them first; once the holds they back are resolved,
-- the rest lapses as a LAPSE entry, so that no one keeps last period's credits by holding them
-- across the refresh.
ALTER TABLE credit_account ADD COLUMN held_over_millicredits bigint NOT NULL DEFAULT 0;
ALTER TABLE credit_account ADD CONSTRAINT credit_account_held_over_within_monthly
    CHECK (held_over_millicredits >= 0 AND held_over_millicredits <= monthly_millicredits);

ALTER TABLE credit_audit_log DROP CONSTRAINT credit_audit_log_operation_check;
ALTER TABLE credit_audit_log ADD CONSTRAINT credit_audit_log_operation_check CHECK (operation IN
    ('GRANT', 'CHARGE', 'HOLD', 'SETTLE', 'RELEASE', 'EXPIRE', 'REFUND', 'ADJUST', 'REFRESH', 'LAPSE',
     'PRICE_CHANGE', 'JOB_RUN'));
