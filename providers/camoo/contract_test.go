package camoo_test

import (
	"net/http"
	"testing"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/camoo"
	"bulkpay/providers/contract"
)

func TestContract(t *testing.T) {
	contract.Suite{
		Name: "camoo", SendOp: "cashout",
		New: func(root string, hc *http.Client) batch.Provider {
			return camoo.New(camoo.WithBaseURL(root+"/camoo/v1/payment"), camoo.WithHTTPClient(hc), camoo.WithKeys("camoo-key-1234", "camoo-secret-5678"))
		},
		Payee:   providers.Payout{Phone: "237677123456", Country: "CM", Operator: "MTN", Amount: 5000, Name: "Jean"},
		Refused: providers.Payout{Phone: "2250701020304", Country: "CI", Operator: "Orange", Amount: 5000, Name: "Abroad"},
		Secrets: []string{"camoo-key-1234", "camoo-secret-5678"},
	}.Run(t)
}
