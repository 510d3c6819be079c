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
			b.Reference, a.commandFor(a.cmdName, b))
	case !b.Sandbox && cur.IsSandbox():
		return fmt.Errorf("batch %s moves real money; it cannot be continued on the sandbox: `%s`", b.Reference, a.commandFor(a.cmdName, b))
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
		b.Reference, what, a.commandFor(a.cmdName, b))
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
	return a.command(name, b.Reference, b)
}

// command writes the bulkpay command that does verb on ref, with the flags
// that reach batch b's providers and ledger (--sandbox where verb takes it,
// --config, --db), so that a hint can be copied and run as it is.
func (a *app) command(verb, ref string, b batch.Batch, extra ...string) string {
	args := append([]string{"bulkpay", verb, ref}, extra...)
	if url := a.sandboxOf(b); url != "" && a.takes(verb, "sandbox") {
		args = append(args, "--sandbox", url)
	}
	if cfg := a.configOf(b); cfg != "" {
		args = append(args, "--config", cfg)
	}
	if a.dbFlag != "" {
		args = append(args, "--db", a.dbFlag)
	}
	for i, s := range args {
		args[i] = shellQuote(s)
	}
	return strings.Join(args, " ")
}

// sandboxOf is the sandbox URL b is paid through: the one recorded with the
// batch, else (nothing recorded yet) this command's --sandbox.
func (a *app) sandboxOf(b batch.Batch) string {
	switch b.Endpoint.Kind {
	case batch.EndpointSandbox:
		return b.Endpoint.URL
	case "":
		return a.sandboxURL
	}
	return ""
}

// configOf is the config b was paid with, else this command's.
func (a *app) configOf(b batch.Batch) string {
	if b.Endpoint.IsZero() {
		return a.configPath
	}
	return b.Endpoint.Config
}

// ledgerFlags are --config and --db for b.
func (a *app) ledgerFlags(b batch.Batch) string {
	var s string
	if cfg := a.configOf(b); cfg != "" {
		s += " --config " + shellQuote(cfg)
	}
	if a.dbFlag != "" {
		s += " --db " + shellQuote(a.dbFlag)
	}
	return s
}

// absPath is path made absolute where it can be.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}
