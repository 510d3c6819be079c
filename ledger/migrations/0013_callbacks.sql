-- Callbacks received from providers, every one of them, refused or not: the
-- source address, the method and what was received (never a secret of
-- bulkpay's), the references it named, and its verdict (refused, ping,
-- settled, unchanged, unmatched: a reference bulkpay never sent, kept for
-- reconciliation). batch_id and item_id are 0 when it named no item bulkpay
-- knows. Times as events keep them (RFC 3339, UTC).
CREATE TABLE callbacks (
    id                 INTEGER PRIMARY KEY,
    at                 TEXT    NOT NULL,
    provider           TEXT    NOT NULL,
    source_addr        TEXT    NOT NULL DEFAULT '',
    method             TEXT    NOT NULL DEFAULT '',
    raw                TEXT    NOT NULL DEFAULT '',
    item_reference     TEXT    NOT NULL DEFAULT '',
    provider_reference TEXT    NOT NULL DEFAULT '',
    batch_id           INTEGER NOT NULL DEFAULT 0,
    item_id            INTEGER NOT NULL DEFAULT 0,
    verdict            TEXT    NOT NULL,
    detail             TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX callbacks_verdict ON callbacks (verdict);
