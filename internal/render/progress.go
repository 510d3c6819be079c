package render

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"bulkpay/batch"
)

// LogSink is where log lines go: stderr, or, while bars are drawn, above them
// (through the bars' container) so that a log line and a bar never overwrite
// each other.
type LogSink struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *LogSink) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// NewLogSink sends log lines to w until bars are drawn.
func NewLogSink(w io.Writer) *LogSink { return &LogSink{w: w} }

// To sends the lines that follow to w and returns where they went before.
func (s *LogSink) To(w io.Writer) io.Writer {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.w
	s.w = w
	return prev
}

// laneTally is one lane's items as the run settles them; the bars read it while
// the runner writes it, hence the atomics.
type laneTally struct {
	total, paid, failed, review atomic.Int64
}

// String writes the tally as a bar shows it: "12 paid, 3 failed, 1 to review of 20".
func (t *laneTally) String() string {
	s := fmt.Sprintf("%d paid, %d failed", t.paid.Load(), t.failed.Load())
	if n := t.review.Load(); n > 0 {
		s += fmt.Sprintf(", %d to review", n)
	}
	return s + fmt.Sprintf(" of %d", t.total.Load())
}

// Progress shows people how a run goes: a bar per provider lane on a terminal,
// one plain line per state change otherwise. It is kept apart from the logs,
// which print above the bars while they are drawn.
type Progress struct {
	mu      sync.Mutex
	w       io.Writer
	quiet   bool
	tallies map[string]*laneTally // by provider
	marks   marks                 // the lane each item is counted on, and whether it settled
	names   []string              // the lanes marks number, in order of first use
	p       *mpb.Progress         // nil: plain lines
	bars    map[string]*mpb.Bar
	logs    *LogSink
	stderr  io.Writer // where the logs go back to once the bars are done
}

// OnTerminal reports whether w is a terminal, where bars can be drawn.
var OnTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// NewProgress starts showing a run of b's items on w, a bar per provider of
// lanes on a terminal: the open items are counted on their lane; logs, when
// set, print above the bars while they are drawn. quiet shows nothing.
func NewProgress(w io.Writer, quiet bool, logs *LogSink, b batch.Batch, items []batch.Item, lanes []string) *Progress {
	pr, _ := WatchProgress(w, quiet, logs, b, batch.ItemsIn(items), lanes) // a slice gives no error
	return pr
}

// WatchProgress is NewProgress over the items open gives, one at a time (a
// store's, a page at a time): it keeps a byte an item, not the items.
func WatchProgress(w io.Writer, quiet bool, logs *LogSink, b batch.Batch, open batch.ItemSource, lanes []string) (*Progress, error) {
	pr := &Progress{w: w, quiet: quiet, tallies: map[string]*laneTally{}}
	var total int
	err := open(func(it batch.Item) error {
		if !it.State.Terminal() && it.State != batch.Review {
			pr.count(it.Provider).total.Add(1)
			pr.marks.set(it.ID, pr.laneMark(it.Provider))
			total++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if quiet || !OnTerminal(w) {
		if !quiet {
			var out io.Writer = w
			if logs != nil {
				out = logs
			}
			fmt.Fprintf(out, "paying %d open item(s) of batch %s\n", total, b.Reference)
		}
		return pr, nil
	}
	pr.p = mpb.New(mpb.WithOutput(w), mpb.WithAutoRefresh())
	pr.bars = map[string]*mpb.Bar{}
	var names []string
	for _, name := range lanes {
		if pr.tallies[name] != nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		pr.addBar(name)
	}
	if logs != nil {
		pr.logs, pr.stderr = logs, logs.To(pr.p)
	}
	return pr, nil
}

// count returns the tally of a lane, made on first use. Called with pr.mu held
// or before the run starts.
func (pr *Progress) count(lane string) *laneTally {
	t := pr.tallies[lane]
	if t == nil {
		t = &laneTally{}
		pr.tallies[lane] = t
	}
	return t
}

// laneMark is the number marks keep for a lane. Called with pr.mu held or
// before the run starts.
func (pr *Progress) laneMark(lane string) byte {
	i := slices.Index(pr.names, lane)
	if i < 0 {
		if len(pr.names) == int(laneBits) {
			return 0 // more lanes than a mark can name: the item is no longer followed across lanes
		}
		pr.names = append(pr.names, lane)
		i = len(pr.names) - 1
	}
	return byte(i + 1)
}

// A mark is one item's byte: the lane it is counted on (its number in
// Progress.names, plus one; 0: not counted) and whether it settled.
const (
	laneBits   byte = 0x7f
	settledBit byte = 0x80
)

// marks keep a byte per item: a slice over the batch's ids, which a batch
// receives together (a million items take a megabyte), and a map for an id
// far from the others.
type marks struct {
	lo    int64
	dense []byte
	other map[int64]byte
}

// maxSpan bounds the ids the slice covers.
const maxSpan = 1 << 26

func (m *marks) get(id int64) byte {
	if i := id - m.lo; len(m.dense) > 0 && i >= 0 && i < int64(len(m.dense)) {
		return m.dense[i]
	}
	return m.other[id]
}

func (m *marks) set(id int64, v byte) {
	if len(m.dense) == 0 {
		m.lo = id
	}
	i := id - m.lo
	switch {
	case i >= 0 && i < int64(len(m.dense)):
		m.dense[i] = v
		return
	case i >= int64(len(m.dense)) && i < maxSpan:
		m.dense = append(m.dense, make([]byte, i+1-int64(len(m.dense)))...)
		m.dense[i] = v
		return
	case i < 0 && int64(len(m.dense))-i < maxSpan:
		grown := make([]byte, int64(len(m.dense))-i)
		copy(grown[-i:], m.dense)
		m.dense, m.lo = grown, id
		m.dense[0] = v
		return
	}
	if m.other == nil {
		m.other = map[int64]byte{}
	}
	m.other[id] = v
}

func (pr *Progress) addBar(name string) *mpb.Bar {
	t := pr.count(name)
	bar := pr.p.AddBar(t.total.Load(), mpb.BarWidth(30),
		mpb.PrependDecorators(decor.Name(fmt.Sprintf("%-10s", name))),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return t.String() })))
	pr.bars[name] = bar
	return bar
}

