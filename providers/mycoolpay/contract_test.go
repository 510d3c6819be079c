package mycoolpay_test

import (
	"net/http"
	"testing"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/contract"
	"bulkpay/providers/mycoolpay"
)

func TestContract(t *testing.T) {
	contract.Suite{
		Name: "mycoolpay", SendOp: "payout",
		New: func(root string, hc *http.Client) batch.Provider {
			return mycoolpay.New(mycoolpay.WithBaseURL(root+"/mycoolpay/api"), mycoolpay.WithHTTPClient(hc), mycoolpay.WithKeys("mcp-public-key", "mcp-private-key"))
		},
		Payee:   providers.Payout{Phone: "237699009900", Country: "CM", Operator: "Orange", Amount: 5000, Name: "Bob Marley"},
		Refused: providers.Payout{Phone: "237677123456", Country: "CM", Operator: "Orange", Amount: 5000, Name: "Wrong operator"},
		Secrets: []string{"mcp-public-key", "mcp-private-key"},
	}.Run(t)
}
