package sandbox

import (
	"bufio"
	"container/heap"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unique"
)

// Options configure the simulators.
type Options struct {
	Latency     time.Duration // added before every answer
	SettleDelay time.Duration // how long a payout stays pending; default 500ms
	Seed        int64         // makes failures and references reproducible
	FailPercent int           // share of payouts that end FAILED (chosen by seed and reference)
	FailPhones  []string      // phones (E.164 digits) whose payouts always end FAILED
	// JournalPath keeps accepted payouts in a file so that a restarted sandbox
	// remembers them (the built-in sandbox of `bulkpay run` uses it).
	JournalPath string
	Rules       []Rule // standing faults (see Rule and ParseRules)
	CamPay      CamPayOptions
	CinetPay    CinetPayOptions
	CinetPayAPI CinetPayAPIOptions // CinetPay's 2026 API, under /cinetpay-api
	MyCoolPay   MyCoolPayOptions
	Camoo       CamooOptions
	SMS         SMSOptions // Camoo's SMS API
	MoMo        MoMoOptions
	Callbacks   CallbackOptions
	Now         func() time.Time
}

// Payout is one payout a simulator accepted, as /_sandbox/payouts lists it.
type Payout struct {
	Provider          string    `json:"provider"`
	ProviderReference string    `json:"provider_reference"`
	ClientReference   string    `json:"client_reference"`
	Phone             string    `json:"phone"`
	Amount            int64     `json:"amount"`
	Status            string    `json:"status"`
	Operator          string    `json:"operator"`
	Fee               int64     `json:"fee"`
	CreatedAt         time.Time `json:"created_at"`
	Final             string    `json:"-"` // the status it will end in
	Success           bool      `json:"-"` // whether Final is a success
	SettleAt          time.Time `json:"-"`
	Account           string    `json:"-"` // the balance it draws on
	Lot               string    `json:"-"`
	// Echo holds request fields a provider answers back as they were sent
	// (My-CoolPay's phone and reason, the currency).
	Echo map[string]string `json:"-"`
	// order is the payout's place among all the payouts accepted, from 0.
	order int
	// signKey is the secret the payout's request carried (My-CoolPay's
	// private key, Camoo's API secret), to sign its callback with; kept in
	// memory only, never journaled.
	signKey string
}

// Server serves every simulator. Create it with New; it is an http.Handler.
type Server struct {
	opts    Options
	mu      sync.Mutex
	payouts []*Payout
	byRef   map[refKey]*Payout   // by provider reference
	byOurs  map[refKey]*Payout   // by client reference
	byLot   map[refKey][]*Payout // by lot (CinetPay's transfer lots)
	// slab and text are where add keeps payouts and their strings, many
	// to an allocation (see compact).
	slab []Payout
	text strings.Builder
	// byTime holds each provider's payouts by creation time (then
	// acceptance); unsorted marks a provider whose clock went back.
	byTime   map[string][]*Payout
	unsorted map[string]bool
	pending  dueQueue[*Payout] // payouts not yet in their final status, soonest first
	faults   []*Fault
	journal  *os.File
	done     chan struct{}
	closed   sync.Once
	campay   *campay
	cinet    *cinetpay
	cinetAPI *cinetpayAPI
	mcp      *mycoolpay
	camoo    *camoo
	sms      *smsSim
	momo     *momo
	seq      uint64
	acct     map[string]*account // balances by provider (and carrier for CamPay)
	rules    []Rule              // standing faults
	rng      *rand.Rand          // draws for rules, seeded
	// callbacks: planned (by due time), handed to the sender, sent
	callbackq  dueQueue[*outgoing]
	cbseq      uint64
	dispatched uint64 // callbacks handed to the sender, ever
	outbox     []*outgoing
	delivered  []Delivery
	senderOnce sync.Once
	kick       chan struct{} // wakes the sender
	wake       chan struct{} // wakes the pump
	// the request log: every request a simulator received, as it arrived
	reqMu    sync.Mutex
	requests requestLog
}

