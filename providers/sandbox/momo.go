package sandbox

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"bulkpay/providers"
)

// MoMoOptions shape the MTN MoMo Disbursement simulator, served under /momo
// at MTN's own paths (/momo/disbursement/token/, /momo/disbursement/v1_0/...,
// /momo/v1_0/apiuser).
type MoMoOptions struct {
	// SubscriptionKey, APIUser and APIKey are the credentials accepted;
	// empty: any non-empty ones (an API user provisioned through
	// /v1_0/apiuser needs the key the simulator gave it).
	SubscriptionKey, APIUser, APIKey string
	TokenTTL                         time.Duration // default 3600s, as MTN's
	Balance                          int64         // default 1,000,000,000
	// CallbackPOST calls back with a POST instead of a PUT.
	CallbackPOST bool
	// Names are registered names by number (E.164 digits), as POST
	// /_sandbox/names sets them.
	Names map[string]string
}

// momoEnvironments are the target environments the simulator answers and
// the currency each pays in: MTN's developer sandbox in EUR, each market in
// its own.
var momoEnvironments = map[string]struct{ region, currency string }{
	"sandbox":          {"", "EUR"},
	"mtncameroon":      {"CM", "XAF"},
	"mtnivorycoast":    {"CI", "XOF"},
	"mtnbenin":         {"BJ", "XOF"},
	"mtncongo":         {"CG", "XAF"},
	"mtnguineaconakry": {"GN", "GNF"},
}

// momoTestNumber is how one of MTN's sandbox test numbers behaves: the
// status it ends in, why, and how long it stays pending (0: the settle delay).
type momoTestNumber struct {
	final, reason string
	pending       time.Duration
}

// momoTestNumbers are MTN's sandbox test numbers (partyId); any other number
// succeeds.
var momoTestNumbers = map[string]momoTestNumber{
	"46733123450": {"FAILED", "INTERNAL_PROCESSING_ERROR", 0},
	"46733123451": {"FAILED", "APPROVAL_REJECTED", 0},
	"46733123452": {"FAILED", "EXPIRED", 0},
	"46733123453": {"SUCCESSFUL", "", 30 * time.Second}, // ongoing: pending, then success after about 30 s
	"46733123454": {"SUCCESSFUL", "", 2 * time.Minute},  // delayed
	"46733123455": {"FAILED", "NOT_ENOUGH_FUNDS", 0},
	"46733123456": {"FAILED", "PAYER_LIMIT_REACHED", 0},
	"46733123457": {"FAILED", "PAYEE_NOT_FOUND", 0},
	"46733123458": {"FAILED", "NOT_ALLOWED", 0},
	"46733123462": {"FAILED", "INTERNAL_PROCESSING_ERROR", 0},
	"46733123463": {"FAILED", "SERVICE_UNAVAILABLE", 0},
}

type momo struct {
	s      *Server
	opts   MoMoOptions
	tokens map[string]time.Time
	users  map[string]*momoUser // provisioned API users
	holder map[string]string    // token → the API user it was issued to
	mu     sync.Mutex           // guards names
	names  map[string]string
}

type momoUser struct{ callbackHost, key string }

func newMoMo(s *Server, o MoMoOptions) *momo {
	if o.TokenTTL == 0 {
		o.TokenTTL = time.Hour
	}
	s.openAccount("momo", o.Balance)
	m := &momo{s: s, opts: o, tokens: map[string]time.Time{}, users: map[string]*momoUser{}, holder: map[string]string{}, names: map[string]string{}}
	for k, v := range o.Names {
		m.names[k] = v
	}
	return m
}

func momoError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"code": code, "message": msg})
}

// op names a request for faults: token, transfer, status, balance, active,
// userinfo, apiuser, apikey.
func (m *momo) op(method, path string) string {
	switch {
	case path == "/disbursement/token":
		return "token"
	case path == "/disbursement/v1_0/transfer":
		return "transfer"
	case strings.HasPrefix(path, "/disbursement/v1_0/transfer/"):
		return "status"
	case path == "/disbursement/v1_0/account/balance":
		return "balance"
	case strings.HasPrefix(path, "/disbursement/v1_0/accountholder/msisdn/") && strings.HasSuffix(path, "/active"):
		return "active"
	case strings.HasPrefix(path, "/disbursement/v1_0/accountholder/msisdn/") && strings.HasSuffix(path, "/basicuserinfo"):
		return "userinfo"
	case path == "/v1_0/apiuser", strings.HasPrefix(path, "/v1_0/apiuser/") && !strings.HasSuffix(path, "/apikey"):
		return "apiuser"
	case strings.HasPrefix(path, "/v1_0/apiuser/") && strings.HasSuffix(path, "/apikey"):
		return "apikey"
	}
	return ""
}

