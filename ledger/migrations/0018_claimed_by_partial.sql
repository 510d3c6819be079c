-- items_claimed_by only for the items a worker claimed under a lease
-- (PostgreSQL): on a SQLite file every item is claimed under the batch's
-- lock, its claimed_by empty, and the index (claimed_by, state) moved one
-- entry at each state move of each item, for a query (Renew) that never
-- looks for the empty worker. The queries that use it say claimed_by <> ''.
DROP INDEX items_claimed_by;
CREATE INDEX items_claimed_by ON items (claimed_by, state) WHERE claimed_by <> '';
