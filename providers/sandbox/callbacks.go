package sandbox

import (
	"bytes"
	"container/heap"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"bulkpay/providers"
)

// CallbackOptions make the simulators call back once a payout reaches its
// final status, as each provider does: CamPay a GET or POST to the app's
// callback URL signed with a JWT; CinetPay an empty GET to the transfer's
// notify_url, then a form POST, unsigned; My-CoolPay one JSON POST, never
// retried, signed with md5; Camoo a GET to the cashout's notification_url
// signed with HMAC-SHA256, sent again until it gets a 200.
//
// When a callback is sent is decided by the sandbox's clock (Options.Now):
// a payout settles when a request or Tick finds it due, and its callbacks go
// out in due order, one at a time. Faults come from the standing rules
// (callback-lost, callback-duplicate, callback-late, callback-out-of-order,
// callback-forged; see Rule).
type CallbackOptions struct {
	Enabled bool
	// URLs is where each provider's callbacks go (campay, mycoolpay: the URL
	// set in their dashboards). A CinetPay or Camoo payout that named its own
	// notification URL is called back there instead.
	URLs map[string]string
	// CamPayKey is the app's webhook key CamPay signs with; default
	// DefaultCallbackKey.
	CamPayKey string
	// CamPayGET makes CamPay call back with a GET (fields in the query)
	// instead of a POST (JSON): CamPay's app settings choose one.
	CamPayGET bool
	// CamooRetry is how long Camoo waits before sending a notification again
	// after an answer other than 200 (sandbox clock); default 30s, for at
	// most CamooAttempts sends (default 5).
	CamooRetry    time.Duration
	CamooAttempts int
	// Client sends the callbacks; default one with a 10s timeout.
	Client *http.Client
	// WrongSource is the local address a callback-wrong-source fault sends
	// from; default 127.0.0.2 (another loopback address, so a receiver on
	// this machine that allows only 127.0.0.1 sees a wrong source).
	WrongSource string
	// OnDelivery, when set, is told of every callback sent (or lost by a
	// fault) once its answer is in and any retry is planned: tests wait on it.
	OnDelivery func(Delivery)
}

// DefaultCallbackKey signs callbacks when no key is configured and the
// payout's request carried none: the placeholder secret the sandbox's
// clients use.
const DefaultCallbackKey = "sandbox"

// forgedKey signs what a third party forges.
const forgedKey = "forged-by-a-third-party"

// Delivery is one callback the sandbox sent, as /_sandbox/callbacks lists it.
type Delivery struct {
	Provider          string `json:"provider"`
	ProviderReference string `json:"provider_reference"`
	ClientReference   string `json:"client_reference"`
	// Kind: final (the genuine callback), ping (CinetPay's empty GET),
	// duplicate, stale (an earlier status sent after the final one), forged
	// (a third party's, badly signed, claiming the opposite outcome),
	// wrong-source (the genuine callback replayed from another address), lost
	// (never sent), sms-report (Camoo's delivery report of an SMS, to the
	// notify_url the message named).
	Kind       string    `json:"kind"`
	Status     string    `json:"status"` // the payout status it carries
	URL        string    `json:"url"`
	Method     string    `json:"method"`
	Attempt    int       `json:"attempt"`
	HTTPStatus int       `json:"http_status"` // 0 when no answer came
	Error      string    `json:"error,omitempty"`
	At         time.Time `json:"at"` // sandbox clock when sent
}

// outgoing is one callback waiting to be sent.
type outgoing struct {
	due      time.Time
	seq      uint64
	d        Delivery
	body     []byte
	ctype    string
	retry    bool // Camoo: send again until a 200
	attempts int
}

// dueAt puts callbacks in a dueQueue by the time they are due, then the
// order they were queued.
func (o *outgoing) dueAt() (time.Time, uint64) { return o.due, o.seq }

// callbackProviders are the providers that call back.
var callbackProviders = []string{"campay", "cinetpay", "mycoolpay", "camoo", CinetPayAPIName}

