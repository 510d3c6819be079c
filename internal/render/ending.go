package render

import (
	"errors"
	"fmt"
	"io"

	"bulkpay/batch"
)

// Ending is how a run of a batch ended: its standing, the run's error and
// where its reports went.
type Ending struct {
	Standing batch.Standing
	View     View   // with the commands that deal with the batch
	Err      error  // the run's
	Reports  string // the folder its reports were written to, or:
	// ReportsErr says why they could not be written into ReportsDir; Ledger
	// holds the payments and ReportCommand writes the reports later.
	ReportsErr                        error
	ReportsDir, Ledger, ReportCommand string
	JSON                              bool // the status goes to out as JSON; the summary to errw, unless Quiet
	Quiet                             bool
}

// End shows how a run ended: the summary, where the reports are (a report
// that cannot be written is a warning: the payments decide the exit code),
// and what to run next. It returns the error for the exit code: the run's,
// else the batch's outcome.
func End(out, errw io.Writer, e Ending) error {
	b := e.Standing.Summary.Batch
	sum := out
	if e.JSON {
		sum = errw
	}
	e.View.Interrupted = errors.Is(e.Err, batch.ErrInterrupted)
	if !e.JSON || !e.Quiet {
		Summary(sum, e.Standing.Summary, e.View)
	}
	if e.ReportsErr != nil {
		fmt.Fprintf(errw, "WARNING: the reports of batch %s could not be written to %s: %v\n"+
			"The payments are recorded in the ledger %s; write the reports into a folder you can write to with `%s`\n",
			b.Reference, e.ReportsDir, e.ReportsErr, e.Ledger, e.ReportCommand)
	} else {
		fmt.Fprintf(sum, "Reports: %s (reconciliation.xlsx, reconciliation.csv, summary.json)\n", e.Reports)
	}
	if e.JSON {
		if err := Status(out, e.Standing.Summary, e.Standing.Reconciliation); err != nil {
			return errors.Join(e.Err, err)
		}
	}
	switch {
	case e.View.Interrupted:
		fmt.Fprintf(errw, "Interrupted: what was sent is recorded; run `%s` to finish. Nobody is paid twice.\n", e.View.next(b, "resume"))
	case e.Err != nil:
		fmt.Fprintf(errw, "The run stopped before the end. Every step taken is in the ledger: once the cause below is dealt with, run `%s` to finish; nobody is paid twice.\n", e.View.next(b, "resume"))
	default:
		return batch.Outcome(e.Standing.Summary)
	}
	return e.Err
}

// Failure says why a command failed on errw: failed and unfinished items
// are already in the summary; a panic caught in a lane adds its stack.
func Failure(errw io.Writer, err error) {
	if err == nil || errors.Is(err, batch.ErrFailed) || errors.Is(err, batch.ErrUnfinished) {
		return
	}
	fmt.Fprintln(errw, "bulkpay:", err)
	var pe *batch.PanicError
	if errors.As(err, &pe) {
		fmt.Fprintf(errw, "%s\n%s\n", pe.Stack, pleaseReport)
	}
}

const pleaseReport = "This is a bug in bulkpay; please report it with the lines above."

// Crash says that bulkpay panicked with v at stack and what to run to finish
// the batch it was paying (finish: that command, or "" when no payment had
// started).
func Crash(errw io.Writer, v any, stack []byte, finish, reference string) {
	fmt.Fprintf(errw, "bulkpay: internal error (a bug in bulkpay): %v\n%s\n%s\n", v, stack, pleaseReport)
	if finish == "" {
		fmt.Fprintln(errw, "No payment had started: nothing was sent.")
		return
	}
	fmt.Fprintf(errw, "Every step taken is in the ledger: run `%s` to finish batch %s; nothing will be paid twice.\n", finish, reference)
}
