package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
)

// These tests hold the simulators to what the providers' own documents and
// public SDKs show (PROVIDERS.md, "What real clients showed about the simulators").

// sim is a simulator served over HTTP on 127.0.0.1.
type sim struct {
	*Server
	url string
}

func newSim(t *testing.T, opts Options) sim {
	t.Helper()
	if opts.SettleDelay == 0 {
		opts.SettleDelay = time.Hour
	}
	s, err := New(opts)
	require.NoError(t, err)
	hs := httptest.NewServer(s)
	t.Cleanup(func() { s.Close(); hs.Close() })
	return sim{Server: s, url: hs.URL}
}

// call sends one request to the simulator and decodes a JSON object answer,
// keeping numbers as json.Number so that their JSON type can be checked.
func call(t *testing.T, s sim, method, path, contentType string, body io.Reader, header map[string]string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, body)
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	dec.Decode(&out)
	return resp.StatusCode, out
}

var camooKeys = map[string]string{"X-Api-Key": "k", "X-Api-Secret": "s"}

// isInteger reports whether v is a JSON number without a fraction.
func isInteger(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	_, err := n.Int64()
	return err == nil
}

func TestCamooAcceptsJSONFormAndMultipartCashouts(t *testing.T) {
	t.Parallel()
	fields := map[string]string{"amount": "5000", "phone_number": "+237677123456", "notification_url": "https://example.com/n",
		"currency": "XAF", "external_reference": "ref"}
	form := url.Values{}
	for k, v := range fields {
		form.Set(k, v)
	}
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	for k, v := range fields {
		require.NoError(t, mw.WriteField(k, v))
	}
	require.NoError(t, mw.Close())
	cases := []struct {
		name, contentType, body string
	}{
		{"json, amount a number", "application/json", `{"amount":5000,"phone_number":"+237677123456","currency":"XAF","external_reference":"ref"}`},
		{"json, amount a string", "application/json", `{"amount":"5000","phone_number":"237677123456","external_reference":"ref"}`},
		{"json without content type", "", `{"amount":5000,"phone_number":"237677123456","external_reference":"ref"}`},
		{"urlencoded", "application/x-www-form-urlencoded", form.Encode()},
		{"multipart, as Camoo's PHP SDK sends it", mw.FormDataContentType(), mp.String()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSim(t, Options{})
			code, out := call(t, s, "POST", "/camoo/v1/payment/cashout", tc.contentType, strings.NewReader(tc.body), camooKeys)
			require.Equal(t, http.StatusCreated, code, out)
			ps := s.Payouts()
			require.Len(t, ps, 1)
			assert.Equal(t, int64(5000), ps[0].Amount)
			assert.Equal(t, "237677123456", ps[0].Phone)
			assert.Equal(t, "ref", ps[0].ClientReference)
		})
	}

	s := newSim(t, Options{})
	code, out := call(t, s, "POST", "/camoo/v1/payment/cashout", "application/x-www-form-urlencoded", strings.NewReader("amount=50.5&phone_number=237677123456"), camooKeys)
	assert.Equal(t, http.StatusBadRequest, code, "a fraction is refused whatever the encoding")
	assert.Contains(t, out["errors"], "amount")
	code, _ = call(t, s, "POST", "/camoo/v1/payment/cashout", "application/json", strings.NewReader(`{"amount":`), camooKeys)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Empty(t, s.Payouts())
}

