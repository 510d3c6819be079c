package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/internal/door"
	"bulkpay/providers"
	"bulkpay/sheet"
)

// SessionFlags are the options of a command that opens a payment session.
type SessionFlags struct {
	SandboxURL     string
	ChangeEndpoint bool
	Wait           Wait
}

// Register adds the flags; wait adds --wait.
func (f *SessionFlags) Register(fs *pflag.FlagSet, sandboxUsage string, wait bool) {
	if fs.Lookup("sandbox") == nil {
		fs.StringVar(&f.SandboxURL, "sandbox", "", sandboxUsage)
	}
	if wait {
		RegisterWait(fs, &f.Wait)
	}
	fs.BoolVar(&f.ChangeEndpoint, "change-endpoint", false,
		"continue a batch that has started paying through other providers than those it was paid through (--sandbox URL or the config's base_url); recorded in the events")
}

// PayFlags are the options of a command that pays a batch: run, resume, retry.
type PayFlags struct {
	SessionFlags
	JSON         bool
	AllowPartial bool
}

// Register adds the flags; resume (run and resume, not retry) adds --wait and
// --allow-partial.
func (f *PayFlags) Register(fs *pflag.FlagSet, sandboxUsage, jsonUsage string, resume bool) {
	fs.BoolVar(&f.JSON, "json", false, jsonUsage)
	f.SessionFlags.Register(fs, sandboxUsage, resume)
	if resume {
		fs.BoolVar(&f.AllowPartial, "allow-partial", false, "when a provider's balance is short, pay in row order while money lasts and leave the rest planned")
	}
}

// SheetLimits bound what reading a sheet may cost; zero fields take
// sheet.DefaultLimits. Only a build for benchmarks (-tags benchlimits) raises
// them, to measure sheets beyond the rows a batch may hold.
var SheetLimits sheet.Limits

// SheetFlags are the reading options every sheet-taking command shares.
type SheetFlags struct {
	Name            string
	Region          string
	AllowDuplicates bool
	ExpectTotal     int64
	SandboxURL      string // routing knows the providers of this sandbox (all of them)
}

// Register adds the flags, --sandbox aside (its usage is the command's).
func (f *SheetFlags) Register(fs *pflag.FlagSet) {
	fs.StringVar(&f.Name, "sheet", "", "xlsx sheet to read (default: the first)")
	fs.StringVar(&f.Region, "region", "", "default country of national phone numbers (default CM, or the config's)")
	fs.BoolVar(&f.AllowDuplicates, "allow-duplicates", false, "allow the same phone on several rows")
	fs.Int64Var(&f.ExpectTotal, "expect-total", 0, "the total the sheet must add up to (the approved amount); refused when it differs")
}

// Sheet is the sheet at path, read as f asks.
func (f SheetFlags) Sheet(path string) door.Sheet {
	return door.Sheet{Path: path, Name: f.Name, Region: f.Region, AllowDuplicates: f.AllowDuplicates, ExpectTotal: f.ExpectTotal, Limits: SheetLimits}
}

// PlanFlags are what run and plan share.
type PlanFlags struct {
	SheetFlags
	Reference, Period, By string
	AllowRepeat           bool
	PayBy                 string // link: every row paid by link
}

// Register adds the flags.
func (pf *PlanFlags) Register(fs *pflag.FlagSet) {
	pf.SheetFlags.Register(fs)
	fs.StringVar(&pf.Reference, "reference", "", "batch reference (default: the sheet's file name without extension)")
	fs.StringVar(&pf.SandboxURL, "sandbox", "", "pay through the sandbox at this `URL` (a running bulkpay sandbox)")
	fs.StringVar(&pf.Period, "period", "", "pay period YYYY-MM (default: the year-month in the reference or file name, else this month)")
	fs.BoolVar(&pf.AllowRepeat, "allow-repeat", false, "pay rows that another batch already pays for the same period")
	fs.StringVar(&pf.By, "by", "", "who plans the batch (default: the login name)")
	fs.StringVar(&pf.PayBy, "pay-by", "", "link: pay every row by link (the beneficiary claims it; see bulkpay links)")
}

// Plan is the sheet at path to plan as pf asks under cfg, planned now.
func (pf PlanFlags) Plan(path string, cfg config.Config, now time.Time) (door.Plan, error) {
	if pf.PayBy != "" && pf.PayBy != batch.PayByLink {
		return door.Plan{}, fmt.Errorf("--pay-by %q: write --pay-by link, or leave it out to pay as each row says: %w", pf.PayBy, batch.ErrInvalid)
	}
	return door.Plan{Sheet: pf.Sheet(path), Reference: pf.Reference, Period: pf.Period, By: providers.Or(pf.By, Login()),
		Fees: cfg.Fees(), Policy: cfg.Policy(), Now: now, PayBy: pf.PayBy}, nil
}

// DecisionFlags are the --note and --by of a command that records a
// person's decision on a batch: cancel, confirm, resolve.
type DecisionFlags struct {
	Note, By string
	why      string // what the note says, for the refusal of an empty one
}

// Register adds the flags; why is what the note says.
func (d *DecisionFlags) Register(fs *pflag.FlagSet, noteUsage, byUsage, why string) {
	fs.StringVar(&d.Note, "note", "", noteUsage)
	fs.StringVar(&d.By, "by", "", byUsage+" (default: the login name)")
	d.why = why
}

// Check refuses a decision without a note.
func (d DecisionFlags) Check() error {
	if strings.TrimSpace(d.Note) == "" {
		return Usagef("--note is required: %s", d.why)
	}
	return nil
}

// Actor is who decides: --by, else the login name.
func (d DecisionFlags) Actor() string { return providers.Or(d.By, Login()) }
