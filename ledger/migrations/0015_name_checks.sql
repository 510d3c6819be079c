-- Name checks: what the provider told about the account behind each number
-- before money left, and the approver's confirmation of a row whose name did
-- not match. given and family are the registered name, personal data: they
-- are erased (set to '') once every item of the batch is final
-- (ForgetNames); result, score and the confirmation stay for the reports.
-- A new item state, 'to_confirm', for rows waiting for an approver: the
-- CHECK on items.state is widened in place as 0010 did for 'cancelled'.
CREATE TABLE name_checks (
    item_id      INTEGER PRIMARY KEY REFERENCES items (id),
    batch_id     INTEGER NOT NULL REFERENCES batches (id),
    row          INTEGER NOT NULL,
    result       TEXT    NOT NULL,
    score        INTEGER NOT NULL DEFAULT 0,
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
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''rejected'',''cancelled'')', '''rejected'',''cancelled'',''to_confirm'')')
 WHERE type = 'table' AND name = 'items';
PRAGMA writable_schema = RESET;
