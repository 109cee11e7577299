-- Outbound webhooks (package webhook): the endpoints an admin registers, the events features publish
-- in the transaction of the change that causes them (the outbox), and one delivery per event and
-- endpoint that the sender works off. Every state of a delivery is in these rows: an instance that
-- dies mid-send leaves a claim that runs out, and another instance sends the delivery again.
CREATE TABLE webhook_endpoint (
    id           uuid          PRIMARY KEY,
    url          varchar(2048) NOT NULL,
    -- Standard Webhooks secret: whsec_ and the base64 of 24 to 64 random bytes; the HMAC key.
    secret       varchar(128)  NOT NULL CHECK (secret LIKE 'whsec\_%'),
    -- The event types delivered to it; empty: every type.
    event_types  text[]        NOT NULL DEFAULT '{}',
    enabled      boolean       NOT NULL,
    description  varchar(255),
    created_at   timestamptz   NOT NULL,
    updated_at   timestamptz   NOT NULL
);

CREATE TABLE webhook_event (
    -- msg_ and a unique id: the webhook-id header of every attempt, retry and replay.
    id          varchar(64)  PRIMARY KEY CHECK (id LIKE 'msg\_%'),
    type        varchar(64)  NOT NULL,
    user_id     varchar(255) NOT NULL,
    created_at  timestamptz  NOT NULL,
    -- The body as sent, byte for byte the same on every attempt: {"type","timestamp","data"}.
    payload     text         NOT NULL
);
CREATE INDEX webhook_event_created ON webhook_event (created_at);

CREATE TABLE webhook_delivery (
    id               bigint       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id         varchar(64)  NOT NULL REFERENCES webhook_event (id),
    endpoint_id      uuid         NOT NULL REFERENCES webhook_endpoint (id) ON DELETE CASCADE,
    -- The event's account: deliveries of one account to one endpoint go out in id order.
    user_id          varchar(255) NOT NULL,
    status           varchar(16)  NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts         integer      NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  timestamptz  NOT NULL,
    -- Set while a sender has it in flight; a claim that runs out (the sender died) is taken again.
    claimed_until    timestamptz,
    last_status_code integer,
    last_error       varchar(500),
    delivered_at     timestamptz,
    created_at       timestamptz  NOT NULL,
    UNIQUE (event_id, endpoint_id),
    CHECK ((status = 'delivered') = (delivered_at IS NOT NULL)),
    CHECK (status = 'pending' OR claimed_until IS NULL)
);
-- What the sender claims from: the pending deliveries, by endpoint and account in order.
CREATE INDEX webhook_delivery_pending ON webhook_delivery (endpoint_id, user_id, id) WHERE status = 'pending';
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_delivery_of_endpoint ON webhook_delivery (endpoint_id, id);

-- Admin calls that change endpoints or replay deliveries, under their Idempotency-Key: a retry
-- is answered from here, the key with another request is a conflict.
CREATE TABLE webhook_admin_request (
    admin_id        varchar(255) NOT NULL,
    idempotency_key varchar(255) NOT NULL,
    request_hash    varchar(64)  NOT NULL,
    answer          text         NOT NULL,
    created_at      timestamptz  NOT NULL,
    PRIMARY KEY (admin_id, idempotency_key)
);
