// Package cli is the command line's plumbing for people: mistakes said with
// what to type, file errors said once, --wait's optional duration, the
// version; the flags several commands share and the global ones; the RunE of
// commands on the ledger; running the command line (exit codes, crashes);
// and how a payment and a reconciliation are shown on a terminal.
package cli