// account is a balance and what pending payouts hold of it.
type account struct {
	balance, reserved int64
}

func (s *Server) available(key string) int64 {
	a := s.acct[key]
	if a == nil {
		return 0
	}
	return a.balance - a.reserved
}

// New builds the simulators, replaying the journal when there is one.
func New(opts Options) (*Server, error) {
	if opts.SettleDelay == 0 {
		opts.SettleDelay = 500 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, byRef: map[refKey]*Payout{}, byOurs: map[refKey]*Payout{}, byLot: map[refKey][]*Payout{},
		byTime: map[string][]*Payout{}, unsorted: map[string]bool{}, done: make(chan struct{}),
		acct: map[string]*account{}, rng: newRNG(opts.Seed), rules: opts.Rules,
		kick: make(chan struct{}, 1), wake: make(chan struct{}, 1)}
	if err := checkCallbackURLs(opts.Callbacks.URLs); err != nil {
		return nil, err
	}
	s.opts.Callbacks = withCallbackDefaults(opts.Callbacks)
	s.campay = newCamPay(s, opts.CamPay)
	s.cinet = newCinetPay(s, opts.CinetPay)
	s.cinetAPI = newCinetPayAPI(s, opts.CinetPayAPI)
	s.mcp = newMyCoolPay(s, opts.MyCoolPay)
	s.camoo = newCamoo(s, opts.Camoo)
	s.sms = newSMS(s, opts.SMS)
	s.momo = newMoMo(s, opts.MoMo)
	if opts.JournalPath != "" {
		if err := s.replay(opts.JournalPath); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(opts.JournalPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("sandbox journal: %w", err)
		}
		s.journal = f
	}
	return s, nil
}

// Close ends hanging requests and closes the journal.
func (s *Server) Close() error {
	var err error
	s.closed.Do(func() {
		close(s.done)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.journal != nil {
			err = s.journal.Close()
		}
	})
	return err
}

// ServeHTTP routes /campay/..., and /_sandbox/... to the admin endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	provider, rest := splitPrefix(r.URL.Path)
	if provider == "_sandbox" {
		s.admin(w, r, rest)
		return
	}
	s.logRequest(provider, r)
	if s.opts.Latency > 0 {
		select {
		case <-time.After(s.opts.Latency):
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		}
	}
	switch provider {
	case "campay":
		s.campay.serve(w, r, rest)
	case "cinetpay":
		s.cinet.serve(w, r, rest)
	case CinetPayAPIName:
		s.cinetAPI.serve(w, r, rest)
	case "mycoolpay":
		s.mcp.serve(w, r, rest)
	case "camoo":
		s.camoo.serve(w, r, rest)
	case "momo":
		s.momo.serve(w, r, rest)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "no simulator at " + r.URL.Path +
			": use /campay/api/..., /cinetpay/v1/..., /cinetpay-api/v1/..., /mycoolpay/api/{public_key}/... /camoo/v1/payment/..., /camoo/v1/sms.json or /momo/disbursement/..."})
	}
}

func splitPrefix(p string) (string, string) {
	p = strings.TrimPrefix(p, "/")
	first, rest, _ := strings.Cut(p, "/")
	return first, "/" + rest
}

func (s *Server) admin(w http.ResponseWriter, r *http.Request, rest string) {
	switch strings.TrimSuffix(rest, "/") {
	case "/payouts":
		writeJSON(w, http.StatusOK, s.Payouts())
	case "/requests":
		writeJSON(w, http.StatusOK, s.Requests())
	case "/faults":
		s.faultsEndpoint(w, r)
	case "/balances":
		s.balancesEndpoint(w, r)
	case "/tamper":
		s.tamperEndpoint(w, r)
	case "/messages":
		s.messagesEndpoint(w, r)
	case "/callbacks":
		s.callbacksEndpoint(w, r)
	case "/names":
		s.namesEndpoint(w, r)
	case "/notify": // the notify_url the sandbox's own CinetPay lanes give: a sink
		w.Write([]byte("OK"))
	case "/health":
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	default:
		if phone, ok := strings.CutPrefix(rest, "/names/"); ok && r.Method == http.MethodGet {
			s.nameLookup(w, phone)
			return
		}
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "unknown sandbox endpoint"})
	}
}

