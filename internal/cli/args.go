package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"bulkpay/batch"
)

// BatchKey is the batch a SHEET|BATCH argument names: a file's name without
// its extension, else the argument as it is (a reference or an id).
func BatchKey(arg string) string {
	if fi, err := os.Stat(arg); err == nil && fi.Mode().IsRegular() {
		return strings.TrimSuffix(filepath.Base(arg), filepath.Ext(arg))
	}
	return arg
}

// LinkStatuses are the statuses a --status flag lists, comma-separated; an
// empty flag lists none.
func LinkStatuses(flag string) ([]batch.LinkStatus, error) {
	var statuses []batch.LinkStatus
	for _, s := range strings.Split(flag, ",") {
		if s = strings.TrimSpace(s); s != "" {
			if !slices.Contains(batch.LinkStatuses, batch.LinkStatus(s)) {
				return nil, Usagef("--status %q: write sent, claimed, processed or expired (comma-separated)", s)
			}
			statuses = append(statuses, batch.LinkStatus(s))
		}
	}
	return statuses, nil
}
