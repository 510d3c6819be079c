package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

// syncBuffer is a bytes.Buffer safe for the bars' goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// setUp runs the root command's setup with args, as a command would, and
// returns the app with what it wrote to stderr.
func setUp(t *testing.T, args ...string) (*app, *syncBuffer) {
	t.Helper()
	var errb syncBuffer
	a := &app{stdout: io.Discard, stderr: &errb}
	root := newRoot(a)
	root.SetArgs(append([]string{"list", "--db", filepath.Join(t.TempDir(), "l.db")}, args...))
	require.NoError(t, root.ExecuteContext(context.Background()))
	return a, &errb
}

func TestQuietLeavesOnlyErrorsInTheLogs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args       []string
		warn, info bool
	}{
		{nil, true, false},
		{[]string{"--quiet"}, false, false},
		{[]string{"-q", "--log-format", "json"}, false, false},
		{[]string{"-q", "--log-level", "warn"}, true, false}, // asked for explicitly
		{[]string{"--log-level", "info"}, true, true},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			a, errb := setUp(t, tc.args...)
			a.log.Info("an item moved")
			a.log.Warn("status check failed")
			a.log.Error("the ledger could not record a step")
			assert.Equal(t, tc.warn, strings.Contains(errb.String(), "status check failed"), errb.String())
			assert.Equal(t, tc.info, strings.Contains(errb.String(), "an item moved"), errb.String())
			assert.Contains(t, errb.String(), "the ledger could not record a step", "errors are always shown")
		})
	}
}

// items are five open items: three on campay, two on mycoolpay.
func progressItems() (batch.Batch, []batch.Item, map[string]batch.Lane) {
	b := batch.Batch{Reference: "paie"}
	var items []batch.Item
	for i, p := range []string{"campay", "campay", "campay", "mycoolpay", "mycoolpay"} {
		items = append(items, batch.Item{ID: int64(i + 1), Row: i + 2, Name: "N", Provider: p, State: batch.Planned,
			Route: []string{p, "mycoolpay"}})
	}
	items = append(items, batch.Item{ID: 9, Row: 9, Provider: "campay", State: batch.Succeeded}) // paid by an earlier run
	return b, items, map[string]batch.Lane{"campay": {}, "mycoolpay": {}}
}

// moveAll plays a run: paid, failed, failed over then paid, in review; and a
// repeated final event that must not count twice.
func moveAll(pr *progress, items []batch.Item) {
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
	var errb syncBuffer
	a := &app{stderr: &errb}
	b, items, lanes := progressItems()
	pr := a.newProgress(b, items, lanes)
	moveAll(pr, items)
	pr.done()
	assert.Equal(t, "campay 1 paid, 1 failed of 2; mycoolpay 1 paid, 0 failed, 1 to review of 3", pr.String())
	out := errb.String()
	assert.Contains(t, out, "paying 5 open item(s) of batch paie\n")
	assert.Contains(t, out, "row 3  N    0  campay: submitting → failed\n", "off a terminal, a line per change")

	var quiet syncBuffer
	a = &app{stderr: &quiet, quiet: true}
	pr = a.newProgress(b, items, lanes)
	moveAll(pr, items)
	assert.Equal(t, "campay 1 paid, 1 failed of 2; mycoolpay 1 paid, 0 failed, 1 to review of 3", pr.String())
	assert.Empty(t, quiet.String(), "--quiet: no progress lines")
}

func TestBarsKeepTheirCountsAndLogsGoAboveThem(t *testing.T) {
	// as on a terminal: bars are drawn (onTerminal is replaced, so not parallel)
	defer func(f func(io.Writer) bool) { onTerminal = f }(onTerminal)
	onTerminal = func(io.Writer) bool { return true }

	a, errb := setUp(t)
	b, items, lanes := progressItems()
	pr := a.newProgress(b, items, lanes)
	require.NotNil(t, pr.p, "bars are drawn")
	assert.Same(t, pr.p, a.logs.w, "while bars are drawn, log lines go through them, above the bars")
	a.log.Warn("status check failed", "row", 4)
	moveAll(pr, items)
	pr.done() // as after Ctrl-C: one campay item and one mycoolpay item are not settled
	assert.Same(t, io.Writer(errb), a.logs.w, "the logs go back to stderr")

	out := errb.String()
	assert.Contains(t, out, "level=WARN msg=\"status check failed\" row=4\n")
	last := out[strings.LastIndex(out, "campay "):]
	assert.Contains(t, last, "1 paid, 1 failed of 2", "the bar keeps its counts")
	assert.Contains(t, last, "mycoolpay  [")
	assert.Contains(t, last, "1 paid, 0 failed, 1 to review of 3")
	assert.NotContains(t, out, "of 0", "no bar lost its total")
}
