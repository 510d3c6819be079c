package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"bulkpay/providers"
)

// MyCoolPayOptions shape the My-CoolPay simulator.
type MyCoolPayOptions struct {
	PrivateKey string // accepted X-PRIVATE-KEY; empty: any non-empty key
	Balance    int64  // default 1,000,000,000
}

type mycoolpay struct {
	s    *Server
	opts MyCoolPayOptions
	app  string // the public key the last payout came with: the application of a payout nobody asked for
}

func newMyCoolPay(s *Server, o MyCoolPayOptions) *mycoolpay {
	s.openAccount("mycoolpay", o.Balance)
	return &mycoolpay{s: s, opts: o}
}

func mcpError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"status": "error", "message": msg})
}

// serve handles /api/{public_key}/payout, /checkStatus/{ref} and /balance.
func (m *mycoolpay) serve(w http.ResponseWriter, r *http.Request, rest string) {
	parts := strings.Split(strings.Trim(strings.TrimPrefix(rest, "/api"), "/"), "/")
	if len(parts) < 2 || parts[0] == "" {
		mcpError(w, http.StatusNotFound, "Unknown application")
		return
	}
	op := parts[1]
	if op == "checkStatus" {
		op = "status"
	}
	fault := m.s.takeFault(r, "mycoolpay", op)
	if m.s.before(w, r, fault) {
		return
	}
	key := r.Header.Get("X-PRIVATE-KEY")
	keyOK := key != "" && (m.opts.PrivateKey == "" || key == m.opts.PrivateKey)
	switch {
	case op == "payout" && r.Method == http.MethodPost:
		if !keyOK {
			mcpError(w, http.StatusUnauthorized, "Invalid private key")
			return
		}
		m.payout(w, r, fault, parts[0], key)
	case op == "status" && len(parts) == 3 && r.Method == http.MethodGet:
		m.status(w, parts[2])
	case op == "status" && len(parts) == 2 && r.Method == http.MethodPost: // the documented legacy form
		var body struct {
			Ref string `json:"transaction_ref"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil || body.Ref == "" {
			mcpError(w, http.StatusBadRequest, "transaction_ref is required")
			return
		}
		m.status(w, body.Ref)
	case op == "balance" && r.Method == http.MethodGet:
		if !keyOK {
			mcpError(w, http.StatusUnauthorized, "Invalid private key")
			return
		}
		m.s.mu.Lock()
		m.s.settleDue()
		bal := m.s.acct["mycoolpay"].balance
		m.s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"status": "success", "balance": bal})
	default:
		mcpError(w, http.StatusNotFound, "Not found")
	}
}

var mcpOperators = map[string]string{"CM_MOMO": "MTN", "CM_OM": "Orange"}

func (m *mycoolpay) payout(w http.ResponseWriter, r *http.Request, fault *Fault, publicKey, privateKey string) {
	var body struct {
		Amount    json.RawMessage `json:"transaction_amount"`
		Currency  string          `json:"transaction_currency"`
		Reason    string          `json:"transaction_reason"`
		Operator  string          `json:"transaction_operator"`
		Ref       string          `json:"app_transaction_ref"`
		Phone     string          `json:"customer_phone_number"`
		Username  string          `json:"customer_username"`
		Email     string          `json:"customer_email"`
		Name      string          `json:"customer_name"`
		Lang      string          `json:"customer_lang"`
		Deprecate string          `json:"private_key"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
		mcpError(w, http.StatusBadRequest, "Invalid JSON body")
		return
	}
	var amount providers.WholeAmount
	if json.Unmarshal(body.Amount, &amount) != nil || amount <= 0 {
		mcpError(w, http.StatusBadRequest, "The transaction amount must be a positive integer")
		return
	}
	currency := providers.Or(body.Currency, "XAF")
	if currency != "XAF" {
		mcpError(w, http.StatusBadRequest, "Only XAF is supported")
		return
	}
	var payee, sentPhone string
	switch carrier, known := mcpOperators[body.Operator]; {
	case body.Operator == "MCP":
		payee = providers.Or(body.Phone, providers.Or(body.Username, body.Email))
		sentPhone = body.Phone
		if payee == "" {
			mcpError(w, http.StatusBadRequest, "A My-CoolPay wallet needs customer_phone_number, customer_username or customer_email")
			return
		}
	case !known:
		mcpError(w, http.StatusBadRequest, "Invalid transaction operator")
		return
	default:
		_, c, ok := mobile("237" + body.Phone)
		if len(body.Phone) != 9 || !ok {
			mcpError(w, http.StatusBadRequest, "Invalid customer phone number")
			return
		}
		if c != carrier {
			mcpError(w, http.StatusBadRequest, "The phone number does not belong to the operator "+body.Operator)
			return
		}
		payee, sentPhone = "237"+body.Phone, body.Phone
	}
	m.s.mu.Lock()
	m.s.settleDue()
	if m.s.exhausted("mycoolpay") || int64(amount) > m.s.available("mycoolpay") {
		m.s.mu.Unlock()
		mcpError(w, http.StatusBadRequest, "Insufficient balance")
		return
	}
	now := m.s.opts.Now()
	m.app = publicKey
	p := &Payout{Provider: "mycoolpay", ProviderReference: m.s.newRef("mycoolpay"), ClientReference: body.Ref, Phone: payee,
		Amount: int64(amount), Status: "PENDING", Operator: body.Operator, Fee: int64(amount) / 100, CreatedAt: now,
		Final: "SUCCESS", Success: true, Account: "mycoolpay",
		Echo: map[string]string{"customer_phone_number": sentPhone, "transaction_reason": body.Reason, "transaction_currency": currency,
			"application": publicKey},
		signKey: privateKey}
	m.s.shape(p, "FAILED")
	if body.Operator == "MCP" && p.Success {
		p.SettleAt = now // wallet to wallet is immediate
	}
	p, err := m.s.accept(p)
	if err != nil {
		m.s.mu.Unlock()
		mcpError(w, http.StatusInternalServerError, "Internal error")
		return
	}
	status, msg := http.StatusAccepted, "Transaction in progress..."
	if p.Status == "SUCCESS" {
		status, msg = http.StatusOK, "Successful transaction !"
	} else if p.Status == "FAILED" {
		m.s.mu.Unlock()
		mcpError(w, http.StatusBadRequest, "Transaction failed")
		return
	}
	ref := p.ProviderReference
	m.s.mu.Unlock()
	if m.s.after(w, r, fault) {
		return
	}
	writeJSON(w, status, map[string]string{"status": "success", "message": msg, "transaction_ref": ref})
}

// echoPhone is customer_phone_number as the payout sent it (nine national
// digits, "699009900"); null for a wallet reached by username or e-mail. A
// payout journaled before phones were kept shows its national digits.
func echoPhone(p *Payout) any {
	if ph, ok := p.Echo["customer_phone_number"]; ok {
		if ph == "" {
			return nil
		}
		return ph
	}
	return strings.TrimPrefix(p.Phone, "237")
}

func (m *mycoolpay) status(w http.ResponseWriter, ref string) {
	m.s.mu.Lock()
	m.s.settleDue()
	p := m.s.byRef[refKey{"mycoolpay", ref}]
	var body map[string]any
	if p != nil {
		body = map[string]any{"status": "success", "app_transaction_ref": p.ClientReference,
			"operator_transaction_ref": "MP" + strings.ToUpper(p.ProviderReference[:8]), "transaction_ref": p.ProviderReference,
			"transaction_type": "PAYOUT", "transaction_amount": p.Amount, "transaction_fees": p.Fee,
			"transaction_currency": providers.Or(p.Echo["transaction_currency"], "XAF"), "transaction_operator": p.Operator,
			"transaction_status": p.Status, "transaction_reason": p.Echo["transaction_reason"], "transaction_message": mcpMessage(p.Status),
			"customer_phone_number": echoPhone(p)}
	}
	m.s.mu.Unlock()
	if p == nil {
		mcpError(w, http.StatusNotFound, "Transaction not found")
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// mcpMessage is My-CoolPay's transaction_message for a status, null while
// it is in progress.
func mcpMessage(status string) any {
	switch status {
	case "SUCCESS":
		return "Your transaction has been successfully completed"
	case "FAILED":
		return "The transaction failed at the operator"
	}
	return nil
}
