package render

import (
	"fmt"
	"io"
	"net"
	"time"

	"bulkpay/batch"
)

// Cancelled shows what cancelling b's payouts did and gives the error for
// the exit code: batch.ErrUnfinished while payouts already sent or in doubt
// are left to finish or settle.
func Cancelled(w io.Writer, b batch.Batch, res batch.CancelResult) error {
	fmt.Fprintf(w, "batch %s: %d payout(s) never sent cancelled, %s %s\n", b.Reference, res.Items,
		batch.Money(res.Amount), b.Currency)
	if n := res.LeftOpen(); n > 0 {
		fmt.Fprintf(w, "%d payout(s) already sent or in doubt are not cancelled: they finish or settle; `bulkpay resume %s` settles them\n",
			n, b.Reference)
		return batch.ErrUnfinished
	}
	return nil
}

// Approved shows the approval of b's plan, of items items, by by.
func Approved(w io.Writer, b batch.Batch, items int, by string, ap batch.Approval) {
	fmt.Fprintf(w, "batch %s approved by %s: plan hash %s, %d items, %s %s, fees %s\n", b.Reference, by, ap.Hash,
		items, batch.Money(b.TotalAmount), b.Currency, batch.Money(b.Charge))
}

// Resolved shows a person's decision on row, an item of b in review, at.
func Resolved(w io.Writer, b batch.Batch, row int, d batch.Decision, at time.Time) {
	fmt.Fprintf(w, "row %d of batch %s: %s (by %s at %s)\n", row, b.Reference, d.To, d.By, at.UTC().Format(time.RFC3339))
}

// Verified shows what checking the ledger of b, with its items, found, and
// gives the error for the exit code: batch.ErrFindings with any finding.
func Verified(w io.Writer, b batch.Batch, items int, findings []batch.Finding) error {
	for _, f := range findings {
		fmt.Fprintln(w, f)
	}
	if len(findings) > 0 {
		return fmt.Errorf("%w: %d finding(s) in batch %s", batch.ErrFindings, len(findings), b.Reference)
	}
	fmt.Fprintf(w, "batch %s: %d items, ledger consistent\n", b.Reference, items)
	return nil
}

// SandboxNames says how many registered names the sandbox read from file.
func SandboxNames(w io.Writer, n int, file string) {
	fmt.Fprintf(w, "%d registered names from %s\n", n, file)
}

// SandboxListening says on out where the sandbox serves what, and warns on
// errw when it listens where other machines reach it (remote).
func SandboxListening(out, errw io.Writer, addr net.Addr, remote bool) {
	if remote {
		fmt.Fprintf(errw, "WARNING: --allow-remote: the sandbox on %s can be reached from other machines, without any authentication: they can read every payout (names, phones, amounts) and set faults and tamper with records\n", addr)
	}
	fmt.Fprintf(out, "sandbox listening on http://%s (CamPay /campay/api, CinetPay /cinetpay/v1 (its 2026 API /cinetpay-api), My-CoolPay /mycoolpay/api, Camoo /camoo/v1/payment and SMS /camoo/v1/sms.json, MTN MoMo /momo; payouts at /_sandbox/payouts, SMS at /_sandbox/messages)\n", addr)
}

// Starting is what run says of the batch it is about to pay: planned now
// (created) and stored in ledger, or resumed.
func Starting(b batch.Batch, created bool, ledger string) string {
	if created {
		return fmt.Sprintf("planned batch %s: %d items, %s %s, charges %s, period %s (ledger %s)", b.Reference, b.ItemCount,
			batch.Money(b.TotalAmount), b.Currency, batch.Money(b.Charge), b.Period, ledger)
	}
	return fmt.Sprintf("resuming batch %s (id %d)", b.Reference, b.ID)
}
