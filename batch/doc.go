// Package batch is bulkpay's core: batches and items, the payout state machine,
// planning, the runner and the interfaces it consumes (the stores in store.go,
// Provider).
package batch
