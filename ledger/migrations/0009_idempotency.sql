-- Idempotency keys of the platform API's writes: the answer a user's request
-- with a key got, replayed to the same user's same request with that key.
-- request_hash is over the request's method, path and content; status 0 is a
-- request still being answered. Times are Unix milliseconds, UTC.
CREATE TABLE idempotency_keys (
    user_id      INTEGER NOT NULL REFERENCES users (id),
    key          TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    content_type TEXT    NOT NULL DEFAULT '',
    body         BLOB    NOT NULL DEFAULT x'',
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Profit configurations changed through the platform API, every version
-- kept: the one in force for a name is its latest row. A batch keeps the
-- configuration it was planned with in batches.fees.
CREATE TABLE profit_configurations (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL,
    fee            INTEGER NOT NULL,
    percentage     TEXT    NOT NULL DEFAULT '',
    use_percentage INTEGER NOT NULL DEFAULT 0,
    currency       TEXT    NOT NULL DEFAULT '',
    updated_by     TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX profit_configurations_name ON profit_configurations (name, id);
