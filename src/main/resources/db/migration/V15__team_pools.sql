-- Team pools. A team's credits are an account of their own (credit_account.user_id
-- 'team:<team id>'), with the same buckets, ledger and invariants as a user's. Its members spend
-- from it, each within an optional monthly cap that is checked in the transaction of the charge or
-- hold, after the pool's own statement: every transaction locks the pool's row before a member's.
CREATE TABLE team (
    id              uuid         PRIMARY KEY,
    account_id      varchar(255) NOT NULL UNIQUE REFERENCES credit_account (user_id),
    name            varchar(200) NOT NULL CHECK (length(btrim(name)) > 0),
    -- Holders of a token whose membership claim has this value are members of the team.
    claim_value     varchar(255) UNIQUE,
    created_by      varchar(255) NOT NULL,
    -- The creator's idempotency key and the fingerprint of the request: a retry answers this team.
    creation_key    varchar(255) NOT NULL,
    request_hash    varchar(64)  NOT NULL,
    created_at      timestamptz  NOT NULL,
    deleted_at      timestamptz,
    CONSTRAINT team_account_is_the_teams CHECK (account_id = 'team:' || id::text),
    CONSTRAINT team_creation_key UNIQUE (created_by, creation_key)
);

-- A member's spending in the pool's current period: what their settled calls and charges cost
-- (spent) and what their live holds set aside (held). A cap bounds spent + held. A member's row
-- outlives their removal (removed_at) so that a call they started can still settle against it.
CREATE TABLE team_member (
    account_id          varchar(255) NOT NULL REFERENCES team (account_id),
    user_id             varchar(255) NOT NULL,
    role                varchar(16)  NOT NULL CHECK (role IN ('owner', 'manager', 'member')),
    cap_millicredits    bigint       CHECK (cap_millicredits >= 0),
    spent_millicredits  bigint       NOT NULL DEFAULT 0 CHECK (spent_millicredits >= 0),
    held_millicredits   bigint       NOT NULL DEFAULT 0 CHECK (held_millicredits >= 0),
    -- The pool's period that spent belongs to; a later period starts from zero.
    period_start        timestamptz  NOT NULL,
    -- Whether the membership comes from the token's claim rather than from an owner or manager.
    from_claim          boolean      NOT NULL DEFAULT false,
    joined_at           timestamptz  NOT NULL,
    removed_at          timestamptz,
    PRIMARY KEY (account_id, user_id)
);
CREATE INDEX team_member_by_user ON team_member (user_id) WHERE removed_at IS NULL;

-- Who of a pool's members placed a hold or made a call; NULL on a user's own account.
ALTER TABLE credit_reservation ADD COLUMN member_id varchar(255);
ALTER TABLE token_usage ADD COLUMN member_id varchar(255);
ALTER TABLE token_usage_archive ADD COLUMN member_id varchar(255);
CREATE INDEX token_usage_by_member_time ON token_usage (user_id, member_id, created_at) WHERE member_id IS NOT NULL;

-- Credits moved between two accounts (a deleted team's purchased credits back to its owner): one
-- TRANSFER entry on each side, the two sharing the transfer's id in their metadata.
ALTER TABLE credit_audit_log DROP CONSTRAINT credit_audit_log_operation_check;
ALTER TABLE credit_audit_log ADD CONSTRAINT credit_audit_log_operation_check CHECK (operation IN
    ('GRANT', 'CHARGE', 'HOLD', 'SETTLE', 'RELEASE', 'EXPIRE', 'REFUND', 'ADJUST', 'REFRESH', 'LAPSE',
     'PURCHASE', 'CLAWBACK', 'GRANT_EXPIRY', 'TRANSFER', 'PRICE_CHANGE', 'JOB_RUN', 'REFUND_REQUEST',
     'TEAM_CHANGE'));
-- An admin's change of a team they do not own (members, roles, caps, deletion) is an admin action
-- with a reason, like a price change.
ALTER TABLE credit_audit_log DROP CONSTRAINT credit_audit_log_balance_change_or_admin_action;
ALTER TABLE credit_audit_log ADD CONSTRAINT credit_audit_log_balance_change_or_admin_action CHECK (
    CASE WHEN operation IN ('PRICE_CHANGE', 'JOB_RUN', 'REFUND_REQUEST', 'TEAM_CHANGE')
        THEN user_id IS NULL AND monthly_delta = 0 AND purchased_delta = 0 AND reserved_delta = 0
             AND granted_delta = 0 AND monthly_after IS NULL AND purchased_after IS NULL
             AND reserved_after IS NULL AND idempotency_key IS NULL
             AND COALESCE(jsonb_typeof(metadata -> 'reason') = 'string', false)
        ELSE user_id IS NOT NULL AND monthly_after IS NOT NULL AND purchased_after IS NOT NULL
             AND reserved_after IS NOT NULL AND granted_after IS NOT NULL
    END);

-- A call on hold is made by the member who placed the hold: its usage row says so, whichever path
-- settles it (the call itself, the expiry job, a compensation).
CREATE FUNCTION token_usage_member_of_hold() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.member_id IS NULL AND NEW.reservation_id IS NOT NULL THEN
        SELECT member_id INTO NEW.member_id FROM credit_reservation WHERE id = NEW.reservation_id;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER token_usage_member_of_hold BEFORE INSERT ON token_usage
    FOR EACH ROW WHEN (NEW.reservation_id IS NOT NULL AND NEW.member_id IS NULL)
    EXECUTE FUNCTION token_usage_member_of_hold();
