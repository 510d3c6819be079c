package sandbox

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"bulkpay/notify/linktext"
)

// SMSOptions shape the SMS simulator, served under Camoo's SMS paths
// (/camoo/v1/sms.json, /camoo/v1/sms/balance.json) with Camoo's credentials.
type SMSOptions struct {
	Balance int64 // the SMS account's credit in XAF; default 1,000,000
	Price   int64 // what each part of a message costs; DefaultSMSPrice when 0
}

// DefaultSMSPrice is what the simulator charges per SMS part, in XAF.
const DefaultSMSPrice = 25

// Statuses of a simulated SMS.
const (
	SMSDelivered = "delivered" // on the phone
	SMSQueued    = "queued"    // accepted, delivered later (an sms-delayed fault)
	SMSLost      = "lost"      // accepted and never delivered (an sms-lost fault)
)

// Message is one SMS the simulator accepted, as /_sandbox/messages lists it:
// every message is kept, the lost ones too, with what became of it.
type Message struct {
	ID        string    `json:"id"`
	To        string    `json:"to"` // E.164 with its '+'
	Text      string    `json:"text"`
	Time      time.Time `json:"time"` // when it was accepted
	Status    string    `json:"status"`
	From      string    `json:"from"`
	Reference string    `json:"reference,omitempty"`
	Parts     int       `json:"parts"`
	Cost      int64     `json:"cost"`
	// DeliverAt is when a queued message reaches the phone.
	DeliverAt time.Time `json:"deliver_at,omitzero"`
}

// SMS fault kinds, queued with AddFault (Provider camoo, Op sms) or drawn from
// the rules sms-lost@N% and sms-delayed=D@N%: the message is accepted and
// answered as any other, then never delivered, or delivered after Delay.
const (
	SMSLostFault    FaultKind = "sms-lost"
	SMSDelayedFault FaultKind = "sms-delayed"
)

type smsSim struct {
	s    *Server
	opts SMSOptions
	list []*Message
}

func newSMS(s *Server, o SMSOptions) *smsSim {
	if o.Price == 0 {
		o.Price = DefaultSMSPrice
	}
	if o.Balance == 0 {
		o.Balance = 1_000_000
	}
	s.acct["camoo/sms"] = &account{balance: o.Balance}
	return &smsSim{s: s, opts: o}
}

// serveSMS handles Camoo's /v1/sms.json and /v1/sms/balance.json; it reports
// whether rest was one of them.
func (c *camoo) serveSMS(w http.ResponseWriter, r *http.Request, rest string) bool {
	var op string
	switch strings.TrimSuffix(rest, "/") {
	case "/v1/sms.json":
		op = "sms"
	case "/v1/sms/balance.json":
		op = "sms-balance"
	default:
		return false
	}
	fault := c.s.takeFault(r, "camoo", op)
	if c.s.before(w, r, fault) {
		return true
	}
	if !loginGood(r.Header.Get("X-Api-Key"), r.Header.Get("X-Api-Secret"), c.opts.Key, c.opts.Secret) {
		camooError(w, http.StatusUnauthorized, "Authentication failed: invalid or missing API credentials", nil)
		return true
	}
	switch {
	case op == "sms" && r.Method == http.MethodPost:
		c.s.sms.send(w, r, fault)
	case op == "sms-balance" && r.Method == http.MethodGet:
		c.s.mu.Lock()
		bal := c.s.acct["camoo/sms"].balance
		c.s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"code": 200, "message": "OK",
			"balance": map[string]any{"balance": bal, "currency": "XAF"}})
	default:
		camooError(w, http.StatusMethodNotAllowed, "Method not allowed", nil)
	}
	return true
}

// smsBody is an SMS request's fields, whatever its encoding.
type smsBody struct {
	From, Message, Reference, NotifyURL string
	To                                  []string
}

