package sheet

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

// TestWalletRows: which rows are wallet rows is what the providers declare
// (providers.WalletNamed, providers.WalletAddressed): the words of the operator
// or mode cell, and what a wallet's address looks like.
func TestWalletRows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, phone, operator, mode string
		wantPhone, wantOperator     string // of the row read
		wantMode                    string
		says                        string // the phone cell's error, when refused
	}{
		{"username, operator MCP", "jdoe", "MCP", "", "jdoe", batch.OperatorMCP, batch.ModeMobileMoney, ""},
		{"username, mode My-CoolPay wallet", "jdoe", "", "My-CoolPay wallet", "jdoe", batch.OperatorMCP, batch.ModeMobileMoney, ""},
		{"username, operator my coolpay", "j.doe_2", "my coolpay", "", "j.doe_2", batch.OperatorMCP, batch.ModeMobileMoney, ""},
		{"e-mail without saying MCP", "jean@acme.cm", "", "", "jean@acme.cm", batch.OperatorMCP, batch.ModeMobileMoney, ""},
		{"phone of a wallet", "677123456", "MCP", "", "237677123456", batch.OperatorMCP, batch.ModeMobileMoney, ""},
		{"phone, MTN", "677123456", "MTN", "", "237677123456", "MTN", batch.ModeMobileMoney, ""},
		{"wallet cashout keeps its mode", "jdoe", "MCP", "cashout", "jdoe", batch.OperatorMCP, batch.ModeCashout, ""},
		{"bare word without MCP", "jdoe", "", "", "", "", "", "phone"},
		{"wallet row without an address", "j d", "MCP", "", "", "", "", "My-CoolPay wallet row needs the wallet's phone, username or e-mail"},
		{"bad e-mail of a wallet", "jean@acme", "MCP", "", "", "", "", "My-CoolPay wallet row needs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := writeCSV(t, "name,phone,amount,operator,mode\nJean Mbarga,"+tc.phone+",1000,"+tc.operator+","+tc.mode+"\n")
			rows, res := readAll(t, path, Options{})
			if tc.says != "" {
				require.Len(t, res.Errors, 1)
				assert.Equal(t, "phone", res.Errors[0].Column)
				assert.Contains(t, res.Errors[0].Message, tc.says)
				assert.Empty(t, rows)
				return
			}
			require.Empty(t, res.Errors)
			require.Len(t, rows, 1)
			assert.Equal(t, tc.wantPhone, rows[0].Phone)
			assert.Equal(t, tc.wantOperator, rows[0].Operator)
			assert.Equal(t, tc.wantMode, rows[0].Mode)
		})
	}
}
