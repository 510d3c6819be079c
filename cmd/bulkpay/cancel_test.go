package main

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/internal/cli"
	"bulkpay/providers/sandbox"
)

// TestCancelWaitsForTheRunThenCancelsWhatWasNeverSent: a cancel while another
// run pays the batch is refused; once that run is interrupted, the payouts
// never sent are cancelled and never reach the provider, and a resume pays
// nothing new.
func TestCancelWaitsForTheRunThenCancelsWhatWasNeverSent(t *testing.T) {
	t.Parallel()
	errb := saying("interrupted: no new payout is sent")
	h := runHeld(t, 20, 2, errb)
	r := bulkpay(t, h.dir, "cancel", "big", "--note", "wrong month")
	assert.Equal(t, cli.ExitHeld, r.code, r.stderr)
	assert.Contains(t, r.stderr, "batch big is being run by pid")

	require.NoError(t, h.run.Process.Signal(os.Interrupt))
	// the held payouts are answered only once the run has heard the
	// interrupt: it sends nothing more, however slow the machine
	h.run.until(t, errb.ch, "the interrupt acknowledged")
	h.release()
	var ee *exec.ExitError
	require.ErrorAs(t, h.run.wait(), &ee)
	require.Equal(t, cli.ExitInterrupted, ee.ExitCode())
	sent := map[string]bool{}
	for _, p := range payouts(t, h.sim.URL) {
		sent[p.ClientReference] = true
	}
	require.Less(t, len(sent), 20, "interrupted midway")

	r = bulkpay(t, h.dir, "cancel", "big")
	assert.Equal(t, cli.ExitInvalid, r.code, "a cancellation says why")
	r = bulkpay(t, h.dir, "cancel", "big", "--note", "wrong month", "--by", "awa")
	require.Contains(t, []int{cli.ExitOK, cli.ExitUnfinished}, r.code, r.stderr)
	assert.Contains(t, r.stdout, "payout(s) never sent cancelled")
	if r.code == cli.ExitUnfinished {
		assert.Contains(t, r.stdout, "are not cancelled: they finish or settle; `bulkpay resume big` settles them")
	}

	r = bulkpay(t, h.dir, "resume", "big", "--sandbox", h.sim.URL)
	require.Equal(t, 0, r.code, r.stderr)
	var cancelled int
	byRef := map[string][]sandbox.Payout{}
	for _, p := range payouts(t, h.sim.URL) {
		byRef[p.ClientReference] = append(byRef[p.ClientReference], p)
	}
	for _, l := range reportLines(t, h.dir, "big") {
		if !sent[l["reference"]] {
			cancelled++
			assert.Equal(t, "cancelled", l["state"], "row %s was never sent", l["row"])
			assert.Equal(t, "cancelled by awa: wrong month", l["message"])
			assert.Empty(t, byRef[l["reference"]], "row %s never reaches the provider", l["row"])
			continue
		}
		assert.Equal(t, "succeeded", l["state"], "row %s", l["row"])
		assert.Len(t, byRef[l["reference"]], 1, "row %s paid once", l["row"])
	}
	assert.Equal(t, 20-len(sent), cancelled)
	assert.Len(t, byRef, len(sent), "nothing new was paid")

	r = bulkpay(t, h.dir, "cancel", "big", "--note", "again")
	assert.Equal(t, cli.ExitError, r.code)
	assert.Contains(t, r.stderr, "nothing to cancel")
}