func TestCamooAnswersWithTheDocumentedTypes(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 17, 10, 45, 57, 0, time.UTC)
	s := newSim(t, Options{Now: func() time.Time { return now }})
	code, out := call(t, s, "POST", "/camoo/v1/payment/cashout", "application/json",
		strings.NewReader(`{"amount":5000,"phone_number":"237699009900","external_reference":"r"}`), camooKeys)
	require.Equal(t, http.StatusCreated, code)
	assert.True(t, isInteger(out["code"]), "code %v", out["code"])
	co := out["cashOut"].(map[string]any)
	for _, f := range []string{"amount", "net_amount", "created_at"} {
		assert.True(t, isInteger(co[f]), "%s is an integer: %#v", f, co[f])
	}
	assert.IsType(t, json.Number(""), co["fees"], "fees is a number")
	assert.Equal(t, json.Number(fmt.Sprint(now.Unix())), co["created_at"], "created_at in Unix seconds")
	assert.Equal(t, "created", co["status"], "statuses in lower case, as in Camoo's examples")
	assert.Equal(t, "orange", co["network"], "networks in lower case")
	assert.Equal(t, "XAF", co["currency"])

	code, out = call(t, s, "GET", "/camoo/v1/payment/verify?id="+co["id"].(string), "", nil, camooKeys)
	require.Equal(t, http.StatusOK, code)
	v := out["verify"].(map[string]any)
	assert.True(t, isInteger(v["amount"]))
	assert.Equal(t, "created", v["status"])

	code, out = call(t, s, "GET", "/camoo/v1/payment/account", "", nil, camooKeys)
	require.Equal(t, http.StatusOK, code)
	assert.True(t, isInteger(out["account"].(map[string]any)["balance"]), "balance is an integer")
}

func TestCamooRefusesCurrenciesItDoesNotPay(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{})
	for cur, want := range map[string]int{"XAF": 201, "xaf": 201, "": 201, "XOF": 422, "EUR": 422} {
		code, out := call(t, s, "POST", "/camoo/v1/payment/cashout", "application/json",
			strings.NewReader(fmt.Sprintf(`{"amount":100,"phone_number":"237677123456","currency":%q}`, cur)), camooKeys)
		assert.Equal(t, want, code, "%q: %v", cur, out)
	}
	assert.Len(t, s.Payouts(), 3)
}

// cinetLogin logs in to the CinetPay simulator and returns the token.
func cinetLogin(t *testing.T, s sim) string {
	t.Helper()
	code, out := call(t, s, "POST", "/cinetpay/v1/auth/login?lang=fr", "application/x-www-form-urlencoded",
		strings.NewReader("apikey=k&password=p"), nil)
	require.Equal(t, 200, code, out)
	return out["data"].(map[string]any)["token"].(string)
}

// codeText reads a CinetPay code whether it came as a number or a string.
func codeText(v any) string {
	switch c := v.(type) {
	case json.Number:
		return c.String()
	case string:
		return c
	}
	return fmt.Sprint(v)
}

func TestCinetPayBalanceInNumbersAndTokenErrorsDescribed(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{CinetPay: CinetPayOptions{Balance: 663}})
	tok := cinetLogin(t, s)
	code, out := call(t, s, "GET", "/cinetpay/v1/transfer/check/balance?lang=fr&token="+tok, "", nil, nil)
	require.Equal(t, 200, code)
	data := out["data"].(map[string]any)
	assert.Equal(t, json.Number("663"), data["amount"], `numbers, as documented ("amount": 663)`)
	assert.Equal(t, json.Number("0"), data["inUsing"])
	assert.Equal(t, json.Number("663"), data["available"])

	code, out = call(t, s, "GET", "/cinetpay/v1/transfer/check/balance?lang=fr&token=forged", "", nil, nil)
	assert.Equal(t, 401, code)
	assert.Equal(t, "706", codeText(out["code"]))
	assert.NotEmpty(t, out["description"], "token errors carry a description")

	s.ExpireCinetPayTokens()
	_, out = call(t, s, "GET", "/cinetpay/v1/transfer/check/balance?lang=fr&token="+tok, "", nil, nil)
	assert.Equal(t, "705", codeText(out["code"]))
	assert.NotEmpty(t, out["description"])

	code, out = call(t, s, "POST", "/cinetpay/v1/auth/login", "application/x-www-form-urlencoded", strings.NewReader("apikey=k"), nil)
	assert.Equal(t, 401, code)
	assert.Equal(t, "701", codeText(out["code"]))
	assert.NotEmpty(t, out["description"])
}

