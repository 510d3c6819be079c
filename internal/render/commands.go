package render

import (
	"strings"

	"bulkpay/batch"
)

// Commands writes the bulkpay commands a hint tells people to run, with the
// flags that reach a batch's providers and ledger (--sandbox where the command
// takes it, --config, --db), so that a hint can be copied and run as it is.
type Commands struct {
	Config string // this command's --config
	DB     string // this command's --db
	// Takes reports whether the subcommand verb has the flag; nil: all have it.
	Takes func(verb, flag string) bool
}

// For writes the command that does verb on ref, with the flags that reach
// batch b. sandboxURL is this command's --sandbox, used when b has no
// endpoint recorded.
func (c Commands) For(verb, ref string, b batch.Batch, sandboxURL string, extra ...string) string {
	args := append([]string{"bulkpay", verb, ref}, extra...)
	if url := sandboxOf(b, sandboxURL); url != "" && (c.Takes == nil || c.Takes(verb, "sandbox")) {
		args = append(args, "--sandbox", url)
	}
	cfg := b.Endpoint.Config // the config it was paid with, else this command's
	if b.Endpoint.IsZero() {
		cfg = c.Config
	}
	if cfg != "" {
		args = append(args, "--config", cfg)
	}
	if c.DB != "" {
		args = append(args, "--db", c.DB)
	}
	for i, s := range args {
		args[i] = Quote(s)
	}
	return strings.Join(args, " ")
}

// View is what a summary of b shows beyond its counts, with the commands that
// deal with it.
func (c Commands) View(b batch.Batch, s batch.Standing, sandboxURL string) View {
	return View{Items: s.Items, Retries: s.Retries,
		Next:  func(verb string, extra ...string) string { return c.For(verb, b.Reference, b, sandboxURL, extra...) },
		Other: func(ref, verb string, extra ...string) string { return c.For(verb, ref, b, sandboxURL, extra...) }}
}

// sandboxOf is the sandbox URL b is paid through: the one recorded with the
// batch, else (nothing recorded yet) the command's --sandbox.
func sandboxOf(b batch.Batch, sandboxURL string) string {
	switch b.Endpoint.Kind {
	case batch.EndpointSandbox:
		return b.Endpoint.URL
	case "":
		return sandboxURL
	}
	return ""
}
