package momo

import (
	"encoding/json"
	"net/http"

	"bulkpay/providers"
)

// Callbacks reads MoMo's transfer callbacks: a PUT or a POST, sent once and
// never again, whose body is shaped as the status answer. MTN publishes no
// signature for them: a callback is only a reason to look the transfer up by
// our reference.
type Callbacks struct{ providers.CallbackName }

var _ providers.CallbackParser = (*Callbacks)(nil)

// NewCallbacks reads MoMo's callbacks.
func NewCallbacks() *Callbacks { return &Callbacks{Name} }

// ParseCallback reads a callback to X-Callback-Url (/callbacks/momo or
// /callbacks/momo/{item}): the transfer's externalId is our reference, which
// is also the transfer's id at MoMo. The item the URL names must be the one
// externalId names when both do.
func (c *Callbacks) ParseCallback(r *http.Request) (providers.Callback, error) {
	refuse := func(raw string, class error, reason string) (providers.Callback, error) {
		return providers.Callback{}, providers.RefuseCallback(Name, r, raw, class, reason)
	}
	if r.Method != http.MethodPut && r.Method != http.MethodPost {
		return refuse(r.URL.RawQuery, providers.ErrCallbackMalformed, "MoMo calls back with PUT or POST")
	}
	body, err := providers.ReadCallbackBody(r)
	raw := string(body)
	if err != nil {
		return refuse(raw, providers.ErrCallbackMalformed, err.Error())
	}
	var t Transfer
	if err := json.Unmarshal(body, &t); err != nil {
		return refuse(raw, providers.ErrCallbackMalformed, "body is not a MoMo transfer")
	}
	item := providers.PathItem(r, Name)
	ref := providers.Or(t.ExternalID, item)
	if ref == "" {
		return refuse(raw, providers.ErrCallbackMalformed, "no externalId")
	}
	if item != "" && t.ExternalID != "" && item != t.ExternalID {
		return refuse(raw, providers.ErrCallbackMalformed, "the URL and externalId name different items")
	}
	cb := providers.Callback{Provider: Name, ItemReference: ref, ProviderReference: ref, ProviderStatus: t.Status,
		Amount: int64(t.Amount), SourceAddr: providers.SourceIP(r), Method: r.Method, Raw: raw}
	if st, ok := statusOf(t.Status); ok {
		cb.Status = st
	}
	return cb, nil
}
