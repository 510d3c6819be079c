package cinetpay_test

import (
	"net/http"
	"testing"
	"time"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/cinetpay"
	"bulkpay/providers/contract"
	"bulkpay/providers/sandbox"
)

func newClient(root string, hc *http.Client) *cinetpay.Client {
	return cinetpay.New(cinetpay.WithBaseURL(root+"/cinetpay/v1"), cinetpay.WithHTTPClient(hc),
		cinetpay.WithCredentials("key", "pass"), cinetpay.WithNotifyURL("http://127.0.0.1/notify"))
}

func TestContract(t *testing.T) {
	contract.Suite{
		Name: "cinetpay", SendOp: "send", Settles: true,
		New: func(root string, hc *http.Client) batch.Provider {
			return cinetpay.New(cinetpay.WithBaseURL(root+"/cinetpay/v1"), cinetpay.WithHTTPClient(hc),
				cinetpay.WithCredentials("cinetpay-apikey", "cinetpay-password"), cinetpay.WithNotifyURL("http://127.0.0.1/notify"))
		},
		Payee:        providers.Payout{Phone: "2250701020304", Country: "CI", Operator: "Orange", Amount: 5000, Name: "Awa Koné"},
		Refused:      providers.Payout{Phone: "2250701020304", Country: "CI", Operator: "Orange", Amount: 5001, Name: "Awa Koné"},
		ExpireTokens: (*sandbox.Server).ExpireCinetPayTokens,
		Secrets:      []string{"cinetpay-apikey", "cinetpay-password"},
	}.Run(t)
}

func newClientWith(root string, clock func() time.Time) *cinetpay.Client {
	return cinetpay.New(cinetpay.WithBaseURL(root+"/cinetpay/v1"), cinetpay.WithHTTPClient(&http.Client{Timeout: 2 * time.Second}),
		cinetpay.WithCredentials("key", "pass"), cinetpay.WithNotifyURL("http://127.0.0.1/notify"), cinetpay.WithClock(clock))
}
