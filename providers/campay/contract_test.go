package campay_test

import (
	"net/http"
	"testing"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/campay"
	"bulkpay/providers/contract"
	"bulkpay/providers/sandbox"
)

func TestContract(t *testing.T) {
	contract.Suite{
		Name: "campay", SendOp: "withdraw", Settles: true,
		New: func(root string, hc *http.Client) batch.Provider {
			return campay.New(campay.WithBaseURL(root+"/campay/api"), campay.WithHTTPClient(hc), campay.WithCredentials("campay-user", "campay-password"))
		},
		Payee:        providers.Payout{Phone: "237677123456", Country: "CM", Operator: "MTN", Amount: 5000, Name: "Jean Mbarga"},
		Refused:      providers.Payout{Phone: "237620123456", Country: "CM", Operator: "Camtel", Amount: 5000, Name: "Camtel"},
		ExpireTokens: (*sandbox.Server).ExpireTokens,
		Secrets:      []string{"campay-password"},
	}.Run(t)
}
