// Package batch is bulkpay's core: batches and items, the payout state machine,
// planning, the runner, the use cases every door calls (plan, approve, pay,
// resume, retry, reconcile, review, resolve, and pay by link: links.go) and the
// interfaces they consume (the stores in store.go and link.go, Provider, Messenger).
package batch
