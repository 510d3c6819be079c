package render_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/internal/render"
)

func TestCancelledSaysWhatIsLeftToSettle(t *testing.T) {
	t.Parallel()
	b := batch.Batch{Reference: "paie-03", Currency: "XAF"}
	var w strings.Builder
	require.NoError(t, render.Cancelled(&w, b, batch.CancelResult{Items: 2, Amount: 15000}))
	assert.Equal(t, "batch paie-03: 2 payout(s) never sent cancelled, 15 000 XAF\n", w.String())

	w.Reset()
	left := batch.CancelResult{Items: 1, Amount: 5000, Left: batch.Counts{batch.Unknown: 1}}
	require.ErrorIs(t, render.Cancelled(&w, b, left), batch.ErrUnfinished, "what may have been sent is not cancelled")
	assert.Contains(t, w.String(), "1 payout(s) already sent or in doubt are not cancelled")
	assert.Contains(t, w.String(), "`bulkpay resume paie-03` settles them")
}

func TestVerifiedListsTheFindings(t *testing.T) {
	t.Parallel()
	b := batch.Batch{Reference: "paie-03"}
	var w strings.Builder
	require.NoError(t, render.Verified(&w, b, 3, nil))
	assert.Equal(t, "batch paie-03: 3 items, ledger consistent\n", w.String())

	w.Reset()
	findings := []batch.Finding{{Row: 2, Message: "two accepted references"}, {Message: "totals differ"}}
	err := render.Verified(&w, b, 3, findings)
	require.ErrorIs(t, err, batch.ErrFindings)
	assert.Contains(t, err.Error(), "2 finding(s) in batch paie-03")
	assert.Equal(t, "row 2: two accepted references\nbatch: totals differ\n", w.String())
}

func TestSandboxListeningWarnsWhenOthersCanReachIt(t *testing.T) {
	t.Parallel()
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8089}
	var out, errw strings.Builder
	render.SandboxListening(&out, &errw, addr, false)
	assert.True(t, strings.HasPrefix(out.String(), "sandbox listening on http://127.0.0.1:8089 (CamPay /campay/api"),
		out.String())
	assert.Empty(t, errw.String())
	render.SandboxListening(&out, &errw, addr, true)
	assert.Contains(t, errw.String(), "WARNING: --allow-remote: the sandbox on 127.0.0.1:8089 can be reached from other machines")
}

func TestStartingSaysWhatRunPays(t *testing.T) {
	t.Parallel()
	b := batch.Batch{ID: 7, Reference: "paie-03", ItemCount: 2, TotalAmount: 15000, Charge: 300, Currency: "XAF",
		Period: "2026-03"}
	assert.Equal(t, "planned batch paie-03: 2 items, 15 000 XAF, charges 300, period 2026-03 (ledger bulkpay.db)",
		render.Starting(b, true, "bulkpay.db"))
	assert.Equal(t, "resuming batch paie-03 (id 7)", render.Starting(b, false, "bulkpay.db"))
}

func TestLinksSentSaysWhatIsLeftToSend(t *testing.T) {
	t.Parallel()
	b := batch.Batch{Reference: "paie-03", Currency: "XAF"}
	var w strings.Builder
	require.NoError(t, render.LinksSent(&w, b, nil, nil, batch.LinkTotals{}, 0, false))
	assert.Equal(t, "batch paie-03 pays nobody by link\n", w.String())
	err := render.LinksSent(&w, b, nil, nil, batch.LinkTotals{}, 2, false)
	require.ErrorIs(t, err, batch.ErrUnfinished)
	assert.Contains(t, err.Error(), "2 message(s) could not be sent; the next `bulkpay links paie-03 --send` tries again")
}

func TestSandboxNames(t *testing.T) {
	t.Parallel()
	var w strings.Builder
	render.SandboxNames(&w, 12, "samples/momo-names-2026-11.csv")
	assert.Equal(t, "12 registered names from samples/momo-names-2026-11.csv\n", w.String())
}

func TestApprovedResolvedAndAPIKey(t *testing.T) {
	t.Parallel()
	b := batch.Batch{Reference: "paie-03", TotalAmount: 15000, Charge: 300, Currency: "XAF"}
	var w strings.Builder
	render.Approved(&w, b, 2, "ada", batch.Approval{Hash: "9f2c"})
	assert.Equal(t, "batch paie-03 approved by ada: plan hash 9f2c, 2 items, 15 000 XAF, fees 300\n", w.String())

	w.Reset()
	at := time.Date(2026, 3, 9, 11, 0, 0, 0, time.FixedZone("WAT", 3600))
	render.Resolved(&w, b, 4, batch.Decision{To: batch.Succeeded, By: "ada", Note: "paid"}, at)
	assert.Equal(t, "row 4 of batch paie-03: succeeded (by ada at 2026-03-09T10:00:00Z)\n", w.String())

	var out, errw strings.Builder
	render.APIKey(&out, &errw, "ada", "bpk_secret")
	assert.Equal(t, "bpk_secret\n", out.String(), "only the key on stdout, for a script")
	assert.Contains(t, errw.String(), "API key of ada: shown this once")
	assert.NotContains(t, errw.String(), "bpk_secret")
}

func TestCopiedListsTablesThenDifferences(t *testing.T) {
	t.Parallel()
	var out, errw strings.Builder
	render.Copied(&out, &errw, nil, nil)
	assert.Empty(t, out.String()+errw.String(), "nothing copied, nothing said")

	render.Copied(&out, &errw, []render.CopiedTable{{Table: "items", Source: 1200, Copy: 1200}, {Table: "events", Source: 3600, Copy: 3599}},
		[]string{"item 7: state succeeded in the source, pending in the copy"})
	assert.Equal(t, "table   source  copy  \nitems   1200    1200  \nevents  3600    3599  \n", out.String())
	assert.Equal(t, "difference: item 7: state succeeded in the source, pending in the copy\n", errw.String())
}
