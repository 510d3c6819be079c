-- Pay by link: one link per item of a row paid by link (its mode 'link' until
-- claimed, so that no run claims it before), and the messages sent about
-- links. A link keeps the hash of its code (HMAC-SHA256 under its own salt),
-- never the code; a message keeps its recipient, cost and charge, never its
-- text. Times as events keep them (RFC 3339, UTC); '' when none.
CREATE TABLE links (
    id            TEXT    PRIMARY KEY,
    batch_id      INTEGER NOT NULL REFERENCES batches(id),
    item_id       INTEGER NOT NULL UNIQUE REFERENCES items(id),
    row           INTEGER NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    currency      TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    phone         TEXT    NOT NULL,
    country       TEXT    NOT NULL,
    operator      TEXT    NOT NULL,
    email         TEXT    NOT NULL DEFAULT '',
    expires_at    TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('sent', 'claimed', 'expired')),
    other_ok      INTEGER NOT NULL DEFAULT 0,
    invited_at    TEXT    NOT NULL DEFAULT '',
    reminders     INTEGER NOT NULL DEFAULT 0,
    code_hash     TEXT    NOT NULL DEFAULT '',
    code_salt     TEXT    NOT NULL DEFAULT '',
    code_expires  TEXT    NOT NULL DEFAULT '',
    code_sent_at  TEXT    NOT NULL DEFAULT '',
    code_requests INTEGER NOT NULL DEFAULT 0,
    code_window   TEXT    NOT NULL DEFAULT '',
    attempts      INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT    NOT NULL DEFAULT '',
    locks         INTEGER NOT NULL DEFAULT 0,
    review        INTEGER NOT NULL DEFAULT 0,
    claimed_at    TEXT    NOT NULL DEFAULT '',
    claim_mode    TEXT    NOT NULL DEFAULT '',
    claim_phone   TEXT    NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE INDEX links_batch ON links (batch_id, status, row);

CREATE TABLE link_messages (
    id        INTEGER PRIMARY KEY,
    link_id   TEXT    NOT NULL REFERENCES links(id),
    batch_id  INTEGER NOT NULL REFERENCES batches(id),
    kind      TEXT    NOT NULL CHECK (kind IN ('invitation', 'reminder', 'code')),
    channel   TEXT    NOT NULL,
    recipient TEXT    NOT NULL,
    at        TEXT    NOT NULL,
    cost      INTEGER NOT NULL DEFAULT 0,
    charge    INTEGER NOT NULL DEFAULT 0,
    error     TEXT    NOT NULL DEFAULT '',
    reference TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX link_messages_batch ON link_messages (batch_id, id);