// ParseCallbackURLs reads "mycoolpay=URL,campay=URL" into a map of provider
// to URL.
func ParseCallbackURLs(spec string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, u, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("callback %q: write provider=URL", part)
		}
		out[strings.TrimSpace(name)] = strings.TrimSpace(u)
	}
	return out, checkCallbackURLs(out)
}

func checkCallbackURLs(urls map[string]string) error {
	for name, u := range urls {
		if !contains(callbackProviders, name) {
			return fmt.Errorf("callback URL for %q: no such provider (%s)", name, strings.Join(callbackProviders, ", "))
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return fmt.Errorf("callback URL for %s: %q is not an http(s) URL", name, u)
		}
	}
	return nil
}

// SetCallbacks replaces the callback options (URLs are checked).
func (s *Server) SetCallbacks(o CallbackOptions) error {
	if err := checkCallbackURLs(o.URLs); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.Callbacks = withCallbackDefaults(o)
	s.nudge()
	return nil
}

func withCallbackDefaults(o CallbackOptions) CallbackOptions {
	if o.CamPayKey == "" {
		o.CamPayKey = DefaultCallbackKey
	}
	if o.CamooRetry == 0 {
		o.CamooRetry = 30 * time.Second
	}
	if o.CamooAttempts == 0 {
		o.CamooAttempts = 5
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if o.WrongSource == "" {
		o.WrongSource = "127.0.0.2"
	}
	return o
}

// Deliveries lists every callback sent so far, in the order sent.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.delivered...)
}

// Tick settles every payout due by the sandbox's clock and sends the
// callbacks due: what a request does first, without one. It returns how many
// callbacks it handed to the sender (they go out in order, soon after).
func (s *Server) Tick() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	before := s.dispatched
	s.settleDue()
	return int(s.dispatched - before)
}

// nudge wakes the pump: something new is due. Called with s.mu held.
func (s *Server) nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// nextDue is when the next payout settles or callback is due; ok is false
// when nothing waits.
func (s *Server) nextDue() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var next time.Time
	ok := false
	if len(s.pending) > 0 {
		next, ok = s.pending[0].SettleAt, true
	}
	if len(s.callbackq) > 0 && (!ok || s.callbackq[0].due.Before(next)) {
		next, ok = s.callbackq[0].due, true
	}
	return next, ok
}

// Pump settles payouts and sends callbacks when they fall due by the wall
// clock, without waiting for a request, until ctx ends or the sandbox closes.
// Serve runs it; a sandbox on an injected clock is moved on with Tick.
func (s *Server) Pump(ctx context.Context) {
	for {
		var timer *time.Timer
		var fire <-chan time.Time
		if next, ok := s.nextDue(); ok {
			timer = time.NewTimer(max(next.Sub(s.opts.Now()), 0) + time.Millisecond)
			fire = timer.C
		}
		select {
		case <-ctx.Done():
		case <-s.done:
		case <-s.wake:
		case <-fire:
			s.Tick()
		}
		if timer != nil {
			timer.Stop()
		}
		if ctx.Err() != nil || s.isClosed() {
			return
		}
	}
}

// callbackURL is where p's callbacks go: the URL its request named, else the
// provider's (none for MoMo). Called with s.mu held.
func (s *Server) callbackURL(p *Payout) string {
	if u := p.Echo["notify_url"]; u != "" || p.Provider == "momo" {
		return u // MoMo calls back only a transfer that named its X-Callback-Url
	}
	return s.opts.Callbacks.URLs[p.Provider]
}

