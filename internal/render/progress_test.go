package render_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/internal/render"
	"bulkpay/internal/testsupport"
)

// items are five open items: three on campay, two on mycoolpay.
func progressItems() (batch.Batch, []batch.Item, []string) {
	b := batch.Batch{Reference: "paie"}
	var items []batch.Item
	for i, p := range []string{"campay", "campay", "campay", "mycoolpay", "mycoolpay"} {
		items = append(items, batch.Item{ID: int64(i + 1), Row: i + 2, Name: "N", Provider: p, State: batch.Planned,
			Route: []string{p, "mycoolpay"}})
	}
	items = append(items, batch.Item{ID: 9, Row: 9, Provider: "campay", State: batch.Succeeded}) // paid by an earlier run
	return b, items, []string{"campay", "mycoolpay"}
}

// moveAll plays a run: paid, failed, failed over then paid, in review; and a
// repeated final event that must not count twice.
func moveAll(pr *render.Progress, items []batch.Item) {
	at := func(i int, provider string) batch.Item {
		it := items[i]
		it.Provider = provider
		return it
	}
	pr.Moved(at(0, "campay"), batch.Submitting, batch.Pending)
	pr.Moved(at(0, "campay"), batch.Pending, batch.Succeeded)
	pr.Moved(at(0, "campay"), batch.Pending, batch.Succeeded)
	pr.Moved(at(1, "campay"), batch.Submitting, batch.Failed)
	pr.Moved(at(2, "mycoolpay"), batch.Submitting, batch.Planned) // failover
	pr.Moved(at(2, "mycoolpay"), batch.Submitting, batch.Succeeded)
	pr.Moved(at(3, "mycoolpay"), batch.Unknown, batch.Review)
}

func TestProgressCountsFailedApartFromPaid(t *testing.T) {
	t.Parallel()
	var errb testsupport.Buffer
	b, items, lanes := progressItems()
	pr := render.NewProgress(&errb, false, render.NewLogSink(&errb), b, items, lanes)
	moveAll(pr, items)
	pr.Done()
	assert.Equal(t, "campay 1 paid, 1 failed of 2; mycoolpay 1 paid, 0 failed, 1 to review of 3", pr.String())
	out := errb.String()
	assert.Contains(t, out, "paying 5 open item(s) of batch paie\n")
	assert.Contains(t, out, "row 3  N    0  campay: submitting → failed\n", "off a terminal, a line per change")
	assert.True(t, pr.ShowsItems(), "its lines name the items: the runner reads them whole")

	var quiet testsupport.Buffer
	pr = render.NewProgress(&quiet, true, render.NewLogSink(&quiet), b, items, lanes)
	moveAll(pr, items)
	assert.Equal(t, "campay 1 paid, 1 failed of 2; mycoolpay 1 paid, 0 failed, 1 to review of 3", pr.String())
	assert.Empty(t, quiet.String(), "--quiet: no progress lines")
	assert.False(t, pr.ShowsItems(), "--quiet: no item is read back to be shown")
}

func TestBarsKeepTheirCountsAndLogsGoAboveThem(t *testing.T) {
	// as on a terminal: bars are drawn (onTerminal is replaced, so not parallel)
	defer func(f func(io.Writer) bool) { render.OnTerminal = f }(render.OnTerminal)
	render.OnTerminal = func(io.Writer) bool { return true }

	errb := &testsupport.Buffer{}
	logs := render.NewLogSink(errb)
	log := slog.New(slog.NewTextHandler(logs, nil))
	b, items, lanes := progressItems()
	pr := render.NewProgress(errb, false, logs, b, items, lanes)
	assert.False(t, pr.ShowsItems(), "bars show counts, not items")
	bars := logs.To(nil)
	logs.To(bars)
	require.NotSame(t, io.Writer(errb), bars, "while bars are drawn, log lines go through them, above the bars")
	log.Warn("status check failed", "row", 4)
	moveAll(pr, items)
	pr.Done() // as after Ctrl-C: one campay item and one mycoolpay item are not settled
	assert.Same(t, io.Writer(errb), logs.To(errb), "the logs go back to stderr")

	out := errb.String()
	assert.Contains(t, out, "level=WARN msg=\"status check failed\" row=4\n")
	last := out[strings.LastIndex(out, "campay "):]
	assert.Contains(t, last, "1 paid, 1 failed of 2", "the bar keeps its counts")
	assert.Contains(t, last, "mycoolpay  [")
	assert.Contains(t, last, "1 paid, 0 failed, 1 to review of 3")
	assert.NotContains(t, out, "of 0", "no bar lost its total")
}

// The progress keeps a byte an item over the batch's ids: items given a page
// at a time, ids out of order and far apart, are counted as a slice of them is.
func TestWatchProgressCountsItemsReadOneAtATime(t *testing.T) {
	t.Parallel()
	b, items, lanes := progressItems()
	far := []int64{1 << 40, 7, 3, 1<<40 + 5, 1}
	for i := range far {
		items[i].ID = far[i]
	}
	var errb testsupport.Buffer
	read := 0
	pr, err := render.WatchProgress(&errb, true, nil, b, func(fn func(batch.Item) error) error {
		for _, it := range items {
			read++
			if err := fn(it); err != nil {
				return err
			}
		}
		return nil
	}, lanes)
	require.NoError(t, err)
	assert.Equal(t, len(items), read)
	moveAll(pr, items)
	assert.Equal(t, "campay 1 paid, 1 failed of 2; mycoolpay 1 paid, 0 failed, 1 to review of 3", pr.String())

	_, err = render.WatchProgress(&errb, true, nil, b, func(func(batch.Item) error) error { return assert.AnError }, lanes)
	require.ErrorIs(t, err, assert.AnError, "an item that cannot be read stops the progress")
}
