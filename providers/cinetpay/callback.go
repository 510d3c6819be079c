package cinetpay

import (
	"net/http"
	"strings"

	"bulkpay/providers"
)

// Callbacks reads CinetPay's transfer notifications. They are unsigned: a
// notification is only a reason to look the transfer up with check/money.
type Callbacks struct{ providers.CallbackName }

var _ providers.CallbackParser = (*Callbacks)(nil)

// NewCallbacks reads CinetPay's notifications.
func NewCallbacks() *Callbacks { return &Callbacks{Name} }

// ParseCallback reads a notification to a transfer's notify_url
// (/callbacks/cinetpay/{item}): first an empty GET, a Ping that carries
// nothing; then a form POST with transaction_id, client_transaction_id, lot,
// amount, receiver, operator, treatment_status and more. The fields of a GET
// are read from its query. The item the URL names must be the one
// client_transaction_id names when both do.
func (c *Callbacks) ParseCallback(r *http.Request) (providers.Callback, error) {
	raw, fields, err := providers.CallbackValues(r)
	refuse := func(class error, reason string) (providers.Callback, error) {
		return providers.Callback{}, providers.RefuseCallback(Name, r, raw, class, reason)
	}
	if err != nil {
		return refuse(providers.ErrCallbackMalformed, err.Error())
	}
	item := providers.PathItem(r, Name)
	cb := providers.Callback{Provider: Name, ItemReference: item, SourceAddr: providers.SourceIP(r), Method: r.Method, Raw: raw}
	if len(fields) == 0 {
		cb.Ping = true
		return cb, nil
	}
	theirs, ours := fields.Get("transaction_id"), fields.Get("client_transaction_id")
	if theirs == "" && ours == "" {
		return refuse(providers.ErrCallbackMalformed, "neither transaction_id nor client_transaction_id")
	}
	if item != "" && ours != "" && ours != item {
		return refuse(providers.ErrCallbackMalformed, "the URL and client_transaction_id name different items")
	}
	cb.ItemReference, cb.ProviderReference = providers.Or(item, ours), theirs
	if st := fields.Get("treatment_status"); st != "" {
		cb.ProviderStatus, cb.Status = st, statusOf(st)
	}
	if a := strings.TrimSpace(fields.Get("amount")); a != "" {
		n, err := providers.ParseWhole(a)
		if err != nil {
			return refuse(providers.ErrCallbackMalformed, "amount is not a whole number")
		}
		cb.Amount = n
	}
	return cb, nil
}
