package main

import (
	"bulkpay/batch"
	"bulkpay/internal/render"
	"bulkpay/ledger"
)

// commands writes the commands hints name, with this command line's flags.
func (a *app) commands() render.Commands {
	c := render.Commands{Config: a.configPath, DB: ledger.Redact(a.dbFlag)}
	if a.root != nil {
		c.Takes = func(verb, flag string) bool {
			cmd, _, err := a.root.Find([]string{verb})
			return err == nil && cmd != a.root && cmd.Flags().Lookup(flag) != nil
		}
	}
	return c
}

// command writes the bulkpay command that does verb on ref, with the flags
// that reach batch b (sandboxURL: this command's --sandbox).
func (a *app) command(verb, ref string, b batch.Batch, sandboxURL string, extra ...string) string {
	return a.commands().For(verb, ref, b, sandboxURL, extra...)
}
