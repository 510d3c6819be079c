// Package registry lists the payout providers bulkpay has clients for, each
// with what it declares about itself: its name as it writes it, its live
// address, where a sandbox serves it, the request that moves money and how to
// read its answers in plain words.
package registry
