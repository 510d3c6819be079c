package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Cashouts go through Camoo, which pays MTN and Orange numbers only: Nexttel and
// Camtel rows used to pass validation and fail at Camoo with 422 mid-batch.
// They are refused at validation, and a run with them moves no money.
func TestCashoutsCamooCannotPayAreRefusedBeforeMoneyMoves(t *testing.T) {
	t.Parallel()
	url := startSandbox(t)
	dir := t.TempDir()
	sheet := writeRows(t, dir, "cashouts.csv", []string{
		"MTN;677123456;1000;cashout;",
		"Nexttel;685123456;1000;cashout;",
		"Camtel;620123456;1000;cashout;",
		"Orange;699009900;1000;;",
	})
	r := bulkpay(t, dir, "validate", sheet, "--json")
	require.Equal(t, 2, r.code, r.stderr)
	var v validateJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &v))
	assert.Equal(t, 2, v.Valid)
	require.Len(t, v.Errors, 2)
	assert.Equal(t, []int{3, 4}, []int{v.Errors[0].Row, v.Errors[1].Row})
	assert.Equal(t, "Téléphone", v.Errors[0].Column)
	assert.Equal(t, "+237685123456", v.Errors[0].Value)
	assert.Contains(t, v.Errors[0].Message, "camoo pays only MTN and Orange numbers in CM, and this is a NEXTTEL number")
	assert.Contains(t, v.Errors[1].Message, "Camtel number")
	assert.Contains(t, v.Errors[1].Message, "pay this row another way")

	r = bulkpay(t, dir, "run", sheet, "--sandbox", url)
	assert.Equal(t, 2, r.code, r.stderr)
	assert.Contains(t, r.stderr, `row 3, column Téléphone, value "+237685123456": camoo pays only MTN and Orange numbers in CM`)
	assert.Empty(t, payouts(t, url), "nothing was sent, not even the payable rows")
}

// A row whose provider cannot pay the batch currency is refused at validation:
// CinetPay pays Guinea in GNF, CamPay and My-CoolPay pay Cameroon in XAF.
func TestCurrencyAProviderCannotPayIsRefused(t *testing.T) {
	t.Parallel()
	skipShort(t, 4, "routing refusals are kept by TestCashoutsCamooCannotPayAreRefusedBeforeMoneyMoves, the rule by batch's TestRouteRefusalsHaveCodes")
	url := startSandbox(t)
	dir := t.TempDir()
	sheet := writeRows(t, dir, "gn.csv", []string{"Conakry;+224621234567;5000;;", "Douala;677123456;5000;;"})
	r := bulkpay(t, dir, "validate", sheet, "--json")
	require.Equal(t, 2, r.code, r.stderr)
	var v validateJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &v))
	require.Len(t, v.Errors, 1)
	assert.Equal(t, 2, v.Errors[0].Row)
	assert.Equal(t, "currency", v.Errors[0].Column)
	assert.Equal(t, "XAF", v.Errors[0].Value)
	assert.Contains(t, v.Errors[0].Message, "cinetpay pays GN numbers in GNF, not XAF")
	assert.Contains(t, v.Errors[0].Message, "currency: GNF")

	cfg := writeConfig(t, dir, "currency: GNF\n")
	r = bulkpay(t, dir, "validate", sheet, "--json", "--config", cfg)
	require.Equal(t, 2, r.code, r.stderr)
	v = validateJSON{}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &v))
	require.Len(t, v.Errors, 1)
	assert.Equal(t, 3, v.Errors[0].Row)
	assert.Contains(t, v.Errors[0].Message, "campay pays CM numbers in XAF, not GNF")

	gn := writeRows(t, dir, "gn-only.csv", []string{"Conakry;+224621234567;5000;;"})
	r = bulkpay(t, dir, "run", gn, "--config", cfg, "--sandbox", url)
	require.Equal(t, 0, r.code, r.stderr)
	ps := payouts(t, url)
	require.Len(t, ps, 1)
	assert.Equal(t, "cinetpay", ps[0].Provider)
}