func (m *momo) serve(w http.ResponseWriter, r *http.Request, rest string) {
	path := strings.TrimSuffix(rest, "/")
	op := m.op(r.Method, path)
	if op == "" {
		momoError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "Requested resource was not found.")
		return
	}
	fault := m.s.takeFault(r, "momo", op)
	if m.s.before(w, r, fault) {
		return
	}
	if key := r.Header.Get("Ocp-Apim-Subscription-Key"); key == "" || (m.opts.SubscriptionKey != "" && key != m.opts.SubscriptionKey) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"statusCode": 401,
			"message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	switch op {
	case "apiuser":
		m.apiUser(w, r, strings.TrimPrefix(path, "/v1_0/apiuser"))
		return
	case "apikey":
		m.apiKey(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/v1_0/apiuser/"), "/apikey"))
		return
	case "token":
		if r.Method != http.MethodPost {
			momoError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "use POST")
			return
		}
		m.token(w, r)
		return
	}
	if !m.authorized(r) {
		momoError(w, http.StatusUnauthorized, "UNAUTHORIZED", "Access token is missing, invalid or expired.")
		return
	}
	env, ok := momoEnvironments[r.Header.Get("X-Target-Environment")]
	if !ok {
		momoError(w, http.StatusForbidden, "NOT_ALLOWED_TARGET_ENVIRONMENT", "Access to target environment is forbidden.")
		return
	}
	switch {
	case op == "transfer" && r.Method == http.MethodPost:
		m.transfer(w, r, env.region, env.currency, fault)
	case op == "status" && r.Method == http.MethodGet:
		m.status(w, strings.TrimPrefix(path, "/disbursement/v1_0/transfer/"), r.Header.Get("X-Target-Environment"))
	case op == "balance" && r.Method == http.MethodGet:
		m.s.mu.Lock()
		m.s.settleDue()
		avail := m.s.available("momo")
		m.s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]string{"availableBalance": strconv.FormatInt(avail, 10), "currency": env.currency})
	case op == "active" && r.Method == http.MethodGet:
		m.active(w, msisdnOf(path), env.region)
	case op == "userinfo" && r.Method == http.MethodGet:
		m.userInfo(w, msisdnOf(path), env.region)
	default:
		momoError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "Method "+r.Method+" not allowed.")
	}
}

func msisdnOf(path string) string {
	rest := strings.TrimPrefix(path, "/disbursement/v1_0/accountholder/msisdn/")
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// apiUser provisions a sandbox API user: POST /v1_0/apiuser with the user's
// UUID as X-Reference-Id and {providerCallbackHost}; GET /v1_0/apiuser/{user}
// tells it back.
func (m *momo) apiUser(w http.ResponseWriter, r *http.Request, rest string) {
	if r.Method == http.MethodGet {
		m.s.mu.Lock()
		u := m.users[strings.TrimPrefix(rest, "/")]
		m.s.mu.Unlock()
		if u == nil {
			momoError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "Requested resource was not found.")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"providerCallbackHost": u.callbackHost, "targetEnvironment": "sandbox"})
		return
	}
	id := r.Header.Get("X-Reference-Id")
	var body struct {
		Host string `json:"providerCallbackHost"`
	}
	if rest != "" || r.Method != http.MethodPost || !providers.IsUUID4(id) || json.NewDecoder(r.Body).Decode(&body) != nil {
		momoError(w, http.StatusBadRequest, "INVALID_REFERENCE_ID", "POST /v1_0/apiuser with a UUID4 X-Reference-Id and {providerCallbackHost}")
		return
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	if m.users[id] != nil {
		momoError(w, http.StatusConflict, "RESOURCE_ALREADY_EXIST", "Duplicated reference id. Creation of resource failed.")
		return
	}
	m.users[id] = &momoUser{callbackHost: body.Host}
	w.WriteHeader(http.StatusCreated)
}

func (m *momo) apiKey(w http.ResponseWriter, r *http.Request, user string) {
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	u := m.users[user]
	if u == nil || r.Method != http.MethodPost {
		momoError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "Requested resource was not found.")
		return
	}
	b := make([]byte, 16)
	rand.Read(b)
	u.key = hex.EncodeToString(b)
	writeJSON(w, http.StatusCreated, map[string]string{"apiKey": u.key})
}

