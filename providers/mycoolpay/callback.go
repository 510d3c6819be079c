package mycoolpay

import (
	"bytes"
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"bulkpay/providers"
)

// CallbackPath is the path to give My-CoolPay as the application's callback
// URL, below bulkpay's public URL (My-CoolPay takes it in the merchant area,
// not per payout): {public_url}/callbacks/mycoolpay. My-CoolPay posts to
// HTTPS addresses only, never to localhost.
var CallbackPath = providers.CallbackPath(Name)

// CallbackSource is the address My-CoolPay documents its callbacks come from.
const CallbackSource = "15.236.140.89"

// Callbacks reads and verifies My-CoolPay's callbacks. Safe for concurrent use.
// They are answered "OK" or "KO", as My-CoolPay asks.
type Callbacks struct {
	providers.CallbackName
	publicKey, privateKey string
	sources               providers.AllowList
}

var _ providers.CallbackParser = (*Callbacks)(nil)

// CallbackOption configures Callbacks.
type CallbackOption func(*Callbacks)

// WithSources replaces the addresses callbacks may come from (IP addresses or
// CIDR blocks); none at all turns the check off (the sandbox, which posts
// from this machine).
func WithSources(addrs ...string) CallbackOption {
	return func(c *Callbacks) { c.sources = append(providers.AllowList(nil), addrs...) }
}

// NewCallbacks verifies My-CoolPay's callbacks for the application with these
// keys (the private key signs them, read from the environment variable the
// config names). Callbacks are accepted from CallbackSource only unless
// WithSources says otherwise.
func NewCallbacks(publicKey, privateKey string, opts ...CallbackOption) (*Callbacks, error) {
	if publicKey == "" || privateKey == "" {
		return nil, errors.New("mycoolpay callbacks: the public and the private key are both needed")
	}
	c := &Callbacks{CallbackName: Name, publicKey: publicKey, privateKey: privateKey, sources: providers.AllowList{CallbackSource}}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// callback is the body My-CoolPay posts: checkStatus's fields with
// application and signature.
type callback struct {
	Application       string          `json:"application"`
	AppTransactionRef string          `json:"app_transaction_ref"`
	TransactionRef    string          `json:"transaction_ref"`
	TransactionType   string          `json:"transaction_type"`
	Amount            json.RawMessage `json:"transaction_amount"`
	Currency          string          `json:"transaction_currency"`
	Operator          string          `json:"transaction_operator"`
	Status            string          `json:"transaction_status"`
	Signature         string          `json:"signature"`
}

// ParseCallback reads a My-CoolPay callback, checking in the order its
// documentation gives: the source address, then the signature, md5 of
// transaction_ref, transaction_type, transaction_amount, transaction_currency,
// transaction_operator and the private key, concatenated (numbers without
// insignificant zeros). The signature does not cover the status: confirm it
// with checkStatus.
func (c *Callbacks) ParseCallback(r *http.Request) (providers.Callback, error) {
	body, err := providers.ReadCallbackBody(r) // kept as evidence, whatever is refused
	raw := string(body)
	refuse := func(class error, reason string) (providers.Callback, error) {
		return providers.Callback{}, providers.RefuseCallback(Name, r, raw, class, reason)
	}
	src := providers.SourceIP(r)
	if !c.sources.Allows(src) {
		return refuse(providers.ErrCallbackSource, "not My-CoolPay's address")
	}
	if err != nil {
		return refuse(providers.ErrCallbackMalformed, err.Error())
	}
	if r.Method != http.MethodPost {
		return refuse(providers.ErrCallbackMalformed, "My-CoolPay posts its callbacks, this is a "+r.Method)
	}
	var cb callback
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&cb); err != nil {
		return refuse(providers.ErrCallbackMalformed, "body is not a JSON callback")
	}
	if cb.Signature == "" {
		return refuse(providers.ErrCallbackSignature, "no signature")
	}
	amount := plainNumber(jsonText(cb.Amount))
	want := Sign(cb.TransactionRef, cb.TransactionType, amount, cb.Currency, cb.Operator, c.privateKey)
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(cb.Signature)), []byte(want)) != 1 {
		return refuse(providers.ErrCallbackSignature, "signature does not match the private key")
	}
	if cb.Application != c.publicKey {
		return refuse(providers.ErrCallbackSignature, "callback for another application")
	}
	if cb.TransactionRef == "" {
		return refuse(providers.ErrCallbackMalformed, "no transaction_ref")
	}
	out := providers.Callback{Provider: Name, ItemReference: cb.AppTransactionRef, ProviderReference: cb.TransactionRef,
		ProviderStatus: cb.Status, Signed: true, SourceAddr: src, Method: r.Method, Raw: raw}
	if cb.Status != "" {
		out.Status = statusOf(cb.Status)
	}
	if amount != "" {
		n, err := providers.ParseWhole(amount)
		if err != nil {
			return refuse(providers.ErrCallbackMalformed, "transaction_amount is not a whole number")
		}
		out.Amount = n
	}
	return out, nil
}

// Sign is My-CoolPay's callback signature: the hex md5 of the fields and the
// private key, concatenated. amount is written without insignificant zeros.
func Sign(transactionRef, transactionType, amount, currency, operator, privateKey string) string {
	sum := md5.Sum([]byte(transactionRef + transactionType + amount + currency + operator + privateKey))
	return hex.EncodeToString(sum[:])
}

// jsonText is a JSON value as text: a string's contents, a number as written,
// "" for null or nothing.
func jsonText(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return strings.TrimSpace(s)
	}
	if t := strings.TrimSpace(string(v)); t != "null" {
		return t
	}
	return ""
}

// plainNumber writes a decimal number without insignificant zeros: "100.50"
// is "100.5", "100.0" is "100".
func plainNumber(s string) string {
	if !strings.Contains(s, ".") || strings.ContainsAny(s, "eE") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}
