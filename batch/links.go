package batch

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"bulkpay/notify/linktext"
)

// Messenger sends the messages of links: an SMS (with what it cost) and an
// e-mail. The doors wire the notify package's clients behind it.
type Messenger interface {
	SendSMS(ctx context.Context, to, text, ref string) (cost int64, err error)
	SendEmail(ctx context.Context, to, subject, text, ref string) error
}

// PhoneParser validates a number a beneficiary typed, as a sheet's phone cell
// is validated: E.164 digits, region and carrier.
type PhoneParser func(raw, region string) (phone, country, operator string, err error)

// LinkService runs the link use cases over a LinkStore: sending invitations
// and reminders, codes, claims and the expiry sweep.
type LinkService struct {
	Store     LinkStore
	Items     RunReader // reads a link's item (a claim answers with it)
	Messenger Messenger
	Now       func() time.Time
	Rand      io.Reader // crypto/rand unless a test says otherwise
	// Key keys the codes' hashes with each link's salt: a secret kept
	// outside the ledger, so that whoever reads the ledger cannot find a
	// live code by trying the million. Nil: the salt alone.
	Key []byte
}

func (s LinkService) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s LinkService) rand() io.Reader {
	if s.Rand == nil {
		return rand.Reader
	}
	return s.Rand
}

// IssueLinks creates the links of a batch's items paid by link that have none
// yet (planning calls it after storing the batch; calling it again is
// harmless), expiring after expiry. It says how many it created.
func IssueLinks(ctx context.Context, st LinkStore, items ItemReader, b Batch, now time.Time, expiry time.Duration,
	otherOK bool, actor string) (int, error) {
	its, err := items.Items(ctx, b.ID, Planned)
	if err != nil {
		return 0, fmt.Errorf("read the items of batch %s: %w", b.Reference, err)
	}
	var links []Link
	for _, it := range its {
		if it.Mode != ModeLink {
			continue
		}
		l, err := NewLink(b, it, now, expiry, otherOK)
		if err != nil {
			return 0, err
		}
		links = append(links, l)
	}
	if len(links) == 0 {
		return 0, nil
	}
	n, err := st.AddLinks(ctx, links, actor)
	if err != nil {
		return 0, fmt.Errorf("issue the links of batch %s: %w", b.Reference, err)
	}
	return n, nil
}

// SendRequest says how a batch's link messages are sent.
type SendRequest struct {
	Batch     Batch
	Org       string          // the organisation's name, in every message
	Language  string          // fr or en (default en)
	BaseURL   string          // where claim pages are served: BaseURL + "/claim/" + id
	Reminders []time.Duration // before expiry, each sent once (link_reminders)
	Fees      Fees            // sms_fee charges each SMS
	Actor     string
}

// SendReport is what a send did.
type SendReport struct {
	Invitations int // links whose invitation went out
	Reminders   int // reminders sent
	Messages    int // messages sent (SMS and e-mail)
	Failed      int // messages that could not be sent (tried again next time)
	Charge      int64
	Cost        int64
}

