// Package render writes what bulkpay shows people on a terminal and in its
// JSON output: summaries, plans, tables and progress bars. It decides nothing
// about money: it shows what the batch package decided.
package render
