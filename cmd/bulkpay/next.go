package main

import (
	"fmt"
	"io"
	"strings"

	"bulkpay/batch"
)

// takes reports whether the subcommand verb has the flag name.
func (a *app) takes(verb, name string) bool {
	if a.root == nil {
		return true
	}
	c, _, err := a.root.Find([]string{verb})
	return err == nil && c != a.root && c.Flags().Lookup(name) != nil
}

// shellQuote quotes s for a POSIX shell when it holds anything but plain
// characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// printUnchecked lists the records reconciliation could not read, apart from
// the mismatches.
func printUnchecked(w io.Writer, unchecked []batch.Unchecked) {
	for _, u := range unchecked {
		fmt.Fprintln(w, "COULD NOT CHECK "+u.String())
	}
}
