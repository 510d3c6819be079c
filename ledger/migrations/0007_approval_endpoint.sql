-- Approval rules stored with the batch when it is planned (only ever made
-- stricter), where the batch is paid (the built-in sandbox, a sandbox URL or the
-- live providers' base URLs, as JSON without any secret), and who did each step
-- (a plan's planner, an approval's approver).
ALTER TABLE batches ADD COLUMN require_approval INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN four_eyes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN endpoint TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN actor TEXT NOT NULL DEFAULT '';
