// Package reports renders a batch from the ledger into files for people: a per-item
// csv, written atomically, with every cell safe to open in a spreadsheet.
package reports
