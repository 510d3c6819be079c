package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"bulkpay/batch"
)

// progress shows people how a run goes: a bar per provider lane on a terminal,
// one plain line per state change otherwise. It is kept apart from the logs.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	bars    map[string]*mpb.Bar
	p       *mpb.Progress
	settled map[int64]bool
	quiet   bool
}

func (a *app) newProgress(b batch.Batch, items []batch.Item, lanes map[string]batch.Lane) *progress {
	pr := &progress{w: a.stderr, settled: map[int64]bool{}, quiet: a.quiet}
	open := map[string]int64{}
	var total int
	for _, it := range items {
		if !it.State.Terminal() && it.State != batch.Review {
			open[it.Provider]++
			total++
		}
	}
	f, isFile := a.stderr.(*os.File)
	if a.quiet || !isFile || !term.IsTerminal(int(f.Fd())) {
		a.say("paying %d open item(s) of batch %s", total, b.Reference)
		return pr
	}
	pr.p = mpb.New(mpb.WithOutput(a.stderr), mpb.WithWidth(40))
	pr.bars = map[string]*mpb.Bar{}
	var names []string
	for name := range lanes {
		if open[name] > 0 {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		pr.bars[name] = pr.p.AddBar(open[name],
			mpb.PrependDecorators(decor.Name(fmt.Sprintf("%-10s", name)), decor.CountersNoUnit(" %d/%d settled")),
			mpb.AppendDecorators(decor.Percentage()))
	}
	return pr
}

// Moved implements batch.Observer.
func (pr *progress) Moved(it batch.Item, from, to batch.State) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.p == nil {
		if !pr.quiet {
			ref := ""
			if it.ProviderReference != "" {
				ref = " ref " + it.ProviderReference
			}
			fmt.Fprintf(pr.w, "row %d  %s  %s  %s  %s: %s → %s%s\n", it.Row, it.Name, displayPhone(it.Phone), money(it.Amount), it.Provider, from, to, ref)
		}
		return
	}
	if to.Terminal() || to == batch.Review {
		if !pr.settled[it.ID] {
			pr.settled[it.ID] = true
			if bar := pr.bars[it.Provider]; bar != nil {
				bar.Increment()
			}
		}
	}
}

func (pr *progress) done() {
	if pr.p == nil {
		return
	}
	for _, bar := range pr.bars {
		bar.SetTotal(-1, true)
	}
	pr.p.Wait()
}

// displayPhone writes E.164 digits with their '+', and a wallet id as it is.
func displayPhone(p string) string {
	if p != "" && strings.Trim(p, "0123456789") == "" {
		return "+" + p
	}
	return p
}