func TestCinetPayLoginAndContactAcceptGET(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{})
	code, out := call(t, s, "GET", "/cinetpay/v1/auth/login?lang=fr&apikey=k&password=p", "", nil, nil)
	require.Equal(t, 200, code, out)
	tok := out["data"].(map[string]any)["token"].(string)
	data := url.QueryEscape(`[{"prefix":"225","phone":"0701020304","name":"Awa","surname":"Koné","email":""}]`)
	code, out = call(t, s, "GET", "/cinetpay/v1/transfer/contact?lang=fr&token="+tok+"&data="+data, "", nil, nil)
	require.Equal(t, 200, code, out)
	assert.Equal(t, "0", codeText(out["code"]))
	assert.Equal(t, 1, s.ContactCount())
}

func TestCinetPayNotFoundAsStringOrNumber(t *testing.T) {
	t.Parallel()
	for _, numeric := range []bool{false, true} {
		s := newSim(t, Options{CinetPay: CinetPayOptions{NumericCodes: numeric}})
		tok := cinetLogin(t, s)
		code, out := call(t, s, "GET", "/cinetpay/v1/transfer/check/money?lang=fr&client_transaction_id=nobody&token="+tok, "", nil, nil)
		require.Equal(t, 200, code)
		assert.Equal(t, "723", codeText(out["code"]), "numeric codes %v", numeric)
		assert.Equal(t, "NOT_FOUND", out["message"])
		if numeric {
			assert.IsType(t, json.Number(""), out["code"])
		} else {
			assert.IsType(t, "", out["code"])
		}
	}
}

func TestMyCoolPayCheckStatusEchoesWhatWasSent(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{})
	key := map[string]string{"X-PRIVATE-KEY": "priv"}
	code, out := call(t, s, "POST", "/mycoolpay/api/pub/payout", "application/json", strings.NewReader(
		`{"transaction_amount":100,"transaction_currency":"XAF","transaction_reason":"Salaire novembre","transaction_operator":"CM_OM",
		"app_transaction_ref":"order_123","customer_phone_number":"699009900","customer_name":"Bob","customer_lang":"fr"}`), key)
	require.Equal(t, http.StatusAccepted, code, out)
	ref := out["transaction_ref"].(string)

	code, got := call(t, s, "GET", "/mycoolpay/api/pub/checkStatus/"+ref, "", nil, nil)
	require.Equal(t, 200, code)
	assert.Equal(t, "699009900", got["customer_phone_number"], "the phone as it was sent: national digits")
	assert.Equal(t, "Salaire novembre", got["transaction_reason"], "the caller's reason")
	assert.Equal(t, "XAF", got["transaction_currency"])
	assert.Equal(t, "order_123", got["app_transaction_ref"])

	code, legacy := call(t, s, "POST", "/mycoolpay/api/pub/checkStatus", "application/json", strings.NewReader(`{"transaction_ref":"`+ref+`"}`), nil)
	require.Equal(t, 200, code, "the documented legacy POST /checkStatus is served")
	assert.Equal(t, got, legacy)
	code, _ = call(t, s, "POST", "/mycoolpay/api/pub/checkStatus", "application/json", strings.NewReader(`{"transaction_ref":"nope"}`), nil)
	assert.Equal(t, 404, code)
	code, _ = call(t, s, "POST", "/mycoolpay/api/pub/checkStatus", "application/json", strings.NewReader(`{}`), nil)
	assert.Equal(t, 400, code)

	code, out = call(t, s, "POST", "/mycoolpay/api/pub/payout", "application/json", strings.NewReader(
		`{"transaction_amount":100,"transaction_operator":"MCP","app_transaction_ref":"w","customer_username":"jdoe","transaction_reason":"r"}`), key)
	require.Equal(t, http.StatusOK, code, out)
	_, got = call(t, s, "GET", "/mycoolpay/api/pub/checkStatus/"+out["transaction_ref"].(string), "", nil, nil)
	assert.Nil(t, got["customer_phone_number"], "a wallet reached by username sent no phone")
}

