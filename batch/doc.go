// Package batch is bulkpay's core: batches and items, the payout state machine,
// planning, the runner, and the use cases every door calls (plan, approve, pay,
// resume, retry, reconcile, review, resolve), each with the small ledger
// interface it consumes.
package batch
