-- Credits bought through Stripe Checkout. A purchase is created pending, under the user's
-- idempotency key; Stripe's signed webhooks then say what happened to its payment. Every effect on
-- the balance is a ledger entry: PURCHASE grants the pack's credits to the purchased bucket (once
-- per purchase, under a derived key) or gives clawed-back credits back after a dispute is won;
-- CLAWBACK takes the refunded or disputed share back from the purchased bucket, never below zero.
-- What could not be taken back (the credits were spent) is recorded on the purchase as unrecovered.
ALTER TABLE credit_audit_log DROP CONSTRAINT credit_audit_log_operation_check;
ALTER TABLE credit_audit_log ADD CONSTRAINT credit_audit_log_operation_check CHECK (operation IN
    ('GRANT', 'CHARGE', 'HOLD', 'SETTLE', 'RELEASE', 'EXPIRE', 'REFUND', 'ADJUST', 'REFRESH', 'LAPSE',
     'PURCHASE', 'CLAWBACK', 'PRICE_CHANGE', 'JOB_RUN', 'REFUND_REQUEST'));
-- An admin's request to Stripe for a purchase's refund is an admin action like a price change: no
-- account, no balances; the claw-back follows when Stripe reports the refund.
ALTER TABLE credit_audit_log DROP CONSTRAINT credit_audit_log_balance_change_or_admin_action;
ALTER TABLE credit_audit_log ADD CONSTRAINT credit_audit_log_balance_change_or_admin_action CHECK (
    CASE WHEN operation IN ('PRICE_CHANGE', 'JOB_RUN', 'REFUND_REQUEST')
        THEN user_id IS NULL AND monthly_delta = 0 AND purchased_delta = 0 AND reserved_delta = 0
             AND monthly_after IS NULL AND purchased_after IS NULL AND reserved_after IS NULL
             AND idempotency_key IS NULL AND COALESCE(jsonb_typeof(metadata -> 'reason') = 'string', false)
        ELSE user_id IS NOT NULL AND monthly_after IS NOT NULL AND purchased_after IS NOT NULL
             AND reserved_after IS NOT NULL
    END);

CREATE TABLE credit_purchase (
    id                        uuid         PRIMARY KEY,
    user_id                   varchar(255) NOT NULL REFERENCES credit_account (user_id),
    pack_id                   varchar(64)  NOT NULL,
    credits_millicredits      bigint       NOT NULL CHECK (credits_millicredits > 0),
    amount_minor              bigint       NOT NULL CHECK (amount_minor > 0),
    currency                  varchar(3)   NOT NULL,
    status                    varchar(24)  NOT NULL CHECK (status IN
        ('pending', 'paid', 'expired', 'refunded', 'partially_refunded', 'disputed')),
    idempotency_key           varchar(255) NOT NULL,
    request_hash              varchar(64)  NOT NULL,
    checkout_session_id       varchar(255) UNIQUE,
    checkout_url              text,
    payment_intent_id         varchar(255) UNIQUE,
    paid                      boolean      NOT NULL DEFAULT false,
    paid_amount_minor         bigint,
    paid_currency             varchar(3),
    -- Set when a payment does not match the pack: nothing is granted, an admin looks at it.
    flagged_reason            text,
    granted_millicredits      bigint       NOT NULL DEFAULT 0,
    clawed_back_millicredits  bigint       NOT NULL DEFAULT 0,
    unrecovered_millicredits  bigint       NOT NULL DEFAULT 0,
    -- Counts the purchase's ledger entries after the grant: each takes a derived key of its own.
    ledger_steps              integer      NOT NULL DEFAULT 0 CHECK (ledger_steps >= 0),
    created_at                timestamptz  NOT NULL,
    updated_at                timestamptz  NOT NULL,
    CONSTRAINT credit_purchase_granted_is_all_or_nothing
        CHECK (granted_millicredits IN (0, credits_millicredits)),
    CONSTRAINT credit_purchase_taken_back_within_granted CHECK (clawed_back_millicredits >= 0
        AND unrecovered_millicredits >= 0
        AND clawed_back_millicredits + unrecovered_millicredits <= granted_millicredits)
);
CREATE UNIQUE INDEX credit_purchase_idempotency_key ON credit_purchase (user_id, idempotency_key);
CREATE INDEX credit_purchase_by_user_time ON credit_purchase (user_id, created_at DESC, id DESC);

-- What Stripe said of a payment, by its PaymentIntent: the refunded amount (cumulative, as Stripe
-- reports it) and the state of a dispute. Kept apart from the purchase so that a refund or a
-- dispute that arrives before the payment's completion is not lost: the completion finds it here.
CREATE TABLE stripe_payment (
    payment_intent_id         varchar(255) PRIMARY KEY,
    charge_id                 varchar(255),
    amount_minor              bigint       CHECK (amount_minor > 0),
    refunded_minor            bigint       NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
    dispute_id                varchar(255),
    dispute_status            varchar(32),
    updated_at                timestamptz  NOT NULL
);
