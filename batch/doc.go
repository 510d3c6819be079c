// Package batch is bulkpay's core: batches and items, the payout state machine,
// planning, the runner and the interfaces (Store, Provider) it consumes.
package batch
