//go:build benchlimits

package cli

import "bulkpay/sheet"

// A build for benchmarks reads sheets of up to 1,000,000 rows, beyond what a
// batch may hold: a million-row xlsx holds a worksheet part of some 260 MiB,
// and saved by a spreadsheet program two million distinct texts.
func init() {
	SheetLimits = sheet.Limits{MaxRows: 1_000_000, MaxFileBytes: 1 << 30, MaxUnzipBytes: 1 << 30, MaxPartBytes: 1 << 30, MaxSharedStrings: 4_000_000}
}