// SendLinks sends the invitation of every open link of the batch that has
// not had it, and each reminder that is due (once each). A message that could
// not be sent is recorded with why and tried again by the next send.
func (s LinkService) SendLinks(ctx context.Context, req SendRequest) (SendReport, error) {
	var rep SendReport
	links, err := s.Store.Links(ctx, req.Batch.ID, LinkSent)
	if err != nil {
		return rep, fmt.Errorf("read the links of batch %s: %w", req.Batch.Reference, err)
	}
	rem := slices.Clone(req.Reminders)
	slices.SortFunc(rem, func(a, b time.Duration) int { return int(b - a) }) // furthest from expiry first
	for _, l := range links {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		now := s.now()
		if !l.Open(now) {
			continue
		}
		kind := ""
		due := 0
		for _, r := range rem {
			if !now.Before(l.ExpiresAt.Add(-r)) {
				due++
			}
		}
		switch {
		case l.InvitedAt.IsZero():
			kind = MessageInvitation
		case due > l.Reminders:
			kind = MessageReminder
		default:
			continue
		}
		msgs := s.deliver(ctx, l, kind, req)
		sent := 0
		for _, m := range msgs {
			if m.Error == "" {
				sent++
				rep.Messages++
				rep.Charge += m.Charge
				rep.Cost += m.Cost
			} else {
				rep.Failed++
			}
		}
		if sent == 0 { // nothing went: the link stays as it is, the next send tries again
			if err := s.Store.RecordMessages(ctx, msgs...); err != nil {
				return rep, err
			}
			continue
		}
		if kind == MessageInvitation {
			rep.Invitations++
		} else {
			rep.Reminders++
		}
		detail := fmt.Sprintf("%s by %s", kind, channels(msgs))
		for try := 0; ; try++ {
			next := l
			if kind == MessageInvitation {
				next.InvitedAt = now
			}
			next.Reminders = max(next.Reminders, due) // reminders already due when it is first sent are not sent too
			err := s.Store.UpdateLink(ctx, next, CauseLinkSent, detail, req.Actor, msgs...)
			if err == nil {
				break
			}
			if !errors.Is(err, ErrStale) || try >= maxStaleTries {
				return rep, fmt.Errorf("record the %s of link of row %d: %w", kind, l.Row, err)
			}
			// a code was asked meanwhile: record the message on the link as it now stands
			if l, err = s.Store.Link(ctx, l.ID); err != nil {
				return rep, fmt.Errorf("record the %s of link of row %d: %w", kind, l.Row, err)
			}
			if l.Status != LinkSent { // claimed meanwhile: the messages are kept all the same
				if err := s.Store.RecordMessages(ctx, msgs...); err != nil {
					return rep, err
				}
				break
			}
		}
	}
	return rep, nil
}

func channels(msgs []Message) string {
	var out []string
	for _, m := range msgs {
		if m.Error == "" {
			out = append(out, m.Channel)
		}
	}
	return strings.Join(out, " and ")
}

// deliver sends a link's invitation or reminder by SMS, and by e-mail when
// the link has an address; each SMS is charged by sms_fee. The SMS is
// linktext's, kept to one SMS part in either language.
func (s LinkService) deliver(ctx context.Context, l Link, kind string, req SendRequest) []Message {
	lang := textLang(req.Language)
	url := strings.TrimSuffix(req.BaseURL, "/") + "/claim/" + l.ID
	expiry := l.ExpiresAt.UTC()
	text := linktext.LinkMessage(lang, req.Org, l.Amount, l.Currency, url, expiry)
	if kind == MessageReminder {
		text = linktext.ReminderMessage(lang, req.Org, l.Amount, l.Currency, url, expiry)
	}
	now := s.now()
	sms := Message{LinkID: l.ID, BatchID: l.BatchID, Kind: kind, Channel: ChannelSMS, To: l.Phone, At: now,
		Reference: messageRef(l, kind, now)}
	cost, err := s.Messenger.SendSMS(ctx, "+"+l.Phone, text, sms.Reference)
	if err != nil {
		sms.Error = err.Error()
	} else {
		sms.Cost, sms.Charge = cost, req.Fees.MessageFee(ChannelSMS)
	}
	msgs := []Message{sms}
	if l.Email != "" {
		em := Message{LinkID: l.ID, BatchID: l.BatchID, Kind: kind, Channel: ChannelEmail, To: l.Email, At: now,
			Reference: messageRef(l, kind, now) + "-email"}
		subject, body := linktext.LinkEmail(lang, req.Org, l.Amount, l.Currency, url, expiry)
		if err := s.Messenger.SendEmail(ctx, l.Email, subject, body, em.Reference); err != nil {
			em.Error = err.Error()
		}
		msgs = append(msgs, em)
	}
	return msgs
}

// textLang is the language of a message: French for fr (fr-CM, FR), else
// English, as SendRequest and CodeRequest say.
func textLang(lang string) string {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(lang)), "fr") {
		return "fr"
	}
	return "en"
}

func messageRef(l Link, kind string, now time.Time) string {
	return fmt.Sprintf("%s-%d-%d-%s", kind, l.BatchID, l.Row, strconv.FormatInt(now.Unix(), 36))
}

// MessageFee is what one message on channel is charged: sms_fee for an SMS
// (its fixed fee), nothing for an e-mail.
func (f Fees) MessageFee(channel string) int64 {
	name := ""
	switch channel {
	case ChannelSMS:
		name = FeeSMS
	case "whatsapp":
		name = FeeWhatsApp
	}
	for _, c := range f.Configs {
		if c.Name == name && name != "" {
			return c.Fee
		}
	}
	return 0
}

