-- Webhooks: the outbox of events for the customer's systems, filled by triggers
-- on the append-only events, so that an outbox row commits in the same
-- transaction as the state change that causes it and no crash loses it.
-- Each row holds the event as it will be sent: its id, type, time and the
-- object (the batch or the item) as it stood then, never a secret.
-- The deliveries keep, per event and endpoint (its URL without query or
-- credentials), how delivery stands; webhook_attempts logs every attempt.
CREATE TABLE webhook_outbox (
    id          INTEGER PRIMARY KEY,
    event_id    TEXT    NOT NULL UNIQUE,
    type        TEXT    NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES batches(id),
    item_id     INTEGER REFERENCES items(id),
    source      INTEGER NOT NULL REFERENCES events(id),
    created_at  TEXT    NOT NULL,
    window_from TEXT    NOT NULL, -- retries go on for 24 h from here: created_at, or the last resend
    object      TEXT    NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0 -- every endpoint subscribed got it or gave up
);
CREATE INDEX webhook_outbox_open ON webhook_outbox (id) WHERE done = 0;
CREATE INDEX webhook_outbox_batch ON webhook_outbox (batch_id, type);

CREATE TABLE webhook_deliveries (
    event_id     TEXT    NOT NULL REFERENCES webhook_outbox(event_id),
    endpoint     TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'gave_up')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      TEXT    NOT NULL DEFAULT '',
    last_status  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    delivered_at TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (event_id, endpoint)
);

CREATE TABLE webhook_attempts (
    id       INTEGER PRIMARY KEY,
    event_id TEXT    NOT NULL REFERENCES webhook_outbox(event_id),
    endpoint TEXT    NOT NULL,
    at       TEXT    NOT NULL,
    status   INTEGER NOT NULL DEFAULT 0, -- the HTTP status; 0: no answer
    error    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_event ON webhook_attempts (event_id, endpoint, id);

-- The objects as they are sent.
CREATE VIEW webhook_batch_object AS
SELECT b.id AS batch_id, json_object(
    'reference', b.reference, 'sheet_name', b.sheet_name, 'period', b.period, 'currency', b.currency,
    'total_amount', b.total_amount, 'items', b.item_count, 'sandbox', json(CASE WHEN b.sandbox THEN 'true' ELSE 'false' END),
    'approved_by', b.approved_by) AS object
FROM batches b;

-- A batch event: planned, approved by a person, or started: its first item
-- claimed for sending (a run refused before sending anything has not started
-- it; a batch already sending when this migration came has started before).
CREATE TRIGGER webhook_batch_event AFTER INSERT ON events
WHEN (NEW.item_id IS NULL AND (NEW.cause = 'batch planned' OR substr(NEW.cause, 1, 12) = 'approved by '))
    OR (NEW.cause = 'claimed for sending'
        AND NOT EXISTS (SELECT 1 FROM webhook_outbox WHERE batch_id = NEW.batch_id AND type = 'batch.started')
        AND NOT EXISTS (SELECT 1 FROM events WHERE batch_id = NEW.batch_id AND cause = 'claimed for sending' AND id < NEW.id))
BEGIN
    INSERT INTO webhook_outbox (event_id, type, batch_id, source, created_at, window_from, object)
    SELECT 'evt_' || lower(hex(randomblob(16))),
        CASE NEW.cause WHEN 'batch planned' THEN 'batch.planned' WHEN 'claimed for sending' THEN 'batch.started' ELSE 'batch.approved' END,
        NEW.batch_id, NEW.id, NEW.at, NEW.at, object
    FROM webhook_batch_object WHERE batch_id = NEW.batch_id;
END;

-- An item that reaches succeeded, failed or review gives an item event (the
-- item with the state its event moved it to); when it was the batch's last open
-- item (the others succeeded, failed, rejected or cancelled), whichever command
-- moved it (a run, a person's decision, a reconciliation, a callback, a
-- cancellation), the batch completes. One trigger, so that the
-- item's event comes before the batch's.
CREATE TRIGGER webhook_item_event AFTER INSERT ON events
WHEN NEW.item_id IS NOT NULL AND NEW.to_state IN ('succeeded', 'failed', 'review', 'rejected', 'cancelled')
BEGIN
    INSERT INTO webhook_outbox (event_id, type, batch_id, item_id, source, created_at, window_from, object)
    SELECT 'evt_' || lower(hex(randomblob(16))), 'item.' || NEW.to_state, NEW.batch_id, NEW.item_id, NEW.id, NEW.at, NEW.at,
        json_object('batch', b.reference, 'reference', i.reference, 'row', i.row, 'amount', i.amount,
            'currency', b.currency, 'provider', i.provider, 'state', NEW.to_state, 'provider_reference', i.provider_reference)
    FROM items i JOIN batches b ON b.id = i.batch_id WHERE i.id = NEW.item_id AND NEW.to_state IN ('succeeded', 'failed', 'review');

    INSERT INTO webhook_outbox (event_id, type, batch_id, source, created_at, window_from, object)
    SELECT 'evt_' || lower(hex(randomblob(16))), 'batch.completed', NEW.batch_id, NEW.id, NEW.at, NEW.at,
        json_patch(o.object, json_object(
            'succeeded', (SELECT COUNT(*) FROM items WHERE batch_id = NEW.batch_id AND state = 'succeeded'),
            'failed', (SELECT COUNT(*) FROM items WHERE batch_id = NEW.batch_id AND state = 'failed'),
            'rejected', (SELECT COUNT(*) FROM items WHERE batch_id = NEW.batch_id AND state = 'rejected'),
            'cancelled', (SELECT COUNT(*) FROM items WHERE batch_id = NEW.batch_id AND state = 'cancelled'),
            'succeeded_amount', (SELECT COALESCE(SUM(amount), 0) FROM items WHERE batch_id = NEW.batch_id AND state = 'succeeded')))
    FROM webhook_batch_object o WHERE o.batch_id = NEW.batch_id AND NEW.to_state <> 'review'
        AND NOT EXISTS (SELECT 1 FROM items WHERE batch_id = NEW.batch_id
            AND state IN ('planned', 'submitting', 'pending', 'unknown', 'review'))
        AND NOT EXISTS (SELECT 1 FROM webhook_outbox WHERE batch_id = NEW.batch_id AND type = 'batch.completed');
END;
