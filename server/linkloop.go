package server

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"bulkpay/batch"
	"bulkpay/internal/door"
)

// The actors of what the server does with links on its own.
const (
	cronActor   = "cron"   // the expiry sweep, invitations and reminders
	systemActor = "system" // a claimed link's payout started
)

// Causes of the runs the links start.
const causeClaimPaid = "paying a claimed link"

// linkStore is the ledger's links, when it keeps them.
func (s *Server) linkStore() (batch.LinkStore, bool) {
	ls, ok := s.opt.Store.(batch.LinkStore)
	return ls, ok
}

// linkService is the links' use cases over the ledger, with msg sending
// their messages (nil: none is sent by the caller).
func (s *Server) linkService(ls batch.LinkStore, msg batch.Messenger) batch.LinkService {
	return batch.LinkService{Store: ls, Items: s.opt.Store, Messenger: msg, Now: s.opt.Now, Key: s.linkKey}
}

// LinkKeyEnv names the environment variable holding the key of the links'
// code hashes. Several servers sharing a ledger need the same one; without
// it each process makes its own, and a code asked from a process that has
// since restarted is asked again.
const LinkKeyEnv = "BULKPAY_LINK_KEY"

func linkKey() ([]byte, error) {
	if k := os.Getenv(LinkKeyEnv); k != "" {
		if len(k) < 16 {
			return nil, fmt.Errorf("%s is too short: give at least 16 random characters (e.g. openssl rand -hex 32)", LinkKeyEnv)
		}
		return []byte(k), nil
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("a key for the links' codes: %w", err)
	}
	return k, nil
}

// kickLinks starts a links pass at once (a batch was approved: its links go out).
func (s *Server) kickLinks() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// linksLoop runs a links pass every every, or when kicked, until the server
// closes.
func (s *Server) linksLoop(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.linksPass(s.base); err != nil && s.base.Err() == nil {
			s.opt.Log.Warn("links pass", "err", err)
		}
		select {
		case <-s.base.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
	}
}

// linkPass is what one links pass did.
type linkPass struct {
	Expired int
	Sent    batch.SendReport
	Started []string // the batches whose claimed links began to be paid
}

// linksPass expires the links past their expiry (no money moves), sends the
// invitations and due reminders of the open links of every batch whose
// approval is in place, and starts paying the batches whose claimed links
// are still unpaid and that nothing pays (a claim starts its batch at once;
// this catches a claim made while a run was ending, or before a restart).
func (s *Server) linksPass(ctx context.Context) (linkPass, error) {
	var out linkPass
	ls, ok := s.linkStore()
	if !ok {
		return out, nil
	}
	exp, err := s.linkService(ls, nil).Expire(ctx, 0, cronActor)
	out.Expired = exp.Expired
	if err != nil {
		return out, fmt.Errorf("expire links: %w", err)
	}
	if exp.Expired > 0 {
		s.opt.Log.Info("links expired", "links", exp.Expired, "amount", exp.Amount)
	}
	links, err := ls.Links(ctx, 0)
	if err != nil {
		return out, fmt.Errorf("read links: %w", err)
	}
	now := s.opt.Now()
	open, unpaid := map[int64]bool{}, map[int64]bool{}
	for _, l := range links {
		switch {
		case l.Open(now):
			open[l.BatchID] = true
		case l.Status == batch.LinkClaimed && l.ItemState == batch.Planned:
			unpaid[l.BatchID] = true
		}
	}
	if len(open) == 0 && len(unpaid) == 0 {
		return out, nil
	}
	bs, err := s.opt.Store.Batches(ctx)
	if err != nil {
		return out, fmt.Errorf("read batches: %w", err)
	}
	var errs []error
	for _, b := range bs {
		if !open[b.ID] && !unpaid[b.ID] {
			continue
		}
		if err := batch.AuthorizeRun(ctx, s.opt.Store, b, s.opt.Policy, b.PlanHash); err != nil {
			continue // not approved yet: nothing goes out, nothing is paid
		}
		if open[b.ID] {
			rep, err := s.sendLinks(ctx, ls, b)
			out.Sent.Invitations += rep.Invitations
			out.Sent.Reminders += rep.Reminders
			out.Sent.Messages += rep.Messages
			out.Sent.Failed += rep.Failed
			out.Sent.Charge += rep.Charge
			out.Sent.Cost += rep.Cost
			if err != nil {
				errs = append(errs, err)
			}
		}
		if unpaid[b.ID] && s.payClaimed(ctx, b) {
			out.Started = append(out.Started, b.Reference)
		}
	}
	return out, errors.Join(errs...)
}

// sendLinks sends b's invitations and due reminders.
func (s *Server) sendLinks(ctx context.Context, ls batch.LinkStore, b batch.Batch) (batch.SendReport, error) {
	msg, err := s.messenger(ctx)
	if err != nil {
		return batch.SendReport{}, fmt.Errorf("links of batch %s: %w", b.Reference, err)
	}
	rep, err := door.SendLinks(ctx, s.linkService(ls, msg), s.opt.Config, b, s.claimBase(), cronActor)
	if rep.Messages+rep.Failed > 0 {
		s.opt.Log.Info("link messages", "batch", b.Reference, "invitations", rep.Invitations, "reminders", rep.Reminders,
			"sent", rep.Messages, "failed", rep.Failed)
	}
	return rep, err
}

// claimBase is where the claim pages are reached: the public URL, else the
// server's own address.
func (s *Server) claimBase() string {
	return strings.TrimSuffix(cmp.Or(s.opt.PublicURL, s.opt.Config.PublicURL, s.opt.Target.CallbackURL), "/")
}

// payClaimed starts paying b in the background, with the same runner as any
// batch, unless this server already pays it, a person paused it here, or
// another process holds it (its run pays the claimed items). It says whether
// a run began.
func (s *Server) payClaimed(ctx context.Context, b batch.Batch) bool {
	if last, ok := s.runs.last(b.ID); ok && last.Paused {
		return false
	}
	err := s.startBatch(ctx, b, systemActor, causeClaimPaid)
	var locked *batch.LockedError
	switch {
	case err == nil:
		return true
	case errors.Is(err, ErrRunning) || errors.As(err, &locked):
		s.runs.again(b.ID) // the run in progress may have passed the item: run once more after it
		return false
	}
	s.opt.Log.Warn("pay a claimed link", "batch", b.Reference, "err", err)
	return false
}
