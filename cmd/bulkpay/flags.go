package main

import (
	"strings"

	"github.com/spf13/pflag"

	"bulkpay/internal/cli"
	"bulkpay/providers"
	"bulkpay/sheet"
)

// sessionFlags are the options of a command that opens a payment session.
type sessionFlags struct {
	sandboxURL     string
	changeEndpoint bool
	wait           cli.Wait
}

func (f *sessionFlags) register(fs *pflag.FlagSet, sandboxUsage string, wait bool) {
	if fs.Lookup("sandbox") == nil {
		fs.StringVar(&f.sandboxURL, "sandbox", "", sandboxUsage)
	}
	if wait {
		cli.RegisterWait(fs, &f.wait)
	}
	fs.BoolVar(&f.changeEndpoint, "change-endpoint", false,
		"continue a batch that has started paying through other providers than those it was paid through (--sandbox URL or the config's base_url); recorded in the events")
}

// payFlags are the options of a command that pays a batch: run, resume, retry.
type payFlags struct {
	sessionFlags
	asJSON       bool
	allowPartial bool
}

// register adds the flags; resume (run and resume, not retry) adds --wait and
// --allow-partial.
func (f *payFlags) register(fs *pflag.FlagSet, sandboxUsage, jsonUsage string, resume bool) {
	fs.BoolVar(&f.asJSON, "json", false, jsonUsage)
	f.sessionFlags.register(fs, sandboxUsage, resume)
	if resume {
		fs.BoolVar(&f.allowPartial, "allow-partial", false, "when a provider's balance is short, pay in row order while money lasts and leave the rest planned")
	}
}

// sheetLimits bound what reading a sheet may cost; zero fields take
// sheet.DefaultLimits. Only a build for benchmarks (-tags benchlimits) raises
// them, to measure sheets beyond the rows a batch may hold.
var sheetLimits sheet.Limits

// sheetFlags are the reading options every sheet-taking command shares.
type sheetFlags struct {
	sheetName       string
	region          string
	allowDuplicates bool
	expectTotal     int64
	sandboxURL      string // routing knows the providers of this sandbox (all of them)
}

func (f *sheetFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.sheetName, "sheet", "", "xlsx sheet to read (default: the first)")
	fs.StringVar(&f.region, "region", "", "default country of national phone numbers (default CM, or the config's)")
	fs.BoolVar(&f.allowDuplicates, "allow-duplicates", false, "allow the same phone on several rows")
	fs.Int64Var(&f.expectTotal, "expect-total", 0, "the total the sheet must add up to (the approved amount); refused when it differs")
}

// planFlags are what run and plan share.
type planFlags struct {
	sheetFlags
	reference, period, by string
	allowRepeat           bool
	payBy                 string // link: every row paid by link
}

func (pf *planFlags) register(fs *pflag.FlagSet) {
	pf.sheetFlags.register(fs)
	fs.StringVar(&pf.reference, "reference", "", "batch reference (default: the sheet's file name without extension)")
	fs.StringVar(&pf.sandboxURL, "sandbox", "", "pay through the sandbox at this `URL` (a running bulkpay sandbox)")
	fs.StringVar(&pf.period, "period", "", "pay period YYYY-MM (default: the year-month in the reference or file name, else this month)")
	fs.BoolVar(&pf.allowRepeat, "allow-repeat", false, "pay rows that another batch already pays for the same period")
	fs.StringVar(&pf.by, "by", "", "who plans the batch (default: the login name)")
	fs.StringVar(&pf.payBy, "pay-by", "", "link: pay every row by link (the beneficiary claims it; see bulkpay links)")
}

// decisionFlags are the --note and --by of a command that records a
// person's decision on a batch: cancel, confirm, resolve.
type decisionFlags struct {
	note, by string
	why      string // what the note says, for the refusal of an empty one
}

func (d *decisionFlags) register(fs *pflag.FlagSet, noteUsage, byUsage, why string) {
	fs.StringVar(&d.note, "note", "", noteUsage)
	fs.StringVar(&d.by, "by", "", byUsage+" (default: the login name)")
	d.why = why
}

// check refuses a decision without a note.
func (d decisionFlags) check() error {
	if strings.TrimSpace(d.note) == "" {
		return cli.Usagef("--note is required: %s", d.why)
	}
	return nil
}

// actor is who decides: --by, else the login name.
func (d decisionFlags) actor() string { return providers.Or(d.by, cli.Login()) }
