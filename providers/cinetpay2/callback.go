package cinetpay2

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"bulkpay/providers"
)

// Callbacks reads the 2026 API's webhooks: a JSON POST to the transfer's
// notify_url, {notify_token, merchant_transaction_id, transaction_id, user}.
// CinetPay signs nothing; the notify_token its initiation returned is what
// authenticates a webhook, and batch.Confirm compares it with the digest
// the item keeps, then looks the transfer up by its transaction_id before
// anything moves. CinetPay wants a 200 within 10 s.
type Callbacks struct{ providers.CallbackName }

var _ providers.CallbackParser = (*Callbacks)(nil)

// NewCallbacks reads the 2026 API's webhooks.
func NewCallbacks() *Callbacks { return &Callbacks{Name} }

// webhook is the body CinetPay posts.
type webhook struct {
	NotifyToken           string          `json:"notify_token"`
	MerchantTransactionID string          `json:"merchant_transaction_id"`
	TransactionID         json.RawMessage `json:"transaction_id"`
	User                  json.RawMessage `json:"user"`
}

// ParseCallback reads a webhook to /callbacks/cinetpay/{item}. An empty
// request (a check that the URL answers) is a Ping. A webhook must carry
// CinetPay's transaction_id (what the lookup asks by) and its notify_token;
// the item the URL names must be the one merchant_transaction_id names. The
// token is kept out of Raw: it authenticates, it is not evidence to show.
func (c *Callbacks) ParseCallback(r *http.Request) (providers.Callback, error) {
	item := providers.PathItem(r, Name)
	cb := providers.Callback{Provider: Name, ItemReference: item, SourceAddr: providers.SourceIP(r), Method: r.Method}
	var body []byte
	if r.Method != http.MethodGet {
		b, err := providers.ReadCallbackBody(r)
		if err != nil {
			return providers.Callback{}, providers.RefuseCallback(Name, r, "", providers.ErrCallbackMalformed, err.Error())
		}
		body = bytes.TrimSpace(b)
	}
	if len(body) == 0 && r.URL.RawQuery == "" {
		cb.Ping = true
		return cb, nil
	}
	var w webhook
	if err := json.Unmarshal(body, &w); err != nil {
		evidence := providers.Snippet(body)
		if bytes.Contains(body, []byte("notify_token")) {
			evidence = "(an unreadable body naming a notify_token: not kept)"
		}
		return providers.Callback{}, providers.RefuseCallback(Name, r, evidence, providers.ErrCallbackMalformed, "not the JSON of a webhook")
	}
	raw := redacted(body)
	refuse := func(class error, reason string) (providers.Callback, error) {
		return providers.Callback{}, providers.RefuseCallback(Name, r, raw, class, reason)
	}
	if strings.TrimSpace(w.NotifyToken) == "" {
		return refuse(providers.ErrCallbackSignature, "no notify_token")
	}
	theirs := strings.Trim(strings.TrimSpace(string(w.TransactionID)), `"`)
	if theirs == "" || theirs == "null" {
		return refuse(providers.ErrCallbackMalformed, "no transaction_id to look the transfer up by")
	}
	ours := ""
	if w.MerchantTransactionID != "" {
		ours = DecodeReference(w.MerchantTransactionID)
	}
	if item != "" && ours != "" && ours != item {
		return refuse(providers.ErrCallbackMalformed, "the URL and merchant_transaction_id name different items")
	}
	cb.ItemReference, cb.ProviderReference = providers.Or(item, ours), theirs
	cb.Token, cb.Raw = w.NotifyToken, raw
	return cb, nil
}

// redacted is the webhook's body with its notify_token blanked, to keep.
func redacted(body []byte) string {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	if _, ok := m["notify_token"]; ok {
		m["notify_token"] = "{redacted}"
	}
	b, _ := json.Marshal(m)
	return string(b)
}
