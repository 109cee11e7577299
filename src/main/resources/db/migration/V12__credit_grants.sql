-- Granted credits: a third spendable bucket, made of lots, each with an expiry and a priority
-- (welcome credits, a plan's sign-up bonus, an admin's goodwill). Spending burns the monthly bucket
-- first, then the granted one (lots by priority, then soonest expiry), then the purchased one. A
-- lot's unspent remainder is removed at its expiry by a GRANT_EXPIRY entry of its own.
--
-- The invariants, restated for lots: for every account, the sum of the lots' remainders = the
-- granted bucket = the sum of its entries' granted deltas; and a lot's remainder = what it was
-- granted plus the sum of its movements.

ALTER TABLE credit_account ADD COLUMN granted_millicredits bigint NOT NULL DEFAULT 0
    CHECK (granted_millicredits >= 0);
-- No later than the earliest expiry of a lot with a remainder (NULL: no such lot). Spending is
-- refused once it has passed, until the due lots are expired: expired credits are never spent. It
-- may be earlier than needed (a lot spent to zero); the next expiry pass recomputes it.
ALTER TABLE credit_account ADD COLUMN grants_expire_at timestamptz;
ALTER TABLE credit_account DROP CONSTRAINT credit_account_available_not_negative;
ALTER TABLE credit_account ADD CONSTRAINT credit_account_available_not_negative
    CHECK (monthly_millicredits + granted_millicredits + purchased_millicredits - reserved_millicredits >= 0);

-- Rows written before this bucket existed gain zero, as do rows written by statements that do not
-- name it; admin actions write NULL balances.
ALTER TABLE credit_audit_log ADD COLUMN granted_delta bigint NOT NULL DEFAULT 0;
ALTER TABLE credit_audit_log ADD COLUMN granted_after bigint DEFAULT 0 CHECK (granted_after >= 0);
ALTER TABLE credit_audit_log DROP CONSTRAINT credit_audit_log_available_after_not_negative;
ALTER TABLE credit_audit_log ADD CONSTRAINT credit_audit_log_available_after_not_negative
    CHECK (monthly_after + granted_after + purchased_after - reserved_after >= 0);
ALTER TABLE credit_audit_log DROP CONSTRAINT credit_audit_log_operation_check;
ALTER TABLE credit_audit_log ADD CONSTRAINT credit_audit_log_operation_check CHECK (operation IN
    ('GRANT', 'CHARGE', 'HOLD', 'SETTLE', 'RELEASE', 'EXPIRE', 'REFUND', 'ADJUST', 'REFRESH', 'LAPSE',
     'PURCHASE', 'CLAWBACK', 'GRANT_EXPIRY', 'PRICE_CHANGE', 'JOB_RUN', 'REFUND_REQUEST'));
ALTER TABLE credit_audit_log DROP CONSTRAINT credit_audit_log_balance_change_or_admin_action;
ALTER TABLE credit_audit_log ADD CONSTRAINT credit_audit_log_balance_change_or_admin_action CHECK (
    CASE WHEN operation IN ('PRICE_CHANGE', 'JOB_RUN', 'REFUND_REQUEST')
        THEN user_id IS NULL AND monthly_delta = 0 AND purchased_delta = 0 AND reserved_delta = 0
             AND granted_delta = 0 AND monthly_after IS NULL AND purchased_after IS NULL
             AND reserved_after IS NULL AND idempotency_key IS NULL
             AND COALESCE(jsonb_typeof(metadata -> 'reason') = 'string', false)
        ELSE user_id IS NOT NULL AND monthly_after IS NOT NULL AND purchased_after IS NOT NULL
             AND reserved_after IS NOT NULL AND granted_after IS NOT NULL
    END);

CREATE TABLE credit_grant_lot (
    id               uuid         PRIMARY KEY,
    user_id          varchar(255) NOT NULL REFERENCES credit_account (user_id),
    -- A smaller number is spent first; among equals, the lot that expires first.
    priority         integer      NOT NULL CHECK (priority BETWEEN 0 AND 1000),
    granted          bigint       NOT NULL CHECK (granted > 0),
    remaining        bigint       NOT NULL CHECK (remaining >= 0 AND remaining <= granted),
    expires_at       timestamptz  NOT NULL,
    -- Who granted it: an admin's subject, or the plan whose sign-up bonus it is.
    source           varchar(255) NOT NULL,
    reason           text         NOT NULL,
    -- The GRANT entry that created it.
    entry_id         bigint       NOT NULL UNIQUE REFERENCES credit_audit_log (id),
    granted_at       timestamptz  NOT NULL,
    -- When its expiry removed the remainder (NULL: not yet expired).
    expired_at       timestamptz,
    -- When the chat app was told it expires soon (grant.expiring), at most once.
    expiring_notified_at timestamptz,
    CHECK (expires_at > granted_at)
);
CREATE INDEX credit_grant_lot_spendable ON credit_grant_lot (user_id) WHERE remaining > 0;
CREATE INDEX credit_grant_lot_due ON credit_grant_lot (expires_at) WHERE remaining > 0;
CREATE INDEX credit_grant_lot_by_user ON credit_grant_lot (user_id, granted_at);

-- Which lots an entry took credits from (negative) or gave them back to (positive). A refund's
-- share of a lot that has expired by then does not come back: it is recorded as forfeited, with no
-- effect on the lot.
CREATE TABLE credit_grant_movement (
    entry_id    bigint  NOT NULL REFERENCES credit_audit_log (id),
    lot_id      uuid    NOT NULL REFERENCES credit_grant_lot (id),
    delta       bigint  NOT NULL CHECK (delta <> 0),
    forfeited   boolean NOT NULL DEFAULT false CHECK (NOT forfeited OR delta > 0),
    PRIMARY KEY (entry_id, lot_id)
);
CREATE INDEX credit_grant_movement_by_lot ON credit_grant_movement (lot_id);

-- Auto top-up counts the granted bucket as available.
DROP TRIGGER credit_account_queues_auto_top_up ON credit_account;
CREATE TRIGGER credit_account_queues_auto_top_up AFTER UPDATE ON credit_account FOR EACH ROW
    WHEN (NEW.auto_top_up_below IS NOT NULL
          AND NEW.monthly_millicredits + NEW.granted_millicredits + NEW.purchased_millicredits
              - NEW.reserved_millicredits < NEW.auto_top_up_below
          AND NEW.monthly_millicredits + NEW.granted_millicredits + NEW.purchased_millicredits
              - NEW.reserved_millicredits
              < OLD.monthly_millicredits + OLD.granted_millicredits + OLD.purchased_millicredits
              - OLD.reserved_millicredits)
    EXECUTE FUNCTION queue_auto_top_up();