// scheduleCallbacks plans p's callbacks now that it is final, with the faults
// the rules draw. Called with s.mu held.
func (s *Server) scheduleCallbacks(p *Payout) {
	cb := s.opts.Callbacks
	target := s.callbackURL(p)
	if !cb.Enabled || target == "" {
		return
	}
	due := p.SettleAt
	base := Delivery{Provider: p.Provider, ProviderReference: p.ProviderReference, ClientReference: p.ClientReference, URL: target}
	if s.hit(p.Provider, "callback", "callback-lost") != nil {
		base.Kind, base.Status = "lost", p.Status
		s.push([]*outgoing{{d: base}}, due) // recorded in its turn, never sent
		return
	}
	if r := s.hit(p.Provider, "callback", "callback-late"); r != nil {
		due = due.Add(r.Min)
	}
	if s.hit(p.Provider, "callback", "callback-forged") != nil {
		words := statusWords[p.Provider]
		opposite := words[1]
		if p.Success {
			opposite = words[2]
		}
		s.push(s.build(p, base, "forged", opposite, forgedKey), due)
	}
	s.push(s.build(p, base, "final", p.Status, ""), due)
	if s.hit(p.Provider, "callback", "callback-duplicate") != nil {
		s.push(s.build(p, base, "duplicate", p.Status, ""), due)
	}
	if s.hit(p.Provider, "callback", "callback-wrong-source") != nil {
		s.push(s.build(p, base, "wrong-source", p.Status, ""), due)
	}
	if s.hit(p.Provider, "callback", "callback-out-of-order") != nil {
		s.push(s.build(p, base, "stale", statusWords[p.Provider][0], ""), due)
	}
}

// the words each provider uses for a payout in progress, done and failed
var statusWords = map[string][3]string{
	"campay":    {"PENDING", "SUCCESSFUL", "FAILED"},
	"cinetpay":  {"REC", "VAL", "REJ"},
	"mycoolpay": {"PENDING", "SUCCESS", "FAILED"},
	"camoo":     {"IN_PROGRESS", "SUCCESS", "FAILED"},
	"momo":      {"PENDING", "SUCCESSFUL", "FAILED"},

	// CinetPay's 2026 API
	CinetPayAPIName: {"PENDING", "SUCCESS", "FAILED"},
}

// push queues callbacks due at due, in order. Called with s.mu held.
func (s *Server) push(list []*outgoing, due time.Time) {
	for _, o := range list {
		s.cbseq++
		o.due, o.seq = due, s.cbseq
		heap.Push(&s.callbackq, o)
	}
	s.nudge()
}

// dispatchDue hands the callbacks due to the sender, in due order. Called
// with s.mu held.
func (s *Server) dispatchDue() {
	now := s.opts.Now()
	n := 0
	for len(s.callbackq) > 0 && !now.Before(s.callbackq[0].due) {
		s.outbox = append(s.outbox, heap.Pop(&s.callbackq).(*outgoing))
		n++
		s.dispatched++
	}
	if n == 0 {
		return
	}
	s.senderOnce.Do(func() { go s.sender() })
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// sender sends the callbacks handed to it, one at a time, in order.
func (s *Server) sender() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.done
		cancel()
	}()
	for {
		s.mu.Lock()
		batch := s.outbox
		s.outbox = nil
		s.mu.Unlock()
		if len(batch) == 0 {
			select {
			case <-s.kick:
				continue
			case <-s.done:
				return
			}
		}
		for _, o := range batch {
			s.send(ctx, o)
		}
	}
}

// send makes one callback request (none for a lost one) and records it; a
// Camoo notification not answered 200 is sent again later.
func (s *Server) send(ctx context.Context, o *outgoing) {
	s.mu.Lock()
	client := s.opts.Callbacks.Client
	if o.d.Kind == "wrong-source" {
		client = fromAddr(client, s.opts.Callbacks.WrongSource)
	}
	o.attempts++
	d := o.d
	d.Attempt, d.At = o.attempts, s.opts.Now()
	s.mu.Unlock()
	if d.Kind != "lost" {
		d.HTTPStatus, d.Error = callBack(ctx, client, d, o)
	}
	s.mu.Lock()
	if o.retry && d.HTTPStatus != http.StatusOK && o.attempts < s.opts.Callbacks.CamooAttempts {
		s.cbseq++
		o.due, o.seq = s.opts.Now().Add(s.opts.Callbacks.CamooRetry), s.cbseq
		heap.Push(&s.callbackq, o)
		s.nudge()
	}
	s.delivered = append(s.delivered, d)
	hook := s.opts.Callbacks.OnDelivery
	s.mu.Unlock()
	if hook != nil {
		hook(d)
	}
}

