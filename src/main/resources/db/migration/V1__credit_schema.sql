-- Tollgate credit schema. Amounts are bigint millicredits (1 credit = 1,000 millicredits);
-- prices are exact decimals of credits per 1M tokens. The constraints below restate, in the
-- database, the invariants the ledger code asserts: no bucket below zero, available never
-- below zero, token totals equal to the sum of their parts, one idempotency key per account.

-- One row per user. available = monthly + purchased - reserved.
CREATE TABLE credit_account (
    user_id                 varchar(255) PRIMARY KEY,
    plan                    varchar(64)  NOT NULL,
    monthly_millicredits    bigint       NOT NULL CHECK (monthly_millicredits >= 0),
    purchased_millicredits  bigint       NOT NULL CHECK (purchased_millicredits >= 0),
    reserved_millicredits   bigint       NOT NULL CHECK (reserved_millicredits >= 0),
    period_start            timestamptz  NOT NULL,
    created_at              timestamptz  NOT NULL,
    updated_at              timestamptz  NOT NULL,
    CONSTRAINT credit_account_available_not_negative
        CHECK (monthly_millicredits + purchased_millicredits - reserved_millicredits >= 0)
);

-- Prices with the time they take effect from; a new price is a new row, old rows stay.
CREATE TABLE model_pricing (
    id                                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model                              varchar(128)   NOT NULL,
    input_credits_per_million          numeric(20, 6) NOT NULL CHECK (input_credits_per_million > 0),
    cached_input_credits_per_million   numeric(20, 6) NOT NULL CHECK (cached_input_credits_per_million >= 0),
    cache_write_credits_per_million    numeric(20, 6) NOT NULL CHECK (cache_write_credits_per_million >= 0),
    output_credits_per_million         numeric(20, 6) NOT NULL CHECK (output_credits_per_million > 0),
    -- NULL: reasoning tokens are billed at the output price.
    reasoning_credits_per_million      numeric(20, 6) CHECK (reasoning_credits_per_million >= 0),
    effective_from                     timestamptz    NOT NULL,
    created_at                         timestamptz    NOT NULL DEFAULT now(),
    CONSTRAINT model_pricing_model_effective_from_key UNIQUE (model, effective_from)
);

-- Holds: credits set aside for a call in flight. A hold resolves at most once.
CREATE TABLE credit_reservation (
    id                       uuid         PRIMARY KEY,
    user_id                  varchar(255) NOT NULL REFERENCES credit_account (user_id),
    status                   varchar(16)  NOT NULL CHECK (status IN ('HELD', 'SETTLED', 'RELEASED', 'EXPIRED')),
    amount_millicredits      bigint       NOT NULL CHECK (amount_millicredits > 0),
    settled_millicredits     bigint       CHECK (settled_millicredits >= 0),
    model                    varchar(128) NOT NULL,
    idempotency_key          varchar(255) NOT NULL,
    request_hash             varchar(64)  NOT NULL,
    expires_at               timestamptz  NOT NULL,
    created_at               timestamptz  NOT NULL,
    resolved_at              timestamptz,
    CONSTRAINT credit_reservation_resolution CHECK ((status = 'HELD') = (resolved_at IS NULL)),
    CONSTRAINT credit_reservation_settled_amount CHECK ((status = 'SETTLED') = (settled_millicredits IS NOT NULL)),
    CONSTRAINT credit_reservation_idempotency_key UNIQUE (user_id, idempotency_key)
);
CREATE INDEX credit_reservation_live_by_expiry ON credit_reservation (expires_at) WHERE status = 'HELD';

-- One row per metered call, with the usage normalized into the pricing buckets. It is written in
-- the transaction that charges it, just before the charge, which opens the account of a new user:
-- hence no foreign key to credit_account here.
CREATE TABLE token_usage (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id                varchar(255) NOT NULL,
    request_id             varchar(255) NOT NULL,
    model                  varchar(128) NOT NULL,
    character_id           varchar(128),
    conversation_id        varchar(128),
    input_tokens           bigint       NOT NULL CHECK (input_tokens >= 0),
    cached_input_tokens    bigint       NOT NULL CHECK (cached_input_tokens >= 0),
    cache_write_tokens     bigint       NOT NULL CHECK (cache_write_tokens >= 0),
    output_tokens          bigint       NOT NULL CHECK (output_tokens >= 0),
    reasoning_tokens       bigint       NOT NULL CHECK (reasoning_tokens >= 0),
    total_tokens           bigint       NOT NULL,
    cost_millicredits      bigint       NOT NULL CHECK (cost_millicredits >= 0),
    estimated              boolean      NOT NULL,
    pricing_id             bigint       NOT NULL REFERENCES model_pricing (id),
    reservation_id         uuid,
    created_at             timestamptz  NOT NULL,
    CONSTRAINT token_usage_total_is_sum_of_parts CHECK (total_tokens =
        input_tokens + cached_input_tokens + cache_write_tokens + output_tokens + reasoning_tokens),
    CONSTRAINT token_usage_request_id_key UNIQUE (user_id, request_id)
);
CREATE INDEX token_usage_by_user_time ON token_usage (user_id, created_at DESC, id DESC);
CREATE INDEX token_usage_by_time ON token_usage (created_at);

