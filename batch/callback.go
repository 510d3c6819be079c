package batch

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"bulkpay/providers"
)

// Callbacks received from providers: nothing in one is believed about money.
// A verified callback names an item (by our reference, or by the provider's
// id); a status lookup through the provider's client is what moves it, and
// only an item in doubt (unknown, or in review) moves that way: an item being
// sent, or pending, is the run's to finish (its answer, or its polling), and a
// final item never moves again.

// Verdicts of a callback, as the callback log keeps them.
const (
	VerdictRefused   = "refused"   // failed verification (a signature, or a token other than its payout's): changes nothing
	VerdictPing      = "ping"      // carried nothing (CinetPay's empty GET)
	VerdictSettled   = "settled"   // the lookup confirmed a payout and the item moved
	VerdictUnchanged = "unchanged" // the item stays where it is (final already, being sent, pending, or a lookup that confirms nothing new)
	VerdictUnmatched = "unmatched" // names no item bulkpay sent: a finding for reconciliation
)

// CauseCallback is the cause of the events a callback writes on its item.
const CauseCallback = "callback"

// CallbackActor is who takes the steps a provider's callback leads to.
func CallbackActor(provider string) string { return "callback:" + provider }

// CallbackRecord is one callback as the ledger keeps it, refused or not, with
// what became of it: the evidence (source address, method, what was received,
// which holds no secret of ours) and the item it named when bulkpay knows it.
type CallbackRecord struct {
	ID                int64
	At                time.Time
	Provider          string
	SourceAddr        string
	Method            string
	Raw               string
	ItemReference     string
	ProviderReference string
	BatchID, ItemID   int64 // 0 when the callback names no item bulkpay knows
	Verdict           string
	Detail            string
}

// CallbackLog keeps every callback received.
type CallbackLog interface {
	// RecordCallback appends r (the store sets ID and, when zero, At).
	RecordCallback(ctx context.Context, r CallbackRecord) error
	// Callbacks lists every callback kept, oldest first.
	Callbacks(ctx context.Context) ([]CallbackRecord, error)
}

// RunChecker tells whether a run is paying a batch now.
type RunChecker interface {
	// Running reports whether a live process holds the batch's lock.
	Running(ctx context.Context, batchID int64) (bool, error)
}

// CallbackStore is what confirming a callback consumes: the items to find the
// one it names, whether a run holds its batch, the changes and notes it
// records, and the callback log.
type CallbackStore interface {
	BatchReader
	ItemReader
	Applier
	Notes
	RunChecker
	CallbackLog
}

// ReferenceChecker is a Provider that can look a payout up by our reference
// without sending anything (CinetPay's client_transaction_id). Its callbacks
// are unsigned: the lookup by our reference is what ties one to our item.
type ReferenceChecker interface {
	CheckReference(ctx context.Context, reference string) (providers.Result, error)
}

// maxEvidence is how much of a callback's raw content an item's event quotes;
// the callback log keeps all of it.
const maxEvidence = 512

// RecordRefused keeps a callback that failed verification (err from
// ParseCallback) in the log, with its source address and what was received.
// It changes nothing else.
func RecordRefused(ctx context.Context, st CallbackLog, provider, method string, err error) error {
	rec := CallbackRecord{Provider: provider, Method: method, Verdict: VerdictRefused, Detail: err.Error()}
	var ce *providers.CallbackError
	if errors.As(err, &ce) {
		rec.SourceAddr, rec.Raw = ce.SourceAddr, ce.Raw
		rec.Detail = fmt.Sprintf("%v: %s", ce.Class, ce.Reason)
	}
	if werr := st.RecordCallback(ctx, rec); werr != nil {
		return fmt.Errorf("record a refused %s callback: %w", provider, werr)
	}
	return nil
}

// Confirmation is what became of a verified callback.
type Confirmation struct {
	Verdict string
	Item    Item   // as it stands after the callback; zero when unmatched
	Detail  string // why, in words for people
}

