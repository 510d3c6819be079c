-- The lock holder's process start time, so that a pid reused by another process
-- after a crash is not taken for the holder.
ALTER TABLE batches ADD COLUMN lock_start TEXT NOT NULL DEFAULT '';
