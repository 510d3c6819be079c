CREATE TABLE batches (
    id           INTEGER PRIMARY KEY,
    reference    TEXT    NOT NULL UNIQUE,
    sheet_hash   TEXT    NOT NULL,
    sheet_name   TEXT    NOT NULL,
    currency     TEXT    NOT NULL,
    total_amount INTEGER NOT NULL CHECK (total_amount >= 0),
    charge       INTEGER NOT NULL DEFAULT 0,
    item_count   INTEGER NOT NULL,
    sandbox      INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT    NOT NULL,
    lock_pid     INTEGER,
    lock_host    TEXT,
    lock_at      TEXT
);

CREATE TABLE items (
    id                 INTEGER PRIMARY KEY,
    batch_id           INTEGER NOT NULL REFERENCES batches(id),
    row                INTEGER NOT NULL,
    name               TEXT    NOT NULL,
    phone              TEXT    NOT NULL,
    country            TEXT    NOT NULL,
    operator           TEXT    NOT NULL,
    email              TEXT    NOT NULL DEFAULT '',
    mode               TEXT    NOT NULL,
    amount             INTEGER NOT NULL CHECK (amount > 0),
    charge             INTEGER NOT NULL DEFAULT 0,
    reference          TEXT    NOT NULL UNIQUE,
    provider           TEXT    NOT NULL,
    provider_reference TEXT    NOT NULL DEFAULT '',
    provider_fee       INTEGER NOT NULL DEFAULT 0,
    state              TEXT    NOT NULL CHECK (state IN ('planned','submitting','pending','succeeded','failed','unknown','review','rejected')),
    message            TEXT    NOT NULL DEFAULT '',
    attempts           INTEGER NOT NULL DEFAULT 0,
    updated_at         TEXT    NOT NULL,
    UNIQUE (batch_id, row)
);
CREATE INDEX items_batch_state ON items (batch_id, state, provider, row);

CREATE TABLE attempts (
    id                 INTEGER PRIMARY KEY,
    item_id            INTEGER NOT NULL REFERENCES items(id),
    provider           TEXT    NOT NULL,
    reference          TEXT    NOT NULL,
    kind               TEXT    NOT NULL,
    request            TEXT    NOT NULL DEFAULT '',
    started_at         TEXT    NOT NULL,
    finished_at        TEXT,
    outcome            TEXT,
    provider_reference TEXT    NOT NULL DEFAULT '',
    response           TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX attempts_item ON attempts (item_id);

CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    batch_id   INTEGER NOT NULL REFERENCES batches(id),
    item_id    INTEGER REFERENCES items(id),
    at         TEXT    NOT NULL,
    from_state TEXT    NOT NULL DEFAULT '',
    to_state   TEXT    NOT NULL DEFAULT '',
    cause      TEXT    NOT NULL,
    detail     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX events_batch ON events (batch_id, item_id);

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