// Confirm acts on a verified callback cb: it finds the item cb names (by our
// reference, else by the provider's id), looks the payout up through the
// provider's lane (its Caller: the same rate limit as the run's when the
// lanes are the session's), and settles the item when it is in doubt
// (unknown or review) and the lookup confirms a payout of its amount. Every
// callback is kept in the log; a callback naming no item bulkpay sent is
// kept as a finding (VerdictUnmatched). A lookup that fails, or confirms
// nothing, changes nothing: polling and reconciliation stay the fallback.
// The error is for the store only.
func Confirm(ctx context.Context, st CallbackStore, lanes map[string]Lane, cb providers.Callback, clock providers.Clock) (Confirmation, error) {
	rec := CallbackRecord{Provider: cb.Provider, SourceAddr: cb.SourceAddr, Method: cb.Method, Raw: cb.Raw,
		ItemReference: cb.ItemReference, ProviderReference: cb.ProviderReference}
	if cb.Ping {
		return keep(ctx, st, rec, Confirmation{Verdict: VerdictPing, Detail: "an empty notification: nothing to look up"})
	}
	it, found, err := findCallbackItem(ctx, st, cb)
	if err != nil {
		return Confirmation{}, err
	}
	if !found {
		return keep(ctx, st, rec, Confirmation{Verdict: VerdictUnmatched,
			Detail: fmt.Sprintf("no item bulkpay sent has reference %q or %s id %q: kept for reconciliation", cb.ItemReference, cb.Provider, cb.ProviderReference)})
	}
	rec.BatchID, rec.ItemID = it.BatchID, it.ID
	unchecked := ""
	switch {
	case cb.Token != "" && it.NotifyDigest != "" && !tokenMatches(cb.Token, it.NotifyDigest):
		// refused like a bad signature: kept as evidence, nothing looked up
		return keep(ctx, st, rec, Confirmation{Verdict: VerdictRefused, Item: it,
			Detail: fmt.Sprintf("row %d: the callback's token is not the one %s gave with the payout: refused, nothing moved", it.Row, cb.Provider)})
	case cb.Token != "" && it.NotifyDigest == "":
		unchecked = "its token could not be checked (the payout's answer, which carries it, never reached bulkpay): the lookup alone decides; "
	}
	conf, err := settle(ctx, st, lanes, cb, it, clock)
	if err != nil {
		// the callback is kept all the same (the provider does not call back
		// twice): Revisit settles its item from the log once the store takes
		// the change
		_, kerr := keep(ctx, st, rec, Confirmation{Verdict: VerdictUnchanged, Item: it,
			Detail: "the settlement could not be recorded, kept to be revisited: " + err.Error()})
		return Confirmation{}, errors.Join(err, kerr)
	}
	conf.Detail = unchecked + conf.Detail
	if conf.Verdict != VerdictSettled && worthNoting(cb, it) {
		if err := st.Note(ctx, it.BatchID, CauseCallback, fmt.Sprintf("row %d, %s callback: %s (%s)", it.Row, cb.Provider, conf.Detail, evidence(cb))); err != nil {
			return Confirmation{}, fmt.Errorf("note the callback on row %d: %w", it.Row, err)
		}
	}
	return keep(ctx, st, rec, conf)
}

// settle judges cb about it and records the change the lookup confirms. An
// unknown item of a batch a run is paying is the run's to settle (it may be
// asking the provider about it right now): the run settles it, or leaves it
// in review, where the callback kept settles it later (Revisit).
func settle(ctx context.Context, st CallbackStore, lanes map[string]Lane, cb providers.Callback, it Item, clock providers.Clock) (Confirmation, error) {
	if it.State == Unknown {
		running, err := st.Running(ctx, it.BatchID)
		if err != nil {
			return Confirmation{}, fmt.Errorf("read whether a run pays row %d's batch: %w", it.Row, err)
		}
		if running {
			return Confirmation{Verdict: VerdictUnchanged, Item: it, Detail: "a run is paying the batch: the item in doubt is its to settle"}, nil
		}
	}
	conf, change := judge(ctx, lanes, cb, it, clock)
	if change == nil {
		return conf, nil
	}
	switch err := st.Apply(ctx, *change); {
	case errors.Is(err, ErrStale):
		return Confirmation{Verdict: VerdictUnchanged, Item: it, Detail: "the item moved meanwhile (a run recorded it first): " + conf.Detail}, nil
	case err != nil:
		return Confirmation{}, fmt.Errorf("record the callback's settlement of row %d: %w", it.Row, err)
	}
	conf.Item.State = change.To
	return conf, nil
}

