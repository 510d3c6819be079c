// Package webhooks tells the customer's systems what happens to their batches:
// signed events (batch.planned, item.succeeded, ...) posted to the endpoints
// the config names, at least once, from the durable outbox the ledger fills in
// the same transaction as the change that causes each event.
package webhooks
