-- What the call a hold is for was sent: its counted prompt and its output budget, with the labels the
-- caller gave it. charged_at_expiry: the call is Tollgate's own (the chat call). Such a hold that is
-- still unresolved at its expiry belongs to a call the app stopped in, between placing the hold and
-- settling it (killed, crashed): the call's outcome at the provider is unknown, so the expiry job
-- charges the hold, with a usage row of the prompt and the whole output budget, marked estimated,
-- instead of freeing it. A hold of another backend's call (a reservation) is freed, as before.
-- Holds placed before this migration have no call recorded, and are freed.
ALTER TABLE credit_reservation
    ADD COLUMN prompt_tokens     bigint CHECK (prompt_tokens >= 0),
    ADD COLUMN max_output_tokens bigint CHECK (max_output_tokens >= 1),
    ADD COLUMN character_id      varchar(128),
    ADD COLUMN conversation_id   varchar(128),
    ADD COLUMN charged_at_expiry boolean NOT NULL DEFAULT false;
ALTER TABLE credit_reservation ADD CONSTRAINT credit_reservation_charged_call_recorded
    CHECK (NOT charged_at_expiry OR (prompt_tokens IS NOT NULL AND max_output_tokens IS NOT NULL));
