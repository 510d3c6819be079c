-- PostgreSQL twin of 0015_name_checks.sql: the name checks table, and the new
-- state 'to_confirm' joins the items' CHECK (PostgreSQL alters a constraint;
-- no schema editing).
CREATE TABLE name_checks (
    item_id      BIGINT  PRIMARY KEY REFERENCES items (id),
    batch_id     BIGINT  NOT NULL REFERENCES batches (id),
    row          BIGINT  NOT NULL,
    result       TEXT    NOT NULL,
    score        BIGINT  NOT NULL DEFAULT 0,
    provider     TEXT    NOT NULL DEFAULT '',
    reason       TEXT    NOT NULL DEFAULT '',
    given        TEXT    NOT NULL DEFAULT '',
    family       TEXT    NOT NULL DEFAULT '',
    checked_at   TEXT    NOT NULL,
    confirmed_by TEXT    NOT NULL DEFAULT '',
    note         TEXT    NOT NULL DEFAULT '',
    confirmed_at TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX name_checks_batch ON name_checks (batch_id, row);
ALTER TABLE items DROP CONSTRAINT items_state_check;
ALTER TABLE items ADD CONSTRAINT items_state_check
    CHECK (state IN ('planned','submitting','pending','succeeded','failed','unknown','review','rejected','cancelled','to_confirm'));
