package main

import (
	"fmt"
	"io"
	"strings"

	"bulkpay/batch"
)

// command writes the bulkpay command that does verb on ref with the flags this
// command was given (--sandbox where verb takes it, --config, --db), so that a
// hint can be copied and run as it is.
func (a *app) command(verb, ref, sandboxURL string, extra ...string) string {
	args := append([]string{"bulkpay", verb, ref}, extra...)
	if sandboxURL != "" && a.takes(verb, "sandbox") {
		args = append(args, "--sandbox", sandboxURL)
	}
	if a.configPath != "" {
		args = append(args, "--config", a.configPath)
	}
	if a.dbFlag != "" {
		args = append(args, "--db", a.dbFlag)
	}
	for i, s := range args {
		args[i] = shellQuote(s)
	}
	return strings.Join(args, " ")
}

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
