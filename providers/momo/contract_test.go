package momo_test

import (
	"net/http"
	"testing"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/contract"
	"bulkpay/providers/momo"
	"bulkpay/providers/sandbox"
)

func TestContract(t *testing.T) {
	contract.Suite{
		Name: "momo", SendOp: "transfer", Settles: true,
		New: func(root string, hc *http.Client) batch.Provider {
			return momo.New(momo.WithBaseURL(root+"/momo"), momo.WithHTTPClient(hc),
				momo.WithSubscriptionKey("momo-subscription-key"), momo.WithAPIUser("momo-api-user", "momo-api-key"))
		},
		Payee: providers.Payout{Phone: "237677123456", Country: "CM", Operator: "MTN", Amount: 5000, Name: "Jean Mbarga"},
		// a number without its country code: MoMo knows no such payee
		Refused:      providers.Payout{Phone: "677123456", Country: "CM", Operator: "MTN", Amount: 5000, Name: "No Country Code"},
		ExpireTokens: (*sandbox.Server).ExpireMoMoTokens,
		Secrets:      []string{"momo-subscription-key", "momo-api-key"},
	}.Run(t)
}