// Revisit looks again at the verified callbacks kept for items that are now
// in doubt: a callback that came while its item was being sent (or pending)
// was left to the run, and the run may since have lost the answer (a crash,
// a timeout) and left the item unknown or in review. Each such item is
// looked up again by the provider's id its latest callback gave, and settled
// as Confirm would; what the lookup does not confirm stays as it is, without
// a new entry in the log. Only batchID's items are looked at, every batch's
// when it is 0. It returns how many items it settled; the error is for the
// store only.
func Revisit(ctx context.Context, st CallbackStore, lanes map[string]Lane, batchID int64, clock providers.Clock) (int, error) {
	logged, err := st.Callbacks(ctx)
	if err != nil {
		return 0, fmt.Errorf("read the callback log: %w", err)
	}
	seen := map[int64]bool{}
	items := map[int64][]Item{} // by batch, read once
	settled := 0
	for i := len(logged) - 1; i >= 0; i-- { // the latest callback of each item
		r := logged[i]
		if r.ItemID == 0 || r.ProviderReference == "" || seen[r.ItemID] || r.Verdict == VerdictRefused || r.Verdict == VerdictPing ||
			(batchID != 0 && r.BatchID != batchID) {
			continue
		}
		seen[r.ItemID] = true
		if _, ok := items[r.BatchID]; !ok {
			if items[r.BatchID], err = st.Items(ctx, r.BatchID, Unknown, Review); err != nil {
				return settled, fmt.Errorf("read the items in doubt: %w", err)
			}
		}
		for _, it := range items[r.BatchID] {
			if it.ID != r.ItemID {
				continue
			}
			cb := providers.Callback{Provider: r.Provider, ItemReference: r.ItemReference, ProviderReference: r.ProviderReference,
				SourceAddr: r.SourceAddr, Method: r.Method, Raw: r.Raw}
			conf, err := settle(ctx, st, lanes, cb, it, clock)
			if err != nil {
				return settled, err
			}
			if conf.Verdict != VerdictSettled {
				continue
			}
			settled++
			r.ID, r.At, r.Verdict, r.Detail = 0, time.Time{}, VerdictSettled, "revisited: "+conf.Detail
			if err := st.RecordCallback(ctx, r); err != nil {
				return settled, fmt.Errorf("record the %s callback: %w", r.Provider, err)
			}
		}
	}
	return settled, nil
}

// worthNoting says whether a callback that moved nothing goes in its batch's
// events too (the callback log has every one): when the item is in doubt
// (the lookup failed or disagreed), or when it contradicts a final state.
// A callback for an item being sent, or still pending, is the run's business.
func worthNoting(cb providers.Callback, it Item) bool {
	switch {
	case it.State == Unknown || it.State == Review:
		return true
	case it.State.Terminal():
		return cb.Status != "" && stateOf(cb.Status) != it.State
	}
	return false
}

// keep logs the callback with its verdict.
func keep(ctx context.Context, st CallbackLog, rec CallbackRecord, c Confirmation) (Confirmation, error) {
	rec.Verdict, rec.Detail = c.Verdict, c.Detail
	if err := st.RecordCallback(ctx, rec); err != nil {
		return Confirmation{}, fmt.Errorf("record the %s callback: %w", rec.Provider, err)
	}
	return c, nil
}

// judge decides what a verified callback does to it: the change to record
// (nil: none) and the confirmation. Only a lookup moves the item.
func judge(ctx context.Context, lanes map[string]Lane, cb providers.Callback, it Item, clock providers.Clock) (Confirmation, *Change) {
	unchanged := func(format string, args ...any) (Confirmation, *Change) {
		return Confirmation{Verdict: VerdictUnchanged, Item: it, Detail: fmt.Sprintf(format, args...)}, nil
	}
	switch {
	case it.State.Terminal():
		return unchanged("already %s: a final state never moves", it.State)
	case it.Provider != cb.Provider:
		return unchanged("the item is paid through %s now, not %s", it.Provider, cb.Provider)
	case it.State != Unknown && it.State != Review && it.State != Pending:
		return unchanged("the item is %s: its run's answer settles it", it.State)
	case it.ProviderReference != "" && cb.ProviderReference != "" && it.ProviderReference != cb.ProviderReference:
		return unchanged("the callback's %s id %s is not the item's (%s)", cb.Provider, cb.ProviderReference, it.ProviderReference)
	}
	lane, ok := lanes[cb.Provider]
	if !ok || lane.Provider == nil {
		return unchanged("no %s client here to look the payout up", cb.Provider)
	}
	res, how, err := lookup(ctx, lane, cb, it, clock)
	if err != nil {
		return unchanged("the lookup %s failed, nothing moved: %v", how, err)
	}
	if res.ClientReference != "" && res.ClientReference != it.Reference {
		// the callback's fields are not all signed (CamPay signs none of them):
		// a payout of another item is never taken for this one's
		return unchanged("the lookup %s reports the payout of reference %s, not this item's: nothing moved", how, res.ClientReference)
	}
	if res.Amount != 0 && res.Amount != it.Send() {
		return unchanged("the lookup %s reports %d, the item sent %d: a person must check", how, res.Amount, it.Send())
	}
	to := stateOf(res.Status)
	if to == Pending && (it.State == Review || it.State == Pending) {
		return unchanged("the lookup %s says the payout is still pending", how)
	}
	ref := providers.Or(res.ProviderReference, cb.ProviderReference)
	// an attempt a run left open on the item (interrupted) is closed as such:
	// a final item keeps none open
	c := &Change{ItemID: it.ID, From: it.State, To: to, Cause: CauseCallback, Actor: CallbackActor(cb.Provider), CloseOpen: true,
		ProviderReference: ref, ProviderFee: res.Fee, ProviderNet: res.NetAmount,
		Message: fmt.Sprintf("%s after a %s callback (%s) and the lookup %s: %s", to, cb.Provider, evidence(cb), how, resultText(res))}
	conf := Confirmation{Verdict: VerdictSettled, Item: it, Detail: fmt.Sprintf("%s → %s: the lookup %s confirmed it", it.State, to, how)}
	conf.Item.ProviderReference = ref
	return conf, c
}

