// Package batch is bulkpay's core: batches and items, the payout state machine,
// planning, the runner, the use cases every door calls (plan, approve, pay,
// resume, retry, reconcile, review, resolve) and the interfaces they consume
// (the stores in store.go, Provider).
package batch