// callBack sends one callback request: the HTTP status answered, or why none came.
func callBack(ctx context.Context, client *http.Client, d Delivery, o *outgoing) (int, string) {
	var body io.Reader
	if o.body != nil {
		body = bytes.NewReader(o.body)
	}
	req, err := http.NewRequestWithContext(ctx, d.Method, d.URL, body)
	if err != nil {
		return 0, err.Error()
	}
	if o.ctype != "" {
		req.Header.Set("Content-Type", o.ctype)
	}
	req.Header.Set("User-Agent", "bulkpay-sandbox/"+d.Provider)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, ""
}

// build makes the callback requests of kind for p carrying status, signed
// with key (the provider's own key when empty). Called with s.mu held.
func (s *Server) build(p *Payout, base Delivery, kind, status, key string) []*outgoing {
	base.Kind, base.Status = kind, status
	switch p.Provider {
	case "campay":
		return []*outgoing{s.campayCallback(p, base, status, key)}
	case "cinetpay":
		var out []*outgoing
		if kind == "final" { // the empty GET comes first, once
			ping := base
			ping.Kind, ping.Method, ping.Status = "ping", http.MethodGet, ""
			out = append(out, &outgoing{d: ping})
		}
		return append(out, cinetpayCallback(p, base, status))
	case CinetPayAPIName: // one JSON POST; it names no status, the lookup tells
		return []*outgoing{cinetpayAPICallback(p, base, kind)}
	case "mycoolpay":
		return []*outgoing{s.mycoolpayCallback(p, base, status, key)}
	case "camoo":
		return []*outgoing{s.camooCallback(p, base, status, key)}
	case "momo":
		return []*outgoing{s.momoCallback(p, base, status)}
	}
	return nil
}

func (s *Server) campayCallback(p *Payout, d Delivery, status, key string) *outgoing {
	key = providers.Or(key, s.opts.Callbacks.CamPayKey)
	fields := map[string]string{"status": status, "reference": p.ProviderReference, "amount": strconv.FormatInt(p.Amount, 10),
		"currency": "XAF", "operator": strings.ToUpper(p.Operator), "code": "CP" + strings.ToUpper(p.ProviderReference[:8]),
		"operator_reference": operatorRef(p), "signature": hs256(key, fmt.Sprintf(`{"iat":%d}`, s.opts.Now().Unix())),
		"endpoint": "withdraw", "external_reference": p.ClientReference, "external_user": "", "phone_number": p.Phone}
	if s.opts.Callbacks.CamPayGET {
		q := url.Values{}
		for k, v := range fields {
			q.Set(k, v)
		}
		d.Method, d.URL = http.MethodGet, withQuery(d.URL, q.Encode())
		return &outgoing{d: d}
	}
	body, _ := json.Marshal(fields)
	d.Method = http.MethodPost
	return &outgoing{d: d, body: body, ctype: "application/json"}
}

// hs256 is a compact JWS of payload with HMAC-SHA256, as CamPay signs.
func hs256(key, payload string) string {
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(`{"typ":"JWT","alg":"HS256"}`)) + "." + enc.EncodeToString([]byte(payload))
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(m.Sum(nil))
}

func cinetpayCallback(p *Payout, d Delivery, status string) *outgoing {
	sending, validated := "PENDING", ""
	if status == "VAL" {
		sending, validated = "CONFIRM", p.SettleAt.UTC().Format("2006-01-02 15:04:05")
	}
	_, carrier, _ := mobile(p.Phone)
	form := url.Values{"transaction_id": {p.ProviderReference}, "client_transaction_id": {p.ClientReference}, "lot": {p.Lot},
		"amount": {strconv.FormatInt(p.Amount, 10)}, "receiver": {p.Phone}, "operator": {carrier}, "sending_status": {sending},
		"comment": {""}, "treatment_status": {status}, "operator_transaction_id": {operatorRef(p)}, "validated_at": {validated}}
	d.Method = http.MethodPost
	return &outgoing{d: d, body: []byte(form.Encode()), ctype: "application/x-www-form-urlencoded"}
}