// CodeRequest asks for a code for a link.
type CodeRequest struct {
	LinkID   string
	Language string // fr or en (default en)
	Fees     Fees
	Actor    string // who asks: the client address, for the events
}

// RequestCode sends a new 6-digit code by SMS to the number on file, valid
// CodeValidity, stored hashed; codes are refused more than once a minute or
// CodeRequestsHour times an hour. The code is returned to nobody.
func (s LinkService) RequestCode(ctx context.Context, req CodeRequest) error {
	l, code, now, err := s.storeCode(ctx, req.LinkID, req.Actor)
	if err != nil {
		return err
	}
	m := Message{LinkID: l.ID, BatchID: l.BatchID, Kind: MessageCode, Channel: ChannelSMS, To: l.Phone, At: now,
		Reference: messageRef(l, MessageCode, now)}
	cost, err := s.Messenger.SendSMS(ctx, "+"+l.Phone, linktext.CodeMessage(textLang(req.Language), code), m.Reference)
	if err != nil {
		m.Error = scrub(err.Error(), code)
	} else {
		m.Cost, m.Charge = cost, req.Fees.MessageFee(ChannelSMS)
	}
	if rerr := s.Store.RecordMessages(ctx, m); rerr != nil {
		if err != nil { // the provider's error may quote the message: only its scrubbed text
			return errors.Join(rerr, errors.New(m.Error))
		}
		return rerr
	}
	if err != nil {
		return fmt.Errorf("send the code: %s", m.Error)
	}
	return nil
}

// storeCode stores a new code for link id and returns the link, the code
// and when it was made. The hash is durable before the code leaves: a code
// sent is always one stored. A link changed meanwhile by another request (a
// reminder sent, a wrong code counted, another code) is read again and
// judged as it now stands.
func (s LinkService) storeCode(ctx context.Context, id, actor string) (Link, string, time.Time, error) {
	for try := 0; ; try++ {
		l, err := s.open(ctx, id)
		if err != nil {
			return l, "", time.Time{}, err
		}
		now := s.now()
		if !l.CodeSentAt.IsZero() && now.Before(l.CodeSentAt.Add(CodeResendWait)) {
			return l, "", now, &TooSoonError{After: l.CodeSentAt.Add(CodeResendWait)}
		}
		next := l
		if next.CodeWindow.IsZero() || !now.Before(next.CodeWindow.Add(time.Hour)) {
			next.CodeWindow, next.CodeRequests = now, 0
		}
		if next.CodeRequests >= CodeRequestsHour {
			return l, "", now, &TooSoonError{After: next.CodeWindow.Add(time.Hour)}
		}
		code, err := newCode(s.rand())
		if err != nil {
			return l, "", now, err
		}
		salt := make([]byte, 16)
		if _, err := io.ReadFull(s.rand(), salt); err != nil {
			return l, "", now, fmt.Errorf("code salt: %w", err)
		}
		next.CodeSalt = hex.EncodeToString(salt)
		next.CodeHash = CodeHash(s.Key, next.CodeSalt, code)
		next.CodeExpires = now.Add(CodeValidity)
		next.CodeSentAt = now
		next.CodeRequests++
		err = s.Store.UpdateLink(ctx, next, CauseLinkCode, "a new code is sent to the number on file", actor)
		if err == nil {
			return l, code, now, nil
		}
		if !errors.Is(err, ErrStale) || try >= maxStaleTries {
			return l, "", now, fmt.Errorf("store the code of link of row %d: %w", l.Row, err)
		}
	}
}

// scrub removes a code from a text (an SMS provider's error may quote the message).
func scrub(s, code string) string { return strings.ReplaceAll(s, code, "******") }

