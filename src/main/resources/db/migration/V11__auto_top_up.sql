-- Auto top-up: when a balance change takes the available balance below the user's threshold, a
-- purchase of the chosen pack is queued in the same transaction (the trigger below), at most one in
-- flight per account; the job process-top-ups charges it off-session to the card the user saved with
-- an earlier purchase, and Stripe's payment_intent.succeeded grants it like any purchase.
ALTER TABLE credit_purchase
    ADD COLUMN origin              varchar(16) NOT NULL DEFAULT 'checkout' CHECK (origin IN ('checkout', 'auto_top_up')),
    -- Why an auto top-up's payment failed (Stripe's message); the purchase is then 'failed'.
    ADD COLUMN failure             text,
    -- When the job last asked Stripe to charge it: another run leaves it alone for a while.
    ADD COLUMN charge_attempted_at timestamptz;
ALTER TABLE credit_purchase DROP CONSTRAINT credit_purchase_status_check;
ALTER TABLE credit_purchase ADD CONSTRAINT credit_purchase_status_check CHECK (status IN
    ('pending', 'paid', 'expired', 'failed', 'refunded', 'partially_refunded', 'disputed'));
CREATE UNIQUE INDEX credit_purchase_one_top_up_in_flight ON credit_purchase (user_id)
    WHERE origin = 'auto_top_up' AND status = 'pending';
CREATE INDEX credit_purchase_top_ups_due ON credit_purchase (created_at)
    WHERE origin = 'auto_top_up' AND status = 'pending';

CREATE TABLE credit_auto_top_up (
    user_id                   varchar(255) PRIMARY KEY REFERENCES credit_account (user_id),
    enabled                   boolean      NOT NULL,
    threshold_millicredits    bigint       NOT NULL CHECK (threshold_millicredits > 0),
    pack_id                   varchar(64)  NOT NULL,
    -- The pack as it was when the user chose it: what a top-up buys, and for how much.
    credits_millicredits      bigint       NOT NULL CHECK (credits_millicredits > 0),
    amount_minor              bigint       NOT NULL CHECK (amount_minor > 0),
    currency                  varchar(3)   NOT NULL,
    stripe_customer_id        varchar(255),
    -- Saved by a purchase made with auto top-up on; none: nothing to charge, nothing is queued.
    payment_method_id         varchar(255),
    consecutive_failures      integer      NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    -- Set when auto top-up switched itself off (after 3 failed payments in a row).
    disabled_reason           text,
    updated_at                timestamptz  NOT NULL
);

-- The threshold of an armed rule (on, with a saved card), copied to the account by the trigger
-- below, so that the trigger that queues a top-up is decided by its WHEN clause on the row the
-- ledger just updated, without reading another table: an account without auto top-up pays nothing
-- for it on any balance change.
ALTER TABLE credit_account ADD COLUMN auto_top_up_below bigint CHECK (auto_top_up_below > 0);

CREATE FUNCTION arm_auto_top_up() RETURNS trigger AS $$
DECLARE
    below bigint := CASE WHEN NEW.enabled AND NEW.payment_method_id IS NOT NULL THEN NEW.threshold_millicredits END;
BEGIN
    UPDATE credit_account SET auto_top_up_below = below
     WHERE user_id = NEW.user_id AND auto_top_up_below IS DISTINCT FROM below;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER credit_auto_top_up_arms_account AFTER INSERT OR UPDATE ON credit_auto_top_up FOR EACH ROW
    EXECUTE FUNCTION arm_auto_top_up();

CREATE FUNCTION queue_auto_top_up() RETURNS trigger AS $$
DECLARE
    rule credit_auto_top_up%ROWTYPE;
    id   uuid;
BEGIN
    SELECT * INTO rule FROM credit_auto_top_up WHERE user_id = NEW.user_id;
    id := gen_random_uuid();
    INSERT INTO credit_purchase (id, user_id, pack_id, credits_millicredits, amount_minor, currency, status,
           origin, idempotency_key, request_hash, created_at, updated_at)
    VALUES (id, NEW.user_id, rule.pack_id, rule.credits_millicredits, rule.amount_minor, rule.currency,
           'pending', 'auto_top_up', 'tollgate:top-up:' || id, encode(sha256(convert_to(id::text, 'UTF8')), 'hex'),
           NEW.updated_at, NEW.updated_at)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- Only an armed account whose change lowers the available balance below its threshold.
CREATE TRIGGER credit_account_queues_auto_top_up AFTER UPDATE ON credit_account FOR EACH ROW
    WHEN (NEW.auto_top_up_below IS NOT NULL
          AND NEW.monthly_millicredits + NEW.purchased_millicredits - NEW.reserved_millicredits < NEW.auto_top_up_below
          AND NEW.monthly_millicredits + NEW.purchased_millicredits - NEW.reserved_millicredits
              < OLD.monthly_millicredits + OLD.purchased_millicredits - OLD.reserved_millicredits)
    EXECUTE FUNCTION queue_auto_top_up();
