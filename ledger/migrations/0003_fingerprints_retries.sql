-- An item's fingerprint (phone, amount, period, the sheet's own reference) finds
-- the same payment in another batch; a retry batch pays failed items of its
-- parent again, each new item linked to the one it retries.
ALTER TABLE items ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN retry_of INTEGER REFERENCES items(id);
ALTER TABLE batches ADD COLUMN parent_id INTEGER REFERENCES batches(id);
ALTER TABLE batches ADD COLUMN period TEXT NOT NULL DEFAULT '';
CREATE INDEX items_fingerprint ON items (fingerprint);
CREATE INDEX items_retry_of ON items (retry_of);
