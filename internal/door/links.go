package door

import (
	"context"
	"errors"
	"slices"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/ledger"
	"bulkpay/providers"
)

// LinksRequest is what a door asks of a batch's payment links, beyond
// listing them.
type LinksRequest struct {
	Config config.Config
	Target config.Target
	// Messenger sends the messages; nil: built from the config when sending
	// (Messenger, with the SMS to the sandbox at Root when set).
	Messenger batch.Messenger
	Root      string
	Expire    bool   // mark the links past their expiry expired (their payouts cancelled) first
	Send      bool   // send the invitations not yet sent and the reminders due
	PublicURL string // where the claims are made ("": the config's public_url)
	Actor     string // who, for the events
	Say       func(format string, args ...any)
	// Statuses are the links shown; none: all of them.
	Statuses []batch.LinkStatus
}

// LinksResult is a batch's links once expired and sent as asked.
type LinksResult struct {
	Links  []batch.Link // all of them
	Shown  []batch.Link // those in the statuses asked
	Totals batch.LinkTotals
	Failed int // messages that could not be sent: the next send tries again
}

var (
	// ErrNoMessenger: links cannot be sent without an SMS provider.
	ErrNoMessenger = errors.New("no SMS provider is configured to send links")
	// ErrNoPublicURL: the claim links need the address the server is reached at.
	ErrNoPublicURL = errors.New("no address to point the claim links at")
)

// Links expires and sends b's links as req asks, saying what it did, then
// reads them all.
func Links(ctx context.Context, st *ledger.Store, b batch.Batch, req LinksRequest) (LinksResult, error) {
	var out LinksResult
	m := req.Messenger
	if m == nil && req.Send {
		var err error
		if m, err = Messenger(req.Config, req.Target, req.Root); err != nil {
			return out, err
		}
	}
	svc := batch.LinkService{Store: st, Items: st, Messenger: m}
	if req.Expire {
		rep, err := svc.Expire(ctx, b.ID, req.Actor)
		if err != nil {
			return out, err
		}
		req.Say("%d link(s) expired, %s %s not paid", rep.Expired, batch.Money(rep.Amount), b.Currency)
	}
	if req.Send {
		switch url := providers.Or(req.PublicURL, req.Config.PublicURL); {
		case m == nil:
			return out, ErrNoMessenger
		case url == "":
			return out, ErrNoPublicURL
		default:
			rep, err := SendLinks(ctx, svc, req.Config, b, url, req.Actor)
			if err != nil {
				return out, err
			}
			req.Say("%d invitation(s) and %d reminder(s) sent: %d message(s), charged %s %s", rep.Invitations, rep.Reminders,
				rep.Messages, batch.Money(rep.Charge), b.Currency)
			out.Failed = rep.Failed
		}
	}
	var err error
	if out.Links, err = st.Links(ctx, b.ID); err != nil {
		return out, err
	}
	out.Shown = out.Links[:0:0]
	for _, l := range out.Links {
		if len(req.Statuses) == 0 || slices.Contains(req.Statuses, l.Shown()) {
			out.Shown = append(out.Shown, l)
		}
	}
	if len(out.Links) == 0 {
		return out, nil
	}
	out.Totals, err = batch.LinkSummary(ctx, st, b.ID)
	return out, err
}

// SendLinks sends b's invitations not yet sent and its reminders due, as the
// config's links section says, with the claim links below baseURL.
func SendLinks(ctx context.Context, svc batch.LinkService, cfg config.Config, b batch.Batch, baseURL, actor string) (batch.SendReport, error) {
	lc := cfg.Links()
	return svc.SendLinks(ctx, batch.SendRequest{Batch: b, Org: lc.Org, Language: lc.Language, BaseURL: baseURL,
		Reminders: lc.Reminders, Fees: b.Fees, Actor: actor})
}