func (m *momo) token(w http.ResponseWriter, r *http.Request) {
	user, key, ok := basicAuth(r.Header.Get("Authorization"))
	m.s.mu.Lock()
	u := m.users[user]
	m.s.mu.Unlock()
	good := ok && loginGood(user, key, m.opts.APIUser, m.opts.APIKey)
	if u != nil {
		good = ok && u.key != "" && key == u.key
	}
	if !good {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "login_failed", "error_description": "Login failed"})
		return
	}
	tok := m.s.issueToken(m.tokens, "momo", 24, m.opts.TokenTTL)
	m.s.mu.Lock()
	m.holder[tok] = user
	life := m.tokens[tok].Sub(m.s.opts.Now())
	m.s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "access_token", "expires_in": int((life + time.Second/2) / time.Second)})
}

func basicAuth(h string) (string, string, bool) {
	enc, ok := strings.CutPrefix(h, "Basic ")
	if !ok {
		return "", "", false
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	if err != nil {
		return "", "", false
	}
	user, key, ok := strings.Cut(string(b), ":")
	return user, key, ok
}

func (m *momo) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return false
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	exp, ok := m.tokens[tok]
	return ok && m.s.opts.Now().Before(exp)
}

// ExpireMoMoTokens ends every MoMo token issued so far.
func (s *Server) ExpireMoMoTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.momo.tokens {
		s.momo.tokens[t] = time.Time{}
	}
}

// payable says whether a partyId is a number this environment pays: one of
// MTN's test numbers, or an MTN number of the environment's market (any
// valid mobile number in the developer sandbox).
func payable(partyID, region string) (carrier string, ok bool) {
	if _, test := momoTestNumbers[partyID]; test {
		return "MTN", true
	}
	reg, carrier, valid := mobile(partyID)
	if !valid || (region != "" && reg != region) {
		return "", false
	}
	if strings.EqualFold(carrier, "Areeba") { // MTN Guinea, by its former brand in the numbering plan
		carrier = "MTN"
	}
	return carrier, region == "" || carrier == "MTN"
}