// lookup asks the provider about the payout through the lane's Caller: by our
// reference where the provider allows it without sending (ReferenceChecker),
// else by the provider's id the callback (or the item) gives.
func lookup(ctx context.Context, lane Lane, cb providers.Callback, it Item, clock providers.Clock) (providers.Result, string, error) {
	caller := lane.Stacked(providers.Retry{}, clock, nil)
	op := providers.Op{Name: "status", Idempotent: true}
	if rc, ok := lane.Provider.(ReferenceChecker); ok {
		res, err := providers.Call(ctx, caller, op, func(ctx context.Context) (providers.Result, error) {
			return rc.CheckReference(ctx, it.Reference)
		})
		return res, "by our reference " + it.Reference, err
	}
	ref := providers.Or(cb.ProviderReference, it.ProviderReference)
	if ref == "" {
		return providers.Result{}, "", errors.New("the callback gives no id of the provider's to look up")
	}
	res, err := providers.Call(ctx, caller, op, func(ctx context.Context) (providers.Result, error) {
		return lane.Provider.Check(ctx, ref)
	})
	return res, "by " + cb.Provider + " id " + ref, err
}

// ItemFinder finds an item by a reference without reading every batch (the
// ledger, through its index of our references).
type ItemFinder interface {
	// FindItem finds the item whose reference is ours when ours is set,
	// else the item of provider holding the provider's id theirs; found is
	// false when none does.
	FindItem(ctx context.Context, ours, provider, theirs string) (it Item, found bool, err error)
}

// findCallbackItem finds the item cb names: by our reference, else (for a
// callback that does not carry it) by the provider's id; through the store's
// lookup when it has one (ItemFinder), else reading the batches.
func findCallbackItem(ctx context.Context, st CallbackStore, cb providers.Callback) (Item, bool, error) {
	if cb.ItemReference == "" && cb.ProviderReference == "" {
		return Item{}, false, nil
	}
	if f, ok := st.(ItemFinder); ok {
		it, found, err := f.FindItem(ctx, cb.ItemReference, cb.Provider, cb.ProviderReference)
		if err != nil {
			return Item{}, false, fmt.Errorf("find the item the callback names: %w", err)
		}
		return it, found, nil
	}
	batches, err := st.Batches(ctx)
	if err != nil {
		return Item{}, false, fmt.Errorf("read the batches: %w", err)
	}
	for _, b := range batches {
		items, err := st.Items(ctx, b.ID)
		if err != nil {
			return Item{}, false, fmt.Errorf("read the items of batch %s: %w", b.Reference, err)
		}
		for _, it := range items {
			if cb.ItemReference != "" && it.Reference == cb.ItemReference {
				return it, true, nil
			}
			if cb.ItemReference == "" && cb.ProviderReference != "" && it.Provider == cb.Provider && it.ProviderReference == cb.ProviderReference {
				return it, true, nil
			}
		}
	}
	return Item{}, false, nil
}

// evidence is the callback, briefly, for an item's events.
func evidence(cb providers.Callback) string {
	raw := cb.Raw
	if len(raw) > maxEvidence {
		raw = raw[:maxEvidence] + "…"
	}
	s := fmt.Sprintf("%s from %s", providers.Or(cb.Method, "callback"), providers.Or(cb.SourceAddr, "an unknown address"))
	if cb.ProviderStatus != "" {
		s += ", says " + cb.ProviderStatus
	}
	return s + ": " + raw
}

// TokenDigest is what the ledger keeps of a token a provider gave to
// authenticate its callback about a payout: its SHA-256 in hex, never the
// token itself; "" for no token.
func TokenDigest(token string) string {
	if token == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// tokenMatches compares a callback's token with the digest its item keeps,
// in constant time.
func tokenMatches(token, digest string) bool {
	got := TokenDigest(token)
	return len(got) == len(digest) && subtle.ConstantTimeCompare([]byte(got), []byte(digest)) == 1
}