// newCode is CodeDigits random digits, from r (crypto/rand).
func newCode(r io.Reader) (string, error) {
	n, err := rand.Int(r, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// CodeHash is the hex HMAC-SHA256 of code keyed by the link's salt, or,
// with a key, of the salt and the code keyed by the key.
func CodeHash(key []byte, salt, code string) string {
	if len(key) == 0 {
		m := hmac.New(sha256.New, []byte(salt))
		m.Write([]byte(code))
		return hex.EncodeToString(m.Sum(nil))
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(salt))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return hex.EncodeToString(m.Sum(nil))
}

// open reads a link that may still be claimed or asked a code.
func (s LinkService) open(ctx context.Context, id string) (Link, error) {
	l, err := s.Store.Link(ctx, id)
	if err != nil {
		return Link{}, err
	}
	now := s.now()
	switch {
	case l.Status == LinkExpired || (l.Status == LinkSent && !now.Before(l.ExpiresAt)):
		return l, ErrLinkExpired
	case l.Status != LinkSent:
		return l, ErrLinkClosed
	case l.ItemState != "" && l.ItemState != Planned: // cancelled with its batch
		return l, ErrLinkCancelled
	case l.Review:
		return l, ErrLinkReview
	case now.Before(l.LockedUntil):
		return l, &LockedLinkError{Until: l.LockedUntil}
	}
	return l, nil
}

// VerifyCode checks a code against the link's. A wrong one counts: the
// CodeTries-th locks the link for LinkLockTime, and the LocksToReview-th lock
// sends it to review. A right one is left valid for the claim.
func (s LinkService) VerifyCode(ctx context.Context, id, code, actor string) error {
	l, err := s.open(ctx, id)
	if err != nil {
		return err
	}
	return s.check(ctx, l, code, actor)
}

func (s LinkService) check(ctx context.Context, l Link, code, actor string) error {
	// A wrong code is answered only once it is counted: a guess made at the
	// same time as another (the link changed under it) is counted on the
	// link as it now stands, so that guesses sent side by side are no more
	// than guesses sent one after the other.
	for try := 0; ; try++ {
		now := s.now()
		if l.CodeHash == "" || !now.Before(l.CodeExpires) {
			return ErrCodeExpired
		}
		if subtle.ConstantTimeCompare([]byte(CodeHash(s.Key, l.CodeSalt, strings.TrimSpace(code))), []byte(l.CodeHash)) == 1 {
			return nil
		}
		next, cause, detail, werr := wrongCode(l, now)
		err := s.Store.UpdateLink(ctx, next, cause, detail, actor)
		if err == nil {
			return werr
		}
		if !errors.Is(err, ErrStale) || try >= maxStaleTries {
			return fmt.Errorf("record a wrong code: %w", err)
		}
		if l, err = s.open(ctx, l.ID); err != nil {
			return err // locked, sent to review, claimed or expired meanwhile
		}
	}
}

// maxStaleTries bounds how often a change is tried again on a link another
// request changed meanwhile.
const maxStaleTries = 50

// wrongCode is l after one more wrong code: locked for LinkLockTime at the
// CodeTries-th, sent to review at the LocksToReview-th lock.
func wrongCode(l Link, now time.Time) (next Link, cause, detail string, err error) {
	next = l
	next.Attempts++
	cause, detail = CauseLinkWrong, fmt.Sprintf("wrong code %d of %d", next.Attempts, CodeTries)
	err = &WrongCodeError{Left: CodeTries - next.Attempts}
	if next.Attempts >= CodeTries {
		next.Attempts = 0
		next.Locks++
		next.LockedUntil = now.Add(LinkLockTime)
		next.CodeHash, next.CodeSalt, next.CodeExpires = "", "", time.Time{}
		cause, detail = CauseLinkLocked, fmt.Sprintf("%d wrong codes: locked until %s (lock %d)", CodeTries, Stamp(next.LockedUntil), next.Locks)
		err = &LockedLinkError{Until: next.LockedUntil}
		if next.Locks >= LocksToReview {
			next.Review = true
			cause, detail = CauseLinkReview, fmt.Sprintf("locked %d times: a person must look at it", next.Locks)
			err = ErrLinkReview
		}
	}
	return next, cause, detail, err
}

// ClaimRequest is a beneficiary's claim.
type ClaimRequest struct {
	LinkID string
	Code   string
	Mode   string // mobile_money (default) or cashout; bank_transfer where a provider pays it
	Phone  string // another number, when the batch allows it; empty: the one on file
	Router Router // the batch's routing, as planning has it
	Parse  PhoneParser
	Actor  string
}

// Claim turns a link into an item the runner pays, exactly once: the code
// is checked, the mode and number validated and routed like any row, and the
// link and its item change in one transaction. A link already claimed
// answers with its item as it stands (a second submit pays nothing more); an
// expired link is refused. A link changed between the read and the claim (a
// reminder or a code sent, a wrong code counted, another submit) is read
// again and the claim made on it as it now stands.
func (s LinkService) Claim(ctx context.Context, req ClaimRequest) (Item, error) {
	l, err := s.open(ctx, req.LinkID)
	for try := 0; ; try++ {
		if errors.Is(err, ErrLinkClosed) { // claimed, by this submit's twin or before
			return s.Items.Item(ctx, l.ItemID)
		}
		if err != nil {
			return Item{}, err
		}
		it, cerr := s.claim(ctx, l, req)
		if !errors.Is(cerr, ErrStale) || try >= maxStaleTries {
			return it, cerr
		}
		l, err = s.open(ctx, l.ID)
	}
}

// claim claims l as it was read; ErrStale when it changed since.
func (s LinkService) claim(ctx context.Context, l Link, req ClaimRequest) (Item, error) {
	if err := s.check(ctx, l, req.Code, req.Actor); err != nil {
		return Item{}, err
	}
	it, err := s.Items.Item(ctx, l.ItemID)
	if err != nil {
		return Item{}, fmt.Errorf("read the item of link of row %d: %w", l.Row, err)
	}
	mode := req.Mode
	if mode == "" {
		mode = ModeMobileMoney
	}
	row := Row{Row: l.Row, Name: l.Name, Phone: l.Phone, Country: l.Country, Operator: l.Operator, Email: l.Email,
		Mode: mode, Amount: l.Amount}
	if other := strings.TrimSpace(req.Phone); other != "" && mode == ModeMobileMoney {
		if req.Parse == nil {
			return Item{}, ErrOtherNumber
		}
		phone, country, operator, err := req.Parse(other, l.Country)
		if err != nil {
			return Item{}, &RowError{Row: l.Row, Column: "phone", Value: other, Message: err.Error()}
		}
		if phone != l.Phone {
			if !l.OtherOK {
				return Item{}, ErrOtherNumber
			}
			row.Phone, row.Country, row.Operator = phone, country, operator
		}
	}
	switch mode {
	case ModeMobileMoney, ModeCashout, ModeBankTransfer:
	default:
		return Item{}, fmt.Errorf("%w: %q", ErrModeUnavailable, mode)
	}
	router := req.Router
	if rs, ok := router.(Routes); ok && rs.Currency == "" {
		rs.Currency = l.Currency // what each provider pays is checked in the batch currency, as planning does
		router = rs
	}
	route, err := router.Route(row)
	if err != nil {
		if mode != ModeMobileMoney {
			return Item{}, fmt.Errorf("%w: %s", ErrModeUnavailable, err)
		}
		e := RouteRowError(row, err)
		return Item{}, &e
	}
	now := s.now()
	next := l
	next.Status, next.ClaimedAt, next.ClaimMode, next.ClaimPhone = LinkClaimed, now, mode, row.Phone
	next.CodeHash, next.CodeSalt, next.CodeExpires = "", "", time.Time{}
	it.Mode, it.Phone, it.Country, it.Operator = mode, row.Phone, row.Country, row.Operator
	it.Provider, it.Route = route[0], route
	if err := s.Store.ClaimLink(ctx, next, it, req.Actor); err != nil {
		return Item{}, fmt.Errorf("claim the link of row %d: %w", l.Row, err)
	}
	return s.Items.Item(ctx, l.ItemID)
}

// ExpireReport is what an expiry sweep did.
type ExpireReport struct {
	Expired int
	Amount  int64
}

// Expire marks every link of the batch (0: every batch) still unclaimed at
// its expiry expired, and cancels its item: no money moves, and the
// customer's systems are told (link.expired).
func (s LinkService) Expire(ctx context.Context, batchID int64, actor string) (ExpireReport, error) {
	var rep ExpireReport
	links, err := s.Store.Links(ctx, batchID, LinkSent)
	if err != nil {
		return rep, fmt.Errorf("read links: %w", err)
	}
	now := s.now()
	for _, l := range links {
		if now.Before(l.ExpiresAt) || l.ItemState != Planned {
			continue // not yet, or its item was cancelled with the batch
		}
		if err := s.Store.ExpireLink(ctx, l, actor); err != nil {
			if errors.Is(err, ErrStale) {
				continue // claimed or changed since it was read: the next sweep looks again
			}
			return rep, fmt.Errorf("expire the link of row %d: %w", l.Row, err)
		}
		rep.Expired++
		rep.Amount += l.Amount
	}
	return rep, nil
}

// LinkTotals counts a batch's links by shown status and sums the messages
// sent about them.
type LinkTotals struct {
	Links map[LinkStatus]Total
	MessageTotals
}

// MessageTotals counts a batch's messages.
type MessageTotals struct {
	Messages int // sent
	Failed   int // could not be sent
	Cost     int64
	Charge   int64
}

// CountMessages counts msgs: those sent, with what they cost and what they
// are charged, and those that could not be sent.
func CountMessages(msgs []Message) MessageTotals {
	var t MessageTotals
	for _, m := range msgs {
		if m.Error != "" {
			t.Failed++
			continue
		}
		t.Messages++
		t.Cost += m.Cost
		t.Charge += m.Charge
	}
	return t
}

// LinkSummary reads a batch's link totals.
func LinkSummary(ctx context.Context, st LinkStore, batchID int64) (LinkTotals, error) {
	t := LinkTotals{Links: map[LinkStatus]Total{}}
	links, err := st.Links(ctx, batchID)
	if err != nil {
		return t, fmt.Errorf("read links: %w", err)
	}
	for _, l := range links {
		x := t.Links[l.Shown()]
		x.Items++
		x.Amount += l.Amount
		t.Links[l.Shown()] = x
	}
	msgs, err := st.Messages(ctx, batchID)
	if err != nil {
		return t, fmt.Errorf("read messages: %w", err)
	}
	t.MessageTotals = CountMessages(msgs)
	return t, nil
}

// LinkView is what whoever holds a link may see of it (the claim page, the
// API's check_bulk_payment): never the code, the beneficiary's name and
// number masked.
type LinkView struct {
	Amount      int64
	Currency    string
	Name        string // masked
	Phone       string // masked: +2376*****001
	ExpiresAt   time.Time
	Status      LinkStatus // as shown: sent, claimed, processed, expired
	Open        bool       // may be claimed now
	LockedUntil time.Time  // zero when not locked
	Review      bool
	Cancelled   bool // the payer cancelled it
	OtherNumber bool // another number may be given
	Modes       []ModeOffer
	ItemState   State  // the payout's state once claimed
	ClaimMode   string // once claimed
}

// ModeOffer is a mode of payment and whether a provider pays it for the link.
type ModeOffer struct {
	Mode      string
	Available bool
}

// View is what the holder of link id may see of it; router says which
// modes are available (bank transfer and cashout only where a provider pays
// them).
func (s LinkService) View(ctx context.Context, id string, router Router) (LinkView, error) {
	l, err := s.Store.Link(ctx, id)
	if err != nil {
		return LinkView{}, err
	}
	now := s.now()
	v := LinkView{Amount: l.Amount, Currency: l.Currency, Name: MaskedName(l.Name), Phone: MaskedPhone(l.Phone),
		ExpiresAt: l.ExpiresAt, Status: l.Shown(), Open: l.Open(now), Review: l.Review, OtherNumber: l.OtherOK,
		ClaimMode: l.ClaimMode}
	if l.Status == LinkSent && !now.Before(l.ExpiresAt) {
		v.Status = LinkExpired // past its expiry, before the sweep
	}
	if now.Before(l.LockedUntil) {
		v.LockedUntil = l.LockedUntil
	}
	v.Cancelled = l.Status == LinkSent && l.ItemState != "" && l.ItemState != Planned
	if l.Status == LinkClaimed {
		v.ItemState = l.ItemState
	}
	if rs, ok := router.(Routes); ok && rs.Currency == "" {
		rs.Currency = l.Currency
		router = rs
	}
	for _, m := range []string{ModeMobileMoney, ModeCashout, ModeBankTransfer} {
		row := Row{Row: l.Row, Name: l.Name, Phone: l.Phone, Country: l.Country, Operator: l.Operator, Mode: m, Amount: l.Amount}
		_, err := router.Route(row)
		v.Modes = append(v.Modes, ModeOffer{Mode: m, Available: err == nil})
	}
	return v, nil
}

// MaskedPhone shows a number's country code and last three digits only.
func MaskedPhone(p string) string {
	if len(p) <= 7 {
		return strings.Repeat("*", len(p))
	}
	return "+" + p[:4] + strings.Repeat("*", len(p)-7) + p[len(p)-3:]
}