func TestMyCoolPayEchoSurvivesARestart(t *testing.T) {
	t.Parallel()
	journal := t.TempDir() + "/j.jsonl"
	s := newSim(t, Options{JournalPath: journal})
	_, out := call(t, s, "POST", "/mycoolpay/api/pub/payout", "application/json", strings.NewReader(
		`{"transaction_amount":100,"transaction_operator":"CM_MOMO","app_transaction_ref":"a","customer_phone_number":"677123456","transaction_reason":"Prime"}`),
		map[string]string{"X-PRIVATE-KEY": "priv"})
	ref := out["transaction_ref"].(string)
	s.Close()
	s2 := newSim(t, Options{JournalPath: journal})
	_, got := call(t, s2, "GET", "/mycoolpay/api/pub/checkStatus/"+ref, "", nil, nil)
	assert.Equal(t, "677123456", got["customer_phone_number"])
	assert.Equal(t, "Prime", got["transaction_reason"])
}

func TestCamPayRefusesAnExternalReferenceThatIsNotUUID4(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{})
	c := newRaw(t, s.Server)
	cases := []struct {
		ref  string
		want int
	}{
		{"2ceefe04-1a79-4914-9dd0-c61748c2aecb", 200},
		{"", 200}, // optional in CamPay's docs
		{"r1", 400},
		{"my-site-reference", 400},
		{"2ceefe04-1a79-1914-9dd0-c61748c2aecb", 400}, // a version 1 UUID
		{"2ceefe041a7949149dd0c61748c2aecb", 400},
	}
	for _, tc := range cases {
		code, body := c.do("POST", "/campay/api/withdraw/", fmt.Sprintf(`{"amount":100,"to":"237677123456","external_reference":%q}`, tc.ref))
		assert.Equal(t, tc.want, code, "%q: %v", tc.ref, body)
		if tc.want == 400 {
			assert.Contains(t, body["message"], "UUID4")
		}
	}
	assert.Len(t, s.Payouts(), 2, "nothing recorded for a refused reference")
}

func TestCamPayRefusesCurrenciesOtherThanXAF(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{})
	c := newRaw(t, s.Server)
	code, _ := c.do("POST", "/campay/api/withdraw/", `{"amount":100,"to":"237677123456","currency":"XAF"}`)
	assert.Equal(t, 200, code)
	code, body := c.do("POST", "/campay/api/withdraw/", `{"amount":100,"to":"237677123456","currency":"XOF"}`)
	assert.Equal(t, 400, code)
	assert.Contains(t, body["message"], "XAF")
	assert.Len(t, s.Payouts(), 1)
}

