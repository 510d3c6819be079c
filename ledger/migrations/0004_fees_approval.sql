-- Fees: what each item's beneficiary is sent (after a beneficiary-borne charge),
-- the batch's profit and the fee configuration in force when it was planned.
-- Approval: who planned the batch, its plan hash, and who approved which hash.
ALTER TABLE items ADD COLUMN pay_amount INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN profit INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN fees TEXT NOT NULL DEFAULT '';
ALTER TABLE batches ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE batches ADD COLUMN plan_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE batches ADD COLUMN approved_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE batches ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';
ALTER TABLE batches ADD COLUMN approved_at TEXT NOT NULL DEFAULT '';