func (s *Server) mycoolpayCallback(p *Payout, d Delivery, status, key string) *outgoing {
	key = providers.Or(key, providers.Or(s.mcp.opts.PrivateKey, providers.Or(p.signKey, DefaultCallbackKey)))
	currency := providers.Or(p.Echo["transaction_currency"], "XAF")
	amount := strconv.FormatInt(p.Amount, 10)
	sum := md5.Sum([]byte(p.ProviderReference + "PAYOUT" + amount + currency + p.Operator + key))
	body, _ := json.Marshal(map[string]any{"application": providers.Or(p.Echo["application"], s.mcp.app), "app_transaction_ref": p.ClientReference,
		"operator_transaction_ref": "MP" + strings.ToUpper(p.ProviderReference[:8]), "transaction_ref": p.ProviderReference,
		"transaction_type": "PAYOUT", "transaction_amount": p.Amount, "transaction_fees": p.Fee, "transaction_currency": currency,
		"transaction_operator": p.Operator, "transaction_status": status, "transaction_reason": p.Echo["transaction_reason"],
		"transaction_message": mcpMessage(status), "customer_phone_number": echoPhone(p), "signature": hex.EncodeToString(sum[:])})
	d.Method = http.MethodPost
	return &outgoing{d: d, body: body, ctype: "application/json"}
}

func (s *Server) camooCallback(p *Payout, d Delivery, status, key string) *outgoing {
	key = providers.Or(key, providers.Or(s.camoo.opts.Secret, providers.Or(p.signKey, DefaultCallbackKey)))
	q := url.Values{}
	if u, err := url.Parse(d.URL); err == nil {
		q = u.Query()
		u.RawQuery = ""
		d.URL = u.String()
	}
	q.Set("payment_id", p.ProviderReference)
	q.Set("status", strings.ToLower(status))
	q.Set("status_time", p.SettleAt.UTC().Format("2006-01-02 15:04:05"))
	q.Set("trx", p.ClientReference)
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var signed []string
	for _, k := range keys {
		signed = append(signed, providers.RFC3986Escape(k)+"="+providers.RFC3986Escape(q.Get(k)))
	}
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(strings.Join(signed, "&")))
	q.Set("sig", hex.EncodeToString(m.Sum(nil)))
	d.Method, d.URL = http.MethodGet, withQuery(d.URL, q.Encode())
	return &outgoing{d: d, retry: true}
}

// fromAddr is client sending from the local address ip.
func fromAddr(client *http.Client, ip string) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c := *client
	c.Transport = &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}
	return &c
}

func withQuery(u, q string) string {
	if strings.Contains(u, "?") {
		return u + "&" + q
	}
	return u + "?" + q
}

// callbacksEndpoint serves /_sandbox/callbacks: GET lists the callbacks
// sent; POST {"enabled": true, "urls": {"mycoolpay": URL, ...}, "campay_get":
// false, "campay_key": KEY} sets where they go.
func (s *Server) callbacksEndpoint(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		var body struct {
			Enabled   *bool             `json:"enabled"`
			URLs      map[string]string `json:"urls"`
			CamPayGET *bool             `json:"campay_get"`
			CamPayKey string            `json:"campay_key"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&body); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "send a JSON object: enabled, urls, campay_get, campay_key"})
			return
		}
		s.mu.Lock()
		o := s.opts.Callbacks
		s.mu.Unlock()
		o.Enabled = body.Enabled == nil || *body.Enabled
		if body.URLs != nil {
			o.URLs = body.URLs
		}
		if body.CamPayGET != nil {
			o.CamPayGET = *body.CamPayGET
		}
		if body.CamPayKey != "" {
			o.CamPayKey = body.CamPayKey
		}
		if err := s.SetCallbacks(o); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
			return
		}
	}
	s.mu.Lock()
	out := map[string]any{"enabled": s.opts.Callbacks.Enabled, "urls": s.opts.Callbacks.URLs,
		"campay_get": s.opts.Callbacks.CamPayGET, "deliveries": append([]Delivery{}, s.delivered...)}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) isClosed() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}
