package main

import (
	"os"
	"os/user"
	"strings"

	"bulkpay/batch"
	"bulkpay/internal/render"
	"bulkpay/providers"
)

// command writes the bulkpay command that does verb on ref, with the flags
// that reach batch b's providers and ledger (--sandbox where verb takes it,
// --config, --db), so that a hint can be copied and run as it is. sandboxURL
// is this command's --sandbox, used when b has no endpoint recorded.
func (a *app) command(verb, ref string, b batch.Batch, sandboxURL string, extra ...string) string {
	args := append([]string{"bulkpay", verb, ref}, extra...)
	if url := sandboxOf(b, sandboxURL); url != "" && a.takes(verb, "sandbox") {
		args = append(args, "--sandbox", url)
	}
	args = append(args, a.ledgerFlags(b)...)
	for i, s := range args {
		args[i] = render.Quote(s)
	}
	return strings.Join(args, " ")
}

// view is what a summary of b shows beyond its counts, with the commands that
// deal with it as this command was given.
func (a *app) view(b batch.Batch, items []batch.Item, retries batch.Retries, sandboxURL string) render.View {
	return render.View{Items: items, Retries: retries,
		Next: func(verb string, extra ...string) string {
			return a.command(verb, b.Reference, b, sandboxURL, extra...)
		},
		Other: func(ref, verb string, extra ...string) string {
			return a.command(verb, ref, b, sandboxURL, extra...)
		}}
}

// sandboxOf is the sandbox URL b is paid through: the one recorded with the
// batch, else (nothing recorded yet) this command's --sandbox.
func sandboxOf(b batch.Batch, sandboxURL string) string {
	switch b.Endpoint.Kind {
	case batch.EndpointSandbox:
		return b.Endpoint.URL
	case "":
		return sandboxURL
	}
	return ""
}

// ledgerFlags are --config and --db for b: the config it was paid with (else
// this command's) and this command's ledger.
func (a *app) ledgerFlags(b batch.Batch) []string {
	var out []string
	cfg := b.Endpoint.Config
	if b.Endpoint.IsZero() {
		cfg = a.configPath
	}
	if cfg != "" {
		out = append(out, "--config", cfg)
	}
	if a.dbFlag != "" {
		out = append(out, "--db", a.dbFlag)
	}
	return out
}

// takes reports whether the subcommand verb has the flag name.
func (a *app) takes(verb, name string) bool {
	if a.root == nil {
		return true
	}
	c, _, err := a.root.Find([]string{verb})
	return err == nil && c != a.root && c.Flags().Lookup(name) != nil
}

// whoami is the operating-system user running bulkpay.
func whoami() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return providers.Or(os.Getenv("USER"), "unknown")
}
