// Package batchtest holds what tests of batch's use cases share: Memory, a
// batch.Store in memory, and Suite, the contract every batch.Store (Memory and
// the ledger) passes.
package batchtest