// readSMS reads an SMS request sent as JSON (to as a string, a list, or
// numbers separated by commas) or as a form (to repeated or comma separated).
func readSMS(w http.ResponseWriter, r *http.Request) (smsBody, string) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var b smsBody
	split := func(list []string) []string {
		var out []string
		for _, v := range list {
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
		}
		return out
	}
	switch ct {
	case "application/x-www-form-urlencoded", "multipart/form-data":
		f, ok := postedForm(w, r, ct)
		if !ok {
			return b, "invalid form data"
		}
		return smsBody{From: f.Get("from"), Message: f.Get("message"), Reference: f.Get("reference"), NotifyURL: f.Get("notify_url"),
			To: split(append(f["to"], f["to[]"]...))}, ""
	default:
		var body struct {
			From      string          `json:"from"`
			To        json.RawMessage `json:"to"`
			Message   string          `json:"message"`
			Reference string          `json:"reference"`
			NotifyURL string          `json:"notify_url"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
			return b, "invalid JSON"
		}
		var one string
		var many []string
		switch {
		case len(body.To) == 0 || string(body.To) == "null": // refused below as missing
		case json.Unmarshal(body.To, &one) == nil:
			many = []string{one}
		case json.Unmarshal(body.To, &many) != nil:
			return b, "to: give a number or a list of numbers"
		}
		return smsBody{From: body.From, Message: body.Message, Reference: body.Reference, NotifyURL: body.NotifyURL, To: split(many)}, ""
	}
}

// validSender is Camoo's sender rule: a name of at most 11 characters, or a number.
func validSender(from string) bool {
	if from == "" {
		return false
	}
	digits := strings.TrimLeft(from, "+")
	if digits != "" && strings.Trim(digits, "0123456789") == "" {
		return len(digits) <= 15
	}
	return len([]rune(from)) <= 11
}

func (sm *smsSim) send(w http.ResponseWriter, r *http.Request, fault *Fault) {
	body, bad := readSMS(w, r)
	errs := map[string]string{}
	switch {
	case bad != "":
		errs["body"] = bad
	case !validSender(body.From):
		errs["from"] = "a sender name of at most 11 characters, or a number"
	case len(body.To) == 0:
		errs["to"] = "required"
	case len(body.To) > 50:
		errs["to"] = "at most 50 recipients per request"
	case strings.TrimSpace(body.Message) == "":
		errs["message"] = "required"
	case len(body.Reference) > 32:
		errs["reference"] = "at most 32 characters"
	case body.NotifyURL != "" && checkCallbackURLs(map[string]string{"camoo": body.NotifyURL}) != nil:
		errs["notify_url"] = "not an http(s) URL"
	}
	for _, to := range body.To {
		if _, _, ok := mobile(to); !ok && len(errs) == 0 {
			errs["to"] = "invalid phone number " + to
		}
	}
	if len(errs) > 0 {
		camooError(w, http.StatusBadRequest, "Validation failed", errs)
		return
	}
	parts := linktext.Parts(body.Message)
	cost := int64(parts) * sm.opts.Price
	s := sm.s
	s.mu.Lock()
	a := s.acct["camoo/sms"]
	if a.balance < cost*int64(len(body.To)) {
		s.mu.Unlock()
		camooError(w, http.StatusPaymentRequired, "Insufficient balance", nil)
		return
	}
	now := s.opts.Now()
	var out []map[string]any
	for _, to := range body.To {
		m := &Message{ID: s.newRef("camoo-sms"), To: "+" + strings.TrimPrefix(to, "+"), Text: body.Message, Time: now.UTC(),
			Status: SMSDelivered, From: body.From, Reference: body.Reference, Parts: parts, Cost: cost}
		switch {
		case fault != nil && fault.Kind == SMSLostFault, s.hit("camoo", "sms", "sms-lost") != nil:
			m.Status = SMSLost
		case fault != nil && fault.Kind == SMSDelayedFault:
			m.Status, m.DeliverAt = SMSQueued, now.Add(max(fault.Delay, time.Second)).UTC()
		default:
			if d := s.hit("camoo", "sms", "sms-delayed"); d != nil {
				m.Status, m.DeliverAt = SMSQueued, now.Add(max(d.Min, time.Second)).UTC()
			}
		}
		a.balance -= cost
		sm.list = append(sm.list, m)
		s.scheduleReport(m, body.NotifyURL)
		out = append(out, map[string]any{"message_id": m.ID, "to": m.To, "status": "sent", "reference": m.Reference,
			"message-price": cost, "parts": parts})
	}
	s.dispatchDue()
	s.mu.Unlock()
	if s.after(w, r, fault) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"code": 200, "_message": "succes",
		"sms": map[string]any{"message-count": len(out), "messages": out}})
}

// Messages lists every SMS accepted, oldest first, with its status now; to,
// when given (with or without '+'), keeps only the messages to that number.
func (s *Server) Messages(to string) []Message {
	to = strings.TrimPrefix(strings.TrimSpace(to), "+")
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	out := []Message{}
	for _, m := range s.sms.list {
		if m.Status == SMSQueued && !now.Before(m.DeliverAt) {
			m.Status = SMSDelivered
		}
		if to == "" || strings.TrimPrefix(m.To, "+") == to {
			out = append(out, *m)
		}
	}
	return out
}

// messagesEndpoint serves GET /_sandbox/messages[?to=237677123456].
func (s *Server) messagesEndpoint(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "use GET"})
		return
	}
	writeJSON(w, http.StatusOK, s.Messages(r.URL.Query().Get("to")))
}

// scheduleReport plans the delivery report of m to notifyURL, as Camoo sends
// them (an unsigned GET with id, status, recipient and statusDatetime) when
// callbacks are on: when the message reaches the phone, and never for a
// lost one. Called with s.mu held.
func (s *Server) scheduleReport(m *Message, notifyURL string) {
	if !s.opts.Callbacks.Enabled || notifyURL == "" || m.Status == SMSLost {
		return
	}
	due := m.Time
	if m.Status == SMSQueued {
		due = m.DeliverAt
	}
	q := url.Values{"id": {m.ID}, "status": {SMSDelivered}, "recipient": {strings.TrimPrefix(m.To, "+")},
		"statusDatetime": {due.UTC().Format("2006-01-02 15:04:05")}}
	sep := "?"
	if strings.Contains(notifyURL, "?") {
		sep = "&"
	}
	s.push([]*outgoing{{d: Delivery{Provider: "camoo", ProviderReference: m.ID, ClientReference: m.Reference, Kind: "sms-report",
		Status: SMSDelivered, URL: notifyURL + sep + q.Encode(), Method: http.MethodGet}}}, due)
}