// Payouts lists every accepted payout, oldest first, with its current status.
func (s *Server) Payouts() []Payout {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleDue()
	out := make([]Payout, len(s.payouts))
	for i, p := range s.payouts {
		out[i] = *p
	}
	return out
}

// settleDue moves due payouts to their final status, taking them from the
// queue of pending payouts by settle time: its cost is the number of payouts
// that settle, not the number held. Called with s.mu held.
func (s *Server) settleDue() {
	now := s.opts.Now()
	for len(s.pending) > 0 && !now.Before(s.pending[0].SettleAt) {
		p := heap.Pop(&s.pending).(*Payout)
		if p.Status != p.Final { // a tampered payout already ended
			p.Status = p.Final
			s.finalized(p)
			s.scheduleCallbacks(p)
		}
	}
	s.dispatchDue()
}

// dueAt puts payouts in a dueQueue by settle time, then acceptance order.
func (p *Payout) dueAt() (time.Time, uint64) { return p.SettleAt, uint64(p.order) }

// finalized settles a payout's money. Called with s.mu held.
func (s *Server) finalized(p *Payout) {
	a := s.acct[p.Account]
	if a == nil {
		return
	}
	a.reserved -= p.Amount
	if p.Success {
		a.balance -= p.Amount
	}
}

// hold reserves a new payout's amount on its account. Called with s.mu held.
func (s *Server) hold(p *Payout) {
	if a := s.acct[p.Account]; a != nil {
		a.reserved += p.Amount
	}
}

// decide picks a payout's final status: FailPhones, then FailPercent by seed.
func (s *Server) decide(phone, ref string) bool {
	for _, f := range s.opts.FailPhones {
		if f == phone {
			return false
		}
	}
	if s.opts.FailPercent <= 0 {
		return true
	}
	h := sha256.Sum256([]byte(fmt.Sprintf("%d/%s", s.opts.Seed, ref)))
	return binary.BigEndian.Uint64(h[:8])%100 >= uint64(s.opts.FailPercent)
}