// TestAcceptanceMatchesDeclarations sends one payout per provider and sample
// number through each simulator's own API and checks that it accepts exactly
// what the provider declares it pays (providers.CanPay), in the currency it
// declares for the country: routing and the simulators agree.
func TestAcceptanceMatchesDeclarations(t *testing.T) {
	t.Parallel()
	numbers := []string{
		"237677123456", "237699009900", "237685123456", "237661234567", "237620123456", // CM: MTN, Orange, Nexttel, Nexttel, Camtel
		"2250701020304", "2250501020304", "2250101020304", // CI: Orange, MTN, Moov
		"221771234567", "221761234567", "22365012345", "22670123456", "22890112345", "2290197123456", // SN, SN Free, ML, BF, TG, BJ
		"224621234567", "243811234567", "243991234567", "2348031234567", // GN, CD Vodacom, CD Airtel, NG
	}
	modes := map[string]string{"campay": providers.ModeMobileMoney, "cinetpay": providers.ModeMobileMoney,
		"mycoolpay": providers.ModeMobileMoney, "camoo": providers.ModeCashout}
	s := newSim(t, Options{})
	campayTok := newRaw(t, s.Server).token
	cinetTok := cinetLogin(t, s)
	accepted := func(provider, number, currency string, n int) (bool, string) {
		_, carrier, _ := mobile(number)
		prefix, national := providers.SplitE164(number)
		ref := fmt.Sprintf("0b5e6f1a-3c2d-4e8f-9a7b-%012d", n)
		switch provider {
		case "campay":
			code, out := call(t, s, "POST", "/campay/api/withdraw/", "application/json",
				strings.NewReader(fmt.Sprintf(`{"amount":5000,"to":%q,"external_reference":%q,"currency":%q}`, number, ref, currency)),
				map[string]string{"Authorization": "Token " + campayTok})
			return code == 200, fmt.Sprint(out)
		case "mycoolpay":
			op := map[string]string{"MTN": "CM_MOMO", "Orange": "CM_OM"}[carrier]
			if op == "" {
				op = "CM_MOMO" // the client would refuse first; the provider must refuse too
			}
			code, out := call(t, s, "POST", "/mycoolpay/api/pub/payout", "application/json",
				strings.NewReader(fmt.Sprintf(`{"transaction_amount":5000,"transaction_currency":%q,"transaction_operator":%q,"app_transaction_ref":%q,"customer_phone_number":%q}`,
					currency, op, ref, national)), map[string]string{"X-PRIVATE-KEY": "priv"})
			return code == 200 || code == 202, fmt.Sprint(out)
		case "camoo":
			code, out := call(t, s, "POST", "/camoo/v1/payment/cashout", "application/json",
				strings.NewReader(fmt.Sprintf(`{"amount":5000,"phone_number":"+%s","external_reference":%q,"currency":%q}`, number, ref, currency)), camooKeys)
			return code == 201, fmt.Sprint(out)
		default: // cinetpay: the legacy API takes no currency, the country decides it
			line := fmt.Sprintf(`[{"prefix":%q,"phone":%q,"name":"A","surname":"B","email":""}]`, prefix, national)
			call(t, s, "POST", "/cinetpay/v1/transfer/contact?token="+cinetTok, "application/x-www-form-urlencoded",
				strings.NewReader(url.Values{"data": {line}}.Encode()), nil)
			line = fmt.Sprintf(`[{"prefix":%q,"phone":%q,"amount":"5000","notify_url":"http://127.0.0.1/n","client_transaction_id":%q}]`, prefix, national, ref)
			_, out := call(t, s, "POST", "/cinetpay/v1/transfer/money/send/contact?token="+cinetTok, "application/x-www-form-urlencoded",
				strings.NewReader(url.Values{"data": {line}}.Encode()), nil)
			items := out["data"].([]any)[0].([]any)
			item := items[0].(map[string]any)
			return codeText(item["code"]) == "0", fmt.Sprint(item)
		}
	}
	n := 0
	for provider, mode := range modes {
		for _, number := range numbers {
			region, carrier, ok := mobile(number)
			require.True(t, ok, number)
			currency := providers.Or(providers.PaidIn(provider, region, carrier), "XAF")
			n++
			declared := providers.CanPay(provider, providers.Payee{Country: region, Carrier: carrier, Mode: mode, Currency: currency}) == nil
			got, answer := accepted(provider, number, currency, n)
			assert.Equal(t, declared, got, "%s, %s (%s %s): declared %v, simulator accepted %v: %s", provider, number, region, carrier, declared, got, answer)
		}
		if provider == "cinetpay" {
			continue // no currency in its requests
		}
		// in Cameroon, only the currency the provider declares
		for _, currency := range []string{"XAF", "XOF", "GNF", "EUR"} {
			n++
			got, answer := accepted(provider, "237677123456", currency, n)
			assert.Equal(t, providers.PaidIn(provider, "CM", "MTN") == currency, got, "%s in %s: %s", provider, currency, answer)
		}
	}
}
