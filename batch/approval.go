package batch

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Policy is the approval rule a batch is held to. It is stored with the batch
// when it is planned and only ever made stricter afterwards, so that a command
// run without the config that set it is still held to it.
type Policy struct {
	RequireApproval bool `json:"require_approval"` // a run needs an approval of the exact plan hash
	FourEyes        bool `json:"four_eyes"`        // nobody who planned the batch may approve it
}

// Or is the stricter of two policies: each rule in force in either is in force.
func (p Policy) Or(q Policy) Policy {
	return Policy{RequireApproval: p.RequireApproval || q.RequireApproval, FourEyes: p.FourEyes || q.FourEyes}
}

func (p Policy) String() string {
	var rules []string
	if p.RequireApproval {
		rules = append(rules, "require_approval")
	}
	if p.FourEyes {
		rules = append(rules, "four_eyes")
	}
	if len(rules) == 0 {
		return "no approval rule"
	}
	return strings.Join(rules, ", ")
}

// Planners are the people recorded as having planned a batch: its creator and
// everyone who planned it again, each once, in order of first appearance.
func Planners(b Batch, recorded []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range append([]string{b.CreatedBy}, recorded...) {
		key := person(p)
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, strings.TrimSpace(p))
	}
	return out
}

// person is a name as four-eyes compares it: "Awa", " awa " and "AWA" are one person.
func person(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

func among(name string, people []string) bool {
	for _, p := range people {
		if person(p) == person(name) {
			return true
		}
	}
	return false
}

// Started reports whether any of a batch's items was ever sent: an item that
// has left planned (other than rejected at planning or waiting for its name to
// be confirmed) or has had an attempt.
func Started(items []Item) bool {
	for _, it := range items {
		if it.Attempts > 0 || (it.State != Planned && it.State != Rejected && it.State != ToConfirm) {
			return true
		}
	}
	return false
}

// CheckApprove says whether by may approve b's plan now, under pol (the batch's
// stored policy made stricter by the config in force) with planners (every
// person who planned it). A batch that has started paying, or is finished,
// cannot be approved: an approval would approve what was already done.
func CheckApprove(b Batch, items []Item, pol Policy, planners []string, by string) error {
	switch {
	case strings.TrimSpace(by) == "":
		return fmt.Errorf("an approval names its approver: pass --by NAME")
	case Started(items):
		return fmt.Errorf("batch %s has already started paying (or is finished): an approval now would approve payouts already sent; approve a batch before its first run", b.Reference)
	case pol.FourEyes && len(planners) == 0:
		return &Refusal{Rule: "four_eyes", Reason: fmt.Sprintf("batch %s has no recorded planner, so four_eyes cannot tell whether %s planned it: plan it again with `bulkpay plan SHEET --by NAME`", b.Reference, by)}
	case pol.FourEyes && among(by, planners):
		return &Refusal{Rule: "four_eyes", Reason: fmt.Sprintf("batch %s was planned by %s; four_eyes needs an approver who did not plan it", b.Reference, list(planners))}
	}
	return nil
}

// CheckRun says whether b may be paid under pol: without require_approval it
// may; with it, b needs an approval of planHash (the plan as it is now) by
// someone who, under four_eyes, is none of its planners. A refusal is a
// *Refusal (ErrRefused).
func CheckRun(b Batch, pol Policy, planners []string, planHash string) error {
	return refuse("approval", checkRun(b, pol, planners, planHash))
}

func checkRun(b Batch, pol Policy, planners []string, planHash string) error {
	ap := b.Approval
	switch {
	case !pol.RequireApproval:
		return nil
	case ap.Hash == "":
		return fmt.Errorf("batch %s is not approved: run `bulkpay approve %s --by NAME` after checking `bulkpay plan`", b.Reference, b.Reference)
	case ap.Hash != planHash:
		return fmt.Errorf("batch %s changed since %s approved it (plan hash %.12s, now %.12s: fees, routes or period): approve it again", b.Reference, ap.By, ap.Hash, planHash)
	case pol.FourEyes && len(planners) == 0:
		return fmt.Errorf("batch %s has no recorded planner, so four_eyes cannot tell whether %s planned it: plan it again with `bulkpay plan SHEET --by NAME` and have someone else approve it", b.Reference, ap.By)
	case pol.FourEyes && among(ap.By, planners):
		return fmt.Errorf("batch %s was approved by %s, who also planned it (planned by %s); four_eyes needs another approver: `bulkpay approve %s --by NAME`", b.Reference, ap.By, list(planners), b.Reference)
	}
	return nil
}

func list(people []string) string {
	s := append([]string(nil), people...)
	sort.Strings(s)
	return strings.Join(s, ", ")
}

// AuthorizeRun refuses to pay b when its approval rules (its stored ones made
// stricter by cfg, the config in force: leaving a config out relaxes nothing)
// want an approval of planHash that b lacks. The refusal, a *Refusal, is
// recorded in the batch's events.
func AuthorizeRun(ctx context.Context, st ApprovalStore, b Batch, cfg Policy, planHash string) error {
	pol := b.Policy.Or(cfg)
	if !pol.RequireApproval {
		return nil
	}
	recorded, err := st.Planners(ctx, b.ID)
	if err != nil {
		return fmt.Errorf("read who planned batch %s: %w", b.Reference, err)
	}
	if err := CheckRun(b, pol, Planners(b, recorded), planHash); err != nil {
		if nerr := st.Note(context.WithoutCancel(ctx), b.ID, "run refused", err.Error()); nerr != nil {
			return errors.Join(err, fmt.Errorf("record the refusal: %w", nerr))
		}
		return err
	}
	return nil
}

// ApproveRequest is a person's approval of a batch's plan as it is stored.
type ApproveRequest struct {
	By     string    // who approves
	Note   string    // why, or against what
	Login  string    // the operating-system user running the command; noted when it is not By
	At     time.Time // when
	Config Policy    // the rules of the config in force, added to the batch's stored ones
}

// Approve records req.By's approval of b's exact plan hash. b's stored rules
// are made stricter by the config's and kept so; a refusal (four eyes, a batch
// already paying) is recorded in the events and returned.
func Approve(ctx context.Context, st ApprovalStore, b Batch, items []Item, req ApproveRequest) (Approval, error) {
	pol := b.Policy.Or(req.Config)
	recorded, err := st.Planners(ctx, b.ID)
	if err != nil {
		return Approval{}, fmt.Errorf("read who planned batch %s: %w", b.Reference, err)
	}
	if err := CheckApprove(b, items, pol, Planners(b, recorded), req.By); err != nil {
		if nerr := st.Note(context.WithoutCancel(ctx), b.ID, "approval refused", req.By+": "+err.Error()); nerr != nil {
			return Approval{}, errors.Join(err, fmt.Errorf("record the refusal: %w", nerr))
		}
		return Approval{}, err
	}
	if pol != b.Policy {
		if err := st.RecordPolicy(ctx, b.ID, pol, req.By); err != nil {
			return Approval{}, fmt.Errorf("record the approval rules of batch %s: %w", b.Reference, err)
		}
	}
	note := req.Note
	if req.Login != "" && req.Login != req.By {
		note = strings.TrimSpace(note + " (login " + req.Login + ")")
	}
	ap := Approval{Hash: b.PlanHash, By: req.By, At: req.At}
	if err := st.Approve(ctx, b.ID, ap, note); err != nil {
		return Approval{}, fmt.Errorf("record the approval of batch %s: %w", b.Reference, err)
	}
	return ap, nil
}
