-- The accounts that were warned, by webhook balance.depletion_predicted, that their credits run out
-- more than the configured days before the next refresh at the pace of the last 7 days: one row per
-- account, for the period it was warned in. The warning fires once per crossing: the job deletes the
-- row when the prediction no longer holds (re-armed), and a row of an earlier period than the
-- account's counts as absent (the refresh re-arms; the next warning replaces it).
CREATE TABLE depletion_warning (
    user_id       varchar(255) PRIMARY KEY REFERENCES credit_account (user_id),
    period_start  timestamptz  NOT NULL,
    depletes_at   timestamptz  NOT NULL,
    warned_at     timestamptz  NOT NULL,
    -- Warned only of a depletion before the period's refresh, a calendar month (UTC) after its start.
    CONSTRAINT depletion_warning_before_the_refresh
        CHECK (depletes_at < ((period_start AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC')
);