// newRef returns a reproducible UUID-shaped reference.
func (s *Server) newRef(provider string) string {
	s.seq++
	h := sha256.Sum256([]byte(fmt.Sprintf("%s/%d/%d/%d", provider, s.opts.Seed, s.seq, s.opts.Now().UnixNano())))
	h[6] = (h[6] & 0x0f) | 0x40
	h[8] = (h[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// accept records a new payout, journaled before it is answered, and returns
// the payout kept (see add).
func (s *Server) accept(p *Payout) (*Payout, error) {
	if s.journal != nil {
		line, _ := json.Marshal(journalEntry{Payout: *p, Pending: p.Status, Final: p.Final, Success: p.Success,
			SettleAt: p.SettleAt, Account: p.Account, Lot: p.Lot, Echo: p.Echo})
		if _, err := s.journal.Write(append(line, '\n')); err != nil {
			return nil, err
		}
		if err := s.journal.Sync(); err != nil {
			return nil, err
		}
	}
	p = s.add(p)
	s.hold(p)
	if !p.SettleAt.After(p.CreatedAt) && p.Status != p.Final {
		p.Status = p.Final
		s.finalized(p)
		s.scheduleCallbacks(p)
		s.dispatchDue()
	}
	return p, nil
}

// refKey finds a payout by one of its references at one provider.
type refKey struct{ provider, ref string }

// add records a copy of p in every index and returns it: the payout the
// sandbox keeps, which is the one to change from then on. Called with s.mu
// held.
func (s *Server) add(p *Payout) *Payout {
	p = s.compact(p)
	p.order = len(s.payouts)
	s.payouts = append(s.payouts, p)
	s.byRef[refKey{p.Provider, p.ProviderReference}] = p
	if p.ClientReference != "" {
		s.byOurs[refKey{p.Provider, p.ClientReference}] = p
	}
	if p.Lot != "" {
		k := refKey{p.Provider, p.Lot}
		s.byLot[k] = append(s.byLot[k], p)
	}
	list := s.byTime[p.Provider]
	if n := len(list); n > 0 && p.CreatedAt.Before(list[n-1].CreatedAt) {
		s.unsorted[p.Provider] = true
	}
	s.byTime[p.Provider] = append(list, p)
	if p.Status != p.Final {
		heap.Push(&s.pending, p)
		s.nudge()
	}
	return p
}

// compact copies p to where the sandbox keeps its payouts and returns the
// copy. Payouts are kept 1,024 to an allocation, their own strings
// (references, phone, lot) 64 KiB of text to an allocation, and the strings
// payouts repeat (statuses, operators, accounts) interned: a million payouts
// kept in bulkpay's own process (the throughput benchmarks) are then about
// two thousand objects for its collector to mark (977 slabs, about as many
// text buffers), not eight million. Called with
// s.mu held.
func (s *Server) compact(p *Payout) *Payout {
	const slabSize, textSize = 1024, 64 << 10
	if len(s.slab) == cap(s.slab) {
		s.slab = make([]Payout, 0, slabSize)
	}
	s.slab = append(s.slab, *p)
	kept := &s.slab[len(s.slab)-1]
	own := len(p.ProviderReference) + len(p.ClientReference) + len(p.Phone) + len(p.Lot)
	if s.text.Cap()-s.text.Len() < own {
		// a fresh buffer: the strings already cut from the old one keep it
		s.text = strings.Builder{}
		s.text.Grow(max(textSize, own))
	}
	for _, f := range []*string{&kept.ProviderReference, &kept.ClientReference, &kept.Phone, &kept.Lot} {
		start := s.text.Len()
		s.text.WriteString(*f)
		// the builder never moves what it holds while it has room, and
		// what it has written it never changes
		*f = s.text.String()[start:]
	}
	for _, f := range []*string{&kept.Provider, &kept.Status, &kept.Final, &kept.Operator, &kept.Account} {
		*f = unique.Make(*f).Value() // one copy of what many payouts repeat
	}
	return kept
}

type journalEntry struct {
	Payout
	Pending  string            `json:"pending"` // the status it had when accepted
	Final    string            `json:"final"`
	Success  bool              `json:"success"`
	SettleAt time.Time         `json:"settle_at"`
	Account  string            `json:"account"`
	Lot      string            `json:"lot"`
	Echo     map[string]string `json:"echo,omitempty"`
}

func (s *Server) replay(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sandbox journal: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e journalEntry
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue // a line cut short by a kill
		}
		p := e.Payout
		p.Final, p.SettleAt, p.Status, p.Success, p.Account, p.Lot, p.Echo = e.Final, e.SettleAt, e.Pending, e.Success, e.Account, e.Lot, e.Echo
		s.hold(s.add(&p))
		s.seq++
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("sandbox journal: %w", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// hang holds a request until the client gives up or the sandbox closes.
func (s *Server) hang(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-s.done:
	}
}

// createdBetween returns the payouts of one provider created in [start, end),
// in creation order (acceptance order among equal times). Called with s.mu held.
func (s *Server) createdBetween(provider string, start, end time.Time) []*Payout {
	list := s.byTime[provider]
	if s.unsorted[provider] {
		sort.SliceStable(list, func(i, j int) bool { return list[i].CreatedAt.Before(list[j].CreatedAt) })
		s.unsorted[provider] = false
	}
	from := sort.Search(len(list), func(i int) bool { return !list[i].CreatedAt.Before(start) })
	to := from + sort.Search(len(list)-from, func(i int) bool { return !list[from+i].CreatedAt.Before(end) })
	return list[from:to]
}

// BalanceKeys are the accounts whose balance can be set.
var BalanceKeys = []string{"campay/MTN", "campay/Orange", "cinetpay", "mycoolpay", "camoo", "camoo/sms", "momo"}

// defaultBalance is what an account holds when the options give it nothing.
const defaultBalance = 1_000_000_000

// openAccount opens the account key (one of BalanceKeys) with amount, or
// defaultBalance when amount is 0.
func (s *Server) openAccount(key string, amount int64) {
	if amount == 0 {
		amount = defaultBalance
	}
	s.acct[key] = &account{balance: amount}
}

// SetBalance sets an account's balance: campay/MTN, campay/Orange, cinetpay,
// mycoolpay, camoo, camoo/sms (the SMS credit) or momo.
func (s *Server) SetBalance(key string, amount int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.acct[key]
	if a == nil {
		return fmt.Errorf("no account %q: use one of %s", key, strings.Join(append(slices.Clone(BalanceKeys), s.cinetAPI.accounts()...), ", "))
	}
	a.balance = amount
	return nil
}

// balancesEndpoint serves /_sandbox/balances: GET lists balances, POST a JSON
// object {"campay/MTN": 5000, ...} sets them.
func (s *Server) balancesEndpoint(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		var set map[string]int64
		if err := json.NewDecoder(r.Body).Decode(&set); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "send a JSON object of account: amount"})
			return
		}
		for k, v := range set {
			if err := s.SetBalance(k, v); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
				return
			}
		}
	}
	s.mu.Lock()
	s.settleDue()
	out := map[string]int64{}
	for k, a := range s.acct {
		out[k] = a.balance
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// Tamper makes the simulator's records disagree with what it answered at the
// time, so reconciliation can be tested: a payout's status (the provider's own
// word, e.g. FAILED) or amount from now on; or, with an empty reference, a new
// finished payout nobody asked for (which calls back, when callbacks are on,
// to the provider's callback URL: a callback for a reference never sent).
type Tamper struct {
	Provider          string `json:"provider"`
	ProviderReference string `json:"provider_reference"`
	Status            string `json:"status"`
	Amount            int64  `json:"amount"`
	Fee               int64  `json:"fee"`
	Phone             string `json:"phone"`
}

// ApplyTamper applies t (see Tamper).
func (s *Server) ApplyTamper(t Tamper) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleDue()
	if t.ProviderReference == "" {
		now := s.opts.Now()
		p := &Payout{Provider: t.Provider, ProviderReference: s.newRef(t.Provider), Phone: t.Phone, Amount: t.Amount,
			Status: t.Status, Final: t.Status, Success: true, CreatedAt: now, SettleAt: now, Operator: "MTN"}
		p = s.add(p)
		s.scheduleCallbacks(p)
		s.dispatchDue()
		return nil
	}
	p := s.byRef[refKey{t.Provider, t.ProviderReference}]
	if p == nil {
		return fmt.Errorf("no %s payout %q", t.Provider, t.ProviderReference)
	}
	if t.Status != "" {
		p.Status, p.Final = t.Status, t.Status
	}
	if t.Amount != 0 {
		p.Amount = t.Amount
	}
	if t.Fee != 0 {
		p.Fee = t.Fee
	}
	return nil
}

func (s *Server) tamperEndpoint(w http.ResponseWriter, r *http.Request) {
	var t Tamper
	if err := json.NewDecoder(r.Body).Decode(&t); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "send a JSON tamper object"})
		return
	}
	if err := s.ApplyTamper(t); err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