// ShowsItems implements batch.ItemShower: without bars, and unless quiet,
// every change is a line with the item's name, phone and amount.
func (pr *Progress) ShowsItems() bool { return pr.p == nil && !pr.quiet }

// Moved implements batch.Observer: it counts the item on its lane (an item
// that fails over moves to the next provider's lane) and shows the change.
func (pr *Progress) Moved(it batch.Item, from, to batch.State) {
	pr.mu.Lock()
	var grow, shrink *mpb.Bar
	var growTo, shrinkTo int64
	mark := pr.marks.get(it.ID)
	if lane := mark & laneBits; lane != 0 && pr.names[lane-1] != it.Provider {
		was := pr.names[lane-1]
		mark = mark&settledBit | pr.laneMark(it.Provider)
		pr.marks.set(it.ID, mark)
		old, now := pr.count(was), pr.count(it.Provider)
		old.total.Add(-1)
		now.total.Add(1)
		if pr.p != nil {
			shrink, shrinkTo = pr.bars[was], old.total.Load()
			if grow = pr.bars[it.Provider]; grow == nil {
				grow = pr.addBar(it.Provider)
			}
			growTo = now.total.Load()
		}
	}
	var step *mpb.Bar
	if (to.Terminal() || to == batch.Review) && mark&settledBit == 0 {
		pr.marks.set(it.ID, mark|settledBit)
		t := pr.count(it.Provider)
		switch to {
		case batch.Succeeded:
			t.paid.Add(1)
		case batch.Review:
			t.review.Add(1)
		default:
			t.failed.Add(1)
		}
		if pr.p != nil {
			step = pr.bars[it.Provider]
		}
	}
	if pr.p == nil && !pr.quiet {
		ref := ""
		if it.ProviderReference != "" {
			ref = " ref " + it.ProviderReference
		}
		fmt.Fprintf(pr.w, "row %d  %s  %s  %s  %s: %s → %s%s\n", it.Row, it.Name, Phone(it.Phone), batch.Money(it.Amount), it.Provider, from, to, ref)
	}
	pr.mu.Unlock()
	// the bars are told outside the lock: they read the tallies while drawing
	if shrink != nil {
		shrink.SetTotal(shrinkTo, false)
	}
	if grow != nil {
		grow.SetTotal(growTo, false)
	}
	if step != nil {
		step.Increment()
	}
}

// Done stops drawing. A bar whose items are not all settled (the run was
// interrupted, or payouts are still pending) stays as it stands, its counts
// kept; the logs go back to stderr.
func (pr *Progress) Done() {
	if pr.p == nil {
		return
	}
	for _, bar := range pr.bars {
		bar.Abort(false)
	}
	if pr.logs != nil {
		pr.logs.To(pr.stderr)
	}
	pr.p.Wait()
}

// String lists the lanes with their tallies: "campay 12 paid, 1 failed of 13; ...".
func (pr *Progress) String() string {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	names := slices.Sorted(maps.Keys(pr.tallies))
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + " " + pr.tallies[n].String()
	}
	return strings.Join(parts, "; ")
}

// Phone writes E.164 digits with their '+', and a wallet id as it is.
func Phone(p string) string {
	if p != "" && strings.Trim(p, "0123456789") == "" {
		return "+" + p
	}
	return p
}
