-- The latest reconciliation of each batch: when it ran (batches.reconciled_at)
-- and what it found, one line per finding: a mismatch with a provider's record
-- (kind status, amount, fee, unknown_payout, ...) or an item that could not be
-- checked (kind 'unchecked', with the reason). A new reconciliation replaces the
-- batch's findings; the events keep what every run found.
ALTER TABLE batches ADD COLUMN reconciled_at TEXT NOT NULL DEFAULT '';

CREATE TABLE findings (
    id                 INTEGER PRIMARY KEY,
    batch_id           INTEGER NOT NULL REFERENCES batches(id),
    at                 TEXT    NOT NULL,
    provider           TEXT    NOT NULL DEFAULT '',
    row                INTEGER NOT NULL DEFAULT 0,
    kind               TEXT    NOT NULL,
    ours               TEXT    NOT NULL DEFAULT '',
    theirs             TEXT    NOT NULL DEFAULT '',
    provider_reference TEXT    NOT NULL DEFAULT '',
    reason             TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX findings_batch ON findings (batch_id, id);
