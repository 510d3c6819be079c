-- Several workers on one ledger (PostgreSQL): the worker that claimed an item
-- and until when its claim holds unless renewed (a stamp, as the other
-- times); an item left submitting under a lease that ran out is recovered by
-- any other worker. Empty: claimed under the batch's lock (SQLite).
ALTER TABLE items ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN lease_until TEXT NOT NULL DEFAULT '';
CREATE INDEX items_claimed_by ON items (claimed_by, state);

-- Each provider's pace, kept for all workers together: the times (unix
-- microseconds, comma separated) of the calls let through within the
-- latest window, updated under SELECT ... FOR UPDATE.
CREATE TABLE provider_pace (
    pace_key TEXT PRIMARY KEY,
    grants   TEXT NOT NULL DEFAULT ''
);