func (m *momo) transfer(w http.ResponseWriter, r *http.Request, region, currency string, fault *Fault) {
	ref := r.Header.Get("X-Reference-Id")
	if !providers.IsUUID4(ref) {
		momoError(w, http.StatusBadRequest, "INVALID_REFERENCE_ID", "X-Reference-Id must be a UUID version 4.")
		return
	}
	var body struct {
		Amount       json.RawMessage `json:"amount"`
		Currency     string          `json:"currency"`
		ExternalID   string          `json:"externalId"`
		Payee        struct{ PartyIDType, PartyID string }
		PayerMessage string `json:"payerMessage"`
		PayeeNote    string `json:"payeeNote"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		momoError(w, http.StatusBadRequest, "BAD_REQUEST", "The request body is not valid JSON.")
		return
	}
	var amountText string
	if json.Unmarshal(body.Amount, &amountText) != nil { // MTN takes every value as a string
		momoError(w, http.StatusBadRequest, "INVALID_AMOUNT", "amount must be a string.")
		return
	}
	amount, aerr := providers.ParseWhole(strings.TrimSpace(amountText))
	switch {
	case aerr != nil || amount <= 0:
		momoError(w, http.StatusBadRequest, "INVALID_AMOUNT", "Invalid amount.")
		return
	case !strings.EqualFold(body.Currency, currency):
		momoError(w, http.StatusBadRequest, "INVALID_CURRENCY", "Currency not supported.")
		return
	case !strings.EqualFold(body.Payee.PartyIDType, "MSISDN"):
		momoError(w, http.StatusBadRequest, "INVALID_PARTY_ID_TYPE", "partyIdType must be MSISDN.")
		return
	case len(body.PayerMessage) > 160 || len(body.PayeeNote) > 160:
		momoError(w, http.StatusBadRequest, "INVALID_MESSAGE", "payerMessage and payeeNote are at most 160 characters.")
		return
	}
	carrier, ok := payable(body.Payee.PartyID, region)
	if !ok {
		momoError(w, http.StatusBadRequest, "PAYEE_NOT_FOUND", "Payee does not exist: give the number with its country code.")
		return
	}
	cb := r.Header.Get("X-Callback-Url")
	envName := r.Header.Get("X-Target-Environment")
	m.s.mu.Lock()
	m.s.settleDue()
	if m.s.byOurs[refKey{"momo", ref}] != nil {
		m.s.mu.Unlock()
		momoError(w, http.StatusConflict, "RESOURCE_ALREADY_EXIST", "Duplicated reference id. Creation of resource failed.")
		return
	}
	if !m.callbackHostGood(r, cb) {
		m.s.mu.Unlock()
		momoError(w, http.StatusBadRequest, "INVALID_CALLBACK_URL_HOST", "Callback URL with different host than registered for the API user.")
		return
	}
	now := m.s.opts.Now()
	p := &Payout{Provider: "momo", ProviderReference: ref, ClientReference: ref, Phone: body.Payee.PartyID, Amount: amount,
		Status: "PENDING", Operator: carrier, CreatedAt: now, Final: "SUCCESSFUL", Success: true, Account: "momo",
		Echo: map[string]string{"currency": strings.ToUpper(body.Currency), "externalId": body.ExternalID,
			"payerMessage": body.PayerMessage, "payeeNote": body.PayeeNote, "env": envName}}
	if cb != "" {
		p.Echo["notify_url"] = cb
	}
	m.s.shape(p, "FAILED")
	if !p.Success {
		p.Echo["reason"] = "INTERNAL_PROCESSING_ERROR"
	}
	if t, test := momoTestNumbers[p.Phone]; test {
		p.Final, p.Success, p.Echo["reason"] = t.final, t.final == "SUCCESSFUL", t.reason
		if t.pending > 0 {
			p.SettleAt = now.Add(t.pending)
		}
	}
	if p.Success && (m.s.exhausted("momo") || amount > m.s.available("momo")) {
		p.Final, p.Success, p.Echo["reason"] = "FAILED", false, "NOT_ENOUGH_FUNDS"
	}
	if _, err := m.s.accept(p); err != nil {
		m.s.mu.Unlock()
		momoError(w, http.StatusInternalServerError, "INTERNAL_PROCESSING_ERROR", "An internal error occurred.")
		return
	}
	m.s.mu.Unlock()
	if m.s.after(w, r, fault) {
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// callbackHostGood says whether a callback URL's host is the one the API
// user registered (any host for a user not provisioned here). Called with
// s.mu held.
func (m *momo) callbackHostGood(r *http.Request, cb string) bool {
	if cb == "" {
		return true
	}
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	u := m.users[m.holder[tok]]
	if u == nil || u.callbackHost == "" {
		return true
	}
	host := cb
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	host, _, _ = strings.Cut(host, "/")
	h, _, found := strings.Cut(host, ":")
	if found {
		host = h
	}
	return strings.EqualFold(host, u.callbackHost)
}

// momoTransfer is a transfer as the status GET and the callback show it.
func momoTransfer(p *Payout, status string) map[string]any {
	out := map[string]any{"amount": strconv.FormatInt(p.Amount, 10), "currency": p.Echo["currency"],
		"externalId": p.Echo["externalId"], "payee": map[string]string{"partyIdType": "MSISDN", "partyId": p.Phone},
		"payerMessage": p.Echo["payerMessage"], "payeeNote": p.Echo["payeeNote"], "status": status}
	switch status {
	case "SUCCESSFUL":
		out["financialTransactionId"] = strconv.FormatUint(uint64(p.order)+1_000_000_000, 10)
	case "FAILED":
		out["reason"] = map[string]string{"code": p.Echo["reason"], "message": momoReasonText(p.Echo["reason"])}
	}
	return out
}

func momoReasonText(code string) string {
	switch code {
	case "NOT_ENOUGH_FUNDS":
		return "The payer does not have enough funds."
	case "PAYEE_NOT_FOUND":
		return "The payee was not found."
	case "PAYER_LIMIT_REACHED":
		return "The payer's limit has been reached."
	case "NOT_ALLOWED":
		return "Authorization failed. User does not have permission."
	case "EXPIRED":
		return "The transaction expired."
	case "APPROVAL_REJECTED":
		return "The transaction was rejected."
	case "SERVICE_UNAVAILABLE":
		return "The service is currently unavailable."
	}
	return "An internal error occurred while processing."
}

// status answers a transfer by its id, in the environment it was made in
// (each environment holds its own transfers).
func (m *momo) status(w http.ResponseWriter, ref, env string) {
	m.s.mu.Lock()
	m.s.settleDue()
	p := m.s.byOurs[refKey{"momo", ref}]
	if p != nil && p.Echo["env"] != env {
		p = nil
	}
	var body map[string]any
	if p != nil {
		body = momoTransfer(p, p.Status)
	}
	m.s.mu.Unlock()
	if p == nil {
		momoError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "Requested resource was not found.")
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// known says whether MoMo knows an account behind the number in the
// environment's market, and whether it is active.
func (m *momo) known(msisdn, region string) (known, active bool) {
	if t, test := momoTestNumbers[msisdn]; test {
		return t.reason != "PAYEE_NOT_FOUND", t.reason != "PAYEE_NOT_FOUND" && t.reason != "NOT_ALLOWED"
	}
	_, ok := payable(msisdn, region)
	m.mu.Lock()
	name := m.names[msisdn]
	m.mu.Unlock()
	switch name {
	case NameUnknown:
		return false, false
	case NameInactive:
		return ok, false
	}
	return ok, ok
}

// Names the directory takes for an account's standing rather than a name:
// a number set to NameInactive holds an account that cannot receive, one set
// to NameUnknown none at all.
const (
	NameInactive = "(inactive)"
	NameUnknown  = "(unknown)"
)

func (m *momo) active(w http.ResponseWriter, msisdn, region string) {
	known, active := m.known(msisdn, region)
	if !known {
		momoError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "Requested resource was not found.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"result": active})
}

// userInfo answers basicuserinfo: the registered name when the directory
// holds one; an account whose name is not disclosed otherwise.
func (m *momo) userInfo(w http.ResponseWriter, msisdn, region string) {
	if known, _ := m.known(msisdn, region); !known {
		momoError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "Requested resource was not found.")
		return
	}
	m.mu.Lock()
	name := m.names[msisdn]
	m.mu.Unlock()
	out := map[string]string{"sub": "0", "locale": "fr"}
	if name != "" && name != NameInactive {
		given, family := providers.SplitName(name)
		out["name"], out["given_name"], out["family_name"] = name, given, family
	}
	writeJSON(w, http.StatusOK, out)
}

// SetNames registers names behind numbers (E.164 digits, with or without
// '+'), as MoMo's basicuserinfo tells them; an empty name forgets one.
func (s *Server) SetNames(names map[string]string) error {
	clean := map[string]string{}
	for phone, name := range names {
		digits := strings.TrimPrefix(strings.TrimSpace(phone), "+")
		if digits == "" || strings.Trim(digits, "0123456789") != "" {
			return fmt.Errorf("%q is not a phone number in international form (digits, country code first)", phone)
		}
		clean[digits] = strings.Join(strings.Fields(name), " ")
	}
	s.momo.mu.Lock()
	defer s.momo.mu.Unlock()
	for k, v := range clean {
		if v == "" {
			delete(s.momo.names, k)
		} else {
			s.momo.names[k] = v
		}
	}
	return nil
}

// NameCount is how many registered names the directory holds.
func (s *Server) NameCount() int {
	s.momo.mu.Lock()
	defer s.momo.mu.Unlock()
	return len(s.momo.names)
}

// ReadNames reads a names file: CSV with a header, a phone column (phone,
// phone_number, msisdn, number) and a name column (name, registered_name,
// full_name).
func ReadNames(r io.Reader) (map[string]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("names file: %w", err)
	}
	phoneCol, nameCol := -1, -1
	for i, h := range head {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "phone", "phone_number", "msisdn", "number":
			phoneCol = i
		case "name", "registered_name", "full_name":
			nameCol = i
		}
	}
	if phoneCol < 0 || nameCol < 0 {
		return nil, errors.New("names file: the first line must name a phone column (phone) and a name column (name)")
	}
	out := map[string]string{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("names file: %w", err)
		}
		if phoneCol >= len(rec) || nameCol >= len(rec) {
			return nil, fmt.Errorf("names file line %d: phone or name missing", line)
		}
		phone := strings.NewReplacer(" ", "", "+", "", "-", "", ".", "").Replace(rec[phoneCol])
		if phone == "" || strings.Trim(phone, "0123456789") != "" {
			return nil, fmt.Errorf("names file line %d: %q is not a phone number in international form", line, rec[phoneCol])
		}
		out[phone] = rec[nameCol]
	}
}

// LoadNames registers the names of a names file (see ReadNames) and says how
// many it held.
func (s *Server) LoadNames(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	names, err := ReadNames(f)
	if err != nil {
		return 0, err
	}
	return len(names), s.SetNames(names)
}

// namesEndpoint serves /_sandbox/names: POST {"2376...": "Given FAMILY"}
// registers names (an empty one forgets it); GET says how many are held.
func (s *Server) namesEndpoint(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		var set map[string]string
		if err := json.NewDecoder(io.LimitReader(r.Body, 8<<20)).Decode(&set); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": `send a JSON object of phone: name, e.g. {"237677123456": "Jean MBARGA"}`})
			return
		}
		if err := s.SetNames(set); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]int{"names": s.NameCount()})
}

func (s *Server) momoCallback(p *Payout, d Delivery, status string) *outgoing {
	body, _ := json.Marshal(momoTransfer(p, status))
	d.Method = http.MethodPut
	if s.momo.opts.CallbackPOST {
		d.Method = http.MethodPost
	}
	return &outgoing{d: d, body: body, ctype: "application/json"}
}
