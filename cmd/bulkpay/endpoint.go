package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"bulkpay/batch"
	"bulkpay/ledger"
)

// registerChangeEndpoint adds --change-endpoint to a command that pays or settles a batch.
func (a *app) registerChangeEndpoint(fs *pflag.FlagSet) {
	fs.BoolVar(&a.changeEndpoint, "change-endpoint", false,
		"continue a batch that has started paying through other providers than those it was paid through (--sandbox URL or the config's base_url); recorded in the events")
}

// checkEndpoint refuses to pay or settle b anywhere else than where it was
// paid, unless --change-endpoint says so, and records where it is paid. A
// sandbox batch is never continued with real providers, nor the other way
// round, whatever the flags.
func (a *app) checkEndpoint(ctx context.Context, st *ledger.Store, b batch.Batch, sandboxURL string) error {
	cur := a.endpoint(sandboxURL)
	rec := b.Endpoint
	switch {
	case b.Sandbox && !cur.IsSandbox():
		return fmt.Errorf("batch %s was paid on the sandbox; it cannot be continued with real providers: give the sheet a new --reference to pay it for real, or continue it on the sandbox: `%s`",
			b.Reference, a.commandFor(a.command, b))
	case !b.Sandbox && cur.IsSandbox():
		return fmt.Errorf("batch %s moves real money; it cannot be continued on the sandbox: `%s`", b.Reference, a.commandFor(a.command, b))
	case rec.IsZero():
		return st.SetEndpoint(ctx, b.ID, cur, "paid through", cur.String(), whoami())
	case rec.Same(cur):
		return nil
	}
	items, err := st.Items(ctx, b.ID)
	if err != nil {
		return fmt.Errorf("read items: %w", err)
	}
	moved := fmt.Sprintf("from %s to %s", rec, cur)
	switch {
	case !batch.Started(items):
		return st.SetEndpoint(ctx, b.ID, cur, "endpoint changed before anything was sent", moved, whoami())
	case a.changeEndpoint:
		a.say("--change-endpoint: batch %s moves %s", b.Reference, moved)
		return st.SetEndpoint(ctx, b.ID, cur, "endpoint changed (--change-endpoint)", moved, whoami())
	}
	what := fmt.Sprintf("%s, and this command would use %s", rec, cur)
	if rec.Kind == batch.EndpointLive && cur.Kind == batch.EndpointLive {
		what = fmt.Sprintf("%s, and this config gives another address: %s", rec, strings.Join(rec.Differences(cur), "; "))
	}
	return fmt.Errorf("batch %s was paid through %s. Its pending and in-doubt payouts can only be settled where they were sent.\n"+
		"Continue it where it was paid: `%s`\n"+
		"If the same provider accounts are really reached at the new address, pass --change-endpoint (recorded in the events)",
		b.Reference, what, a.commandFor(a.command, b))
}

// resumeCommand is the command that finishes b, with the flags it needs: the
// sandbox it was paid through, the config and the ledger.
func (a *app) resumeCommand(b batch.Batch) string { return a.commandFor("resume", b) }

// reportCommand writes b's reports to a folder to choose.
func (a *app) reportCommand(b batch.Batch) string {
	return "bulkpay report " + shellQuote(b.Reference) + " --out DIR" + a.ledgerFlags(b)
}

// commandFor is `bulkpay NAME REF` with the flags that reach the batch's
// ledger and providers; name "run" gives resume (a run is resumed by reference).
func (a *app) commandFor(name string, b batch.Batch) string {
	if name == "" || name == "run" || name == "retry" {
		name = "resume"
	}
	cmd := "bulkpay " + name + " " + shellQuote(b.Reference)
	url := a.sandboxURL
	if b.Endpoint.Kind == batch.EndpointSandbox {
		url = b.Endpoint.URL
	} else if b.Endpoint.Kind != "" {
		url = ""
	}
	if url != "" {
		cmd += " --sandbox " + shellQuote(url)
	}
	return cmd + a.ledgerFlags(b)
}

// ledgerFlags are --config (the config the batch was paid with, else this
// command's) and --db (this command's).
func (a *app) ledgerFlags(b batch.Batch) string {
	var s string
	cfg := b.Endpoint.Config
	if b.Endpoint.IsZero() {
		cfg = a.configPath
	}
	if cfg != "" {
		s += " --config " + shellQuote(cfg)
	}
	if a.dbFlag != "" {
		s += " --db " + shellQuote(a.dbFlag)
	}
	return s
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// absPath is path made absolute where it can be.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}
