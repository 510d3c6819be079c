package cinetpay2_test

import (
	"net/http"
	"testing"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/cinetpay2"
	"bulkpay/providers/contract"
	"bulkpay/providers/sandbox"
)

func TestContract(t *testing.T) {
	contract.Suite{
		Name: cinetpay2.Name, Simulator: sandbox.CinetPayAPIName, SendOp: "transfer",
		// no lookup by our reference: an outcome in doubt without CinetPay's
		// transaction_id waits for its webhook, or a person
		Settles: false,
		New: func(root string, hc *http.Client) batch.Provider {
			return cinetpay2.New(cinetpay2.WithBaseURL(root+"/cinetpay-api"), cinetpay2.WithHTTPClient(hc),
				cinetpay2.WithAccount("CI", "sk_test_ci_contract", "ci-api-password"), cinetpay2.WithNotifyURL("http://127.0.0.1/notify"))
		},
		Payee: providers.Payout{Phone: "2250701020304", Country: "CI", Operator: "Orange", Amount: 5000, Name: "Awa Koné"},
		// not a multiple of 5: a 422
		Refused:      providers.Payout{Phone: "2250701020304", Country: "CI", Operator: "Orange", Amount: 5001, Name: "Awa Koné"},
		ExpireTokens: (*sandbox.Server).ExpireCinetPayAPITokens,
		Secrets:      []string{"sk_test_ci_contract", "ci-api-password"},
		Sent: func(ref string) string {
			id, err := cinetpay2.EncodeReference(ref)
			if err != nil {
				panic(err)
			}
			return id
		},
	}.Run(t)
}