-- Same shape as token_usage, for rows past the retention.
CREATE TABLE token_usage_archive (
    id                     bigint       PRIMARY KEY,
    user_id                varchar(255) NOT NULL,
    request_id             varchar(255) NOT NULL,
    model                  varchar(128) NOT NULL,
    character_id           varchar(128),
    conversation_id        varchar(128),
    input_tokens           bigint       NOT NULL CHECK (input_tokens >= 0),
    cached_input_tokens    bigint       NOT NULL CHECK (cached_input_tokens >= 0),
    cache_write_tokens     bigint       NOT NULL CHECK (cache_write_tokens >= 0),
    output_tokens          bigint       NOT NULL CHECK (output_tokens >= 0),
    reasoning_tokens       bigint       NOT NULL CHECK (reasoning_tokens >= 0),
    total_tokens           bigint       NOT NULL,
    cost_millicredits      bigint       NOT NULL CHECK (cost_millicredits >= 0),
    estimated              boolean      NOT NULL,
    pricing_id             bigint       NOT NULL,
    reservation_id         uuid,
    created_at             timestamptz  NOT NULL,
    archived_at            timestamptz  NOT NULL,
    CONSTRAINT token_usage_archive_total_is_sum_of_parts CHECK (total_tokens =
        input_tokens + cached_input_tokens + cache_write_tokens + output_tokens + reasoning_tokens),
    CONSTRAINT token_usage_archive_request_id_key UNIQUE (user_id, request_id)
);
CREATE INDEX token_usage_archive_by_user_time ON token_usage_archive (user_id, created_at DESC, id DESC);

-- The append-only ledger: exactly one row per balance change, with the balances after it.
-- For every account: sum(delta) per bucket = the account's bucket.
CREATE TABLE credit_audit_log (
    id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id                   varchar(255) NOT NULL REFERENCES credit_account (user_id),
    operation                 varchar(16)  NOT NULL CHECK (operation IN
        ('GRANT', 'CHARGE', 'HOLD', 'SETTLE', 'RELEASE', 'EXPIRE', 'REFUND', 'ADJUST', 'REFRESH')),
    monthly_delta             bigint       NOT NULL,
    purchased_delta           bigint       NOT NULL,
    reserved_delta            bigint       NOT NULL,
    monthly_after             bigint       NOT NULL CHECK (monthly_after >= 0),
    purchased_after           bigint       NOT NULL CHECK (purchased_after >= 0),
    reserved_after            bigint       NOT NULL CHECK (reserved_after >= 0),
    idempotency_key           varchar(255),
    request_hash              varchar(64),
    usage_id                  bigint,
    reservation_id            uuid,
    actor                     varchar(255) NOT NULL,
    client_ip                 varchar(64),
    user_agent                varchar(512),
    metadata                  jsonb,
    created_at                timestamptz  NOT NULL,
    CONSTRAINT credit_audit_log_available_after_not_negative
        CHECK (monthly_after + purchased_after - reserved_after >= 0),
    CONSTRAINT credit_audit_log_key_has_hash CHECK ((idempotency_key IS NULL) = (request_hash IS NULL))
);
CREATE UNIQUE INDEX credit_audit_log_idempotency_key ON credit_audit_log (user_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX credit_audit_log_by_user_time ON credit_audit_log (user_id, created_at, id);
CREATE INDEX credit_audit_log_by_time ON credit_audit_log (created_at);

-- A correction is a new entry, never an edit: the ledger refuses UPDATE and DELETE.
CREATE FUNCTION credit_audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'credit_audit_log is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER credit_audit_log_append_only
    BEFORE UPDATE OR DELETE ON credit_audit_log
    FOR EACH ROW EXECUTE FUNCTION credit_audit_log_is_append_only();

-- Durable to-do corrections: a credit movement that could not be applied in line.
CREATE TABLE credit_compensation (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id                 varchar(255) NOT NULL,
    kind                    varchar(16)  NOT NULL CHECK (kind IN ('CHARGE', 'REFUND')),
    amount_millicredits     bigint       NOT NULL CHECK (amount_millicredits > 0),
    status                  varchar(16)  NOT NULL CHECK (status IN ('PENDING', 'APPLIED', 'FAILED')),
    attempts                integer      NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error              text,
    next_attempt_at         timestamptz  NOT NULL,
    idempotency_key         varchar(255) NOT NULL,
    usage_id                bigint,
    reservation_id          uuid,
    reason                  varchar(512) NOT NULL,
    created_at              timestamptz  NOT NULL,
    updated_at              timestamptz  NOT NULL,
    CONSTRAINT credit_compensation_idempotency_key UNIQUE (user_id, idempotency_key),
    CONSTRAINT credit_compensation_failed_has_error CHECK (status <> 'FAILED' OR last_error IS NOT NULL)
);
CREATE INDEX credit_compensation_due ON credit_compensation (next_attempt_at) WHERE status = 'PENDING';

-- One row per user per period: a refresh is applied once.
CREATE TABLE credit_refresh_history (
    id                         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id                    varchar(255) NOT NULL REFERENCES credit_account (user_id),
    period_start               timestamptz  NOT NULL,
    plan                       varchar(64)  NOT NULL,
    granted_millicredits       bigint       NOT NULL CHECK (granted_millicredits >= 0),
    previous_monthly_millicredits bigint    NOT NULL CHECK (previous_monthly_millicredits >= 0),
    created_at                 timestamptz  NOT NULL,
    CONSTRAINT credit_refresh_history_once_per_period UNIQUE (user_id, period_start)
);
