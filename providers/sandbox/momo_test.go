package sandbox_test

import (
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
	"bulkpay/sheet"
)

// momoCall makes one request to the MoMo simulator at root with the
// subscription key and the headers given, and reads the answer.
func momoCall(t *testing.T, root, method, path, body string, headers map[string]string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, root+"/momo"+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Ocp-Apim-Subscription-Key", "sub")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

func momoToken(t *testing.T, root, user, key string) string {
	t.Helper()
	code, tok := momoCall(t, root, http.MethodPost, "/disbursement/token/", "",
		map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+key))})
	require.Equal(t, http.StatusOK, code, tok)
	return tok["access_token"].(string)
}

// An API user is provisioned as in MTN's sandbox; its key buys tokens; a
// callback to another host than the one it registered is refused; a
// repeated reference is refused with 409; each environment keeps its own
// transfers.
func TestMoMoAPIUserTransfersAndEnvironments(t *testing.T) {
	t.Parallel()
	rig := sandboxtest.New(t, sandbox.Options{})
	user := uuid.NewString()
	code, _ := momoCall(t, rig.URL, http.MethodPost, "/v1_0/apiuser", `{"providerCallbackHost":"payroll.example.com"}`, map[string]string{"X-Reference-Id": user})
	require.Equal(t, http.StatusCreated, code)
	code, _ = momoCall(t, rig.URL, http.MethodPost, "/v1_0/apiuser", `{"providerCallbackHost":"x"}`, map[string]string{"X-Reference-Id": user})
	assert.Equal(t, http.StatusConflict, code)
	code, key := momoCall(t, rig.URL, http.MethodPost, "/v1_0/apiuser/"+user+"/apikey", "", nil)
	require.Equal(t, http.StatusCreated, code)
	code, _ = momoCall(t, rig.URL, http.MethodPost, "/disbursement/token/", "",
		map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":wrong"))})
	assert.Equal(t, http.StatusUnauthorized, code)
	tok := momoToken(t, rig.URL, user, key["apiKey"].(string))

	ref := uuid.NewString()
	send := func(env, cb string) (int, map[string]any) {
		h := map[string]string{"Authorization": "Bearer " + tok, "X-Reference-Id": ref, "X-Target-Environment": env}
		if cb != "" {
			h["X-Callback-Url"] = cb
		}
		return momoCall(t, rig.URL, http.MethodPost, "/disbursement/v1_0/transfer",
			`{"amount":"1500","currency":"XAF","externalId":"e1","payee":{"partyIdType":"MSISDN","partyId":"237677123456"},"payerMessage":"m","payeeNote":"n"}`, h)
	}
	code, out := send("mtncameroon", "https://elsewhere.example.com/cb")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "INVALID_CALLBACK_URL_HOST", out["code"])
	code, out = send("mtnwonderland", "")
	assert.Equal(t, http.StatusForbidden, code)
	assert.Equal(t, "NOT_ALLOWED_TARGET_ENVIRONMENT", out["code"])
	code, _ = send("mtncameroon", "https://payroll.example.com/callbacks/momo")
	require.Equal(t, http.StatusAccepted, code)
	code, out = send("mtncameroon", "")
	assert.Equal(t, http.StatusConflict, code)
	assert.Equal(t, "RESOURCE_ALREADY_EXIST", out["code"])
	assert.Len(t, rig.Server.Payouts(), 1)

	get := func(env string) (int, map[string]any) {
		return momoCall(t, rig.URL, http.MethodGet, "/disbursement/v1_0/transfer/"+ref, "",
			map[string]string{"Authorization": "Bearer " + tok, "X-Target-Environment": env})
	}
	code, out = get("mtncameroon")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "1500", out["amount"], "money as a string")
	assert.Equal(t, "PENDING", out["status"])
	code, _ = get("mtnivorycoast")
	assert.Equal(t, http.StatusNotFound, code, "another environment holds its own transfers")

	code, _ = momoCall(t, rig.URL, http.MethodGet, "/disbursement/v1_0/account/balance", "", map[string]string{"X-Target-Environment": "mtncameroon"})
	assert.Equal(t, http.StatusUnauthorized, code, "a token is needed")
	req, _ := http.NewRequest(http.MethodGet, rig.URL+"/momo/disbursement/v1_0/account/balance", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("X-Target-Environment", "mtncameroon")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "and the subscription key")
}

// POST /_sandbox/names sets registered names; a number without one answers
// as an active account whose name is not disclosed.
func TestMoMoNamesDirectory(t *testing.T) {
	t.Parallel()
	rig := sandboxtest.New(t, sandbox.Options{})
	resp, err := http.Post(rig.URL+"/_sandbox/names", "application/json", strings.NewReader(`{"237677123456": "Jean-Pierre MBARGA", "+237650224118": "Emmanuel FOTSO"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 2, rig.Server.NameCount())
	resp, err = http.Post(rig.URL+"/_sandbox/names", "application/json", strings.NewReader(`{"not a number": "X"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	tok := momoToken(t, rig.URL, "user", "key")
	info := func(msisdn string) (int, map[string]any) {
		return momoCall(t, rig.URL, http.MethodGet, "/disbursement/v1_0/accountholder/msisdn/"+msisdn+"/basicuserinfo", "",
			map[string]string{"Authorization": "Bearer " + tok, "X-Target-Environment": "mtncameroon"})
	}
	code, out := info("237650224118")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "Emmanuel FOTSO", out["name"])
	assert.Equal(t, "Emmanuel", out["given_name"])
	assert.Equal(t, "FOTSO", out["family_name"])
	code, out = info("237677999999")
	require.Equal(t, http.StatusOK, code)
	assert.NotContains(t, out, "name", "active, name not disclosed")
	code, _ = info("237699009900")
	assert.Equal(t, http.StatusNotFound, code, "an Orange number holds no MoMo account")
}

// The sample names file matches the sample payroll the README pays first,
// but for one row: a new user sees a mismatch in the sandbox.
func TestSampleNamesMatchThePayrollButOneRow(t *testing.T) {
	t.Parallel()
	f, err := os.Open("../../samples/momo-names-2026-11.csv")
	require.NoError(t, err)
	defer f.Close()
	names, err := sandbox.ReadNames(f)
	require.NoError(t, err)

	raw, err := os.ReadFile("../../samples/payroll-2026-11.csv")
	require.NoError(t, err)
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\ufeff")))
	r.Comma, r.FieldsPerRecord = ';', -1
	lines, err := r.ReadAll()
	require.NoError(t, err)
	rows, differ := 0, []string{}
	for _, l := range lines {
		if len(l) < 3 || l[0] == "" || l[0] == "N°" {
			continue // the title, the header, the total
		}
		rows++
		ph, err := sheet.ParsePhone(l[2], "CM")
		require.NoError(t, err, l[2])
		registered, ok := names[ph.E164]
		require.True(t, ok, "row %s has a registered name", l[0])
		if !strings.EqualFold(registered, l[1]) {
			differ = append(differ, l[1]+" / "+registered)
		}
	}
	assert.Equal(t, 25, rows)
	assert.Len(t, names, rows)
	assert.Equal(t, []string{"Alain Djomo / Marcel NANA"}, differ)
}

func TestReadNames(t *testing.T) {
	t.Parallel()
	srv := sandboxtest.Sandbox(t, sandbox.Options{})
	n, err := srv.LoadNames("../../samples/momo-names-2026-11.csv")
	require.NoError(t, err)
	assert.Equal(t, 25, n)
	assert.Equal(t, 25, srv.NameCount())
	_, err = srv.LoadNames("no-such-file.csv")
	assert.Error(t, err)

	got, err := sandbox.ReadNames(strings.NewReader("\ufeffName,Phone\nAwa DIOP,+221 77 123 45 67\n"))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"221771234567": "Awa DIOP"}, got)
	_, err = sandbox.ReadNames(strings.NewReader("who,what\na,b\n"))
	assert.ErrorContains(t, err, "phone column")
	_, err = sandbox.ReadNames(strings.NewReader("phone,name\n0677,X\nabc,Y\n"))
	assert.ErrorContains(t, err, "line 3")
}

// A restarted sandbox remembers MoMo's transfers from its journal: a
// transfer is found by our reference in its environment, and a resend of it
// is refused with 409.
func TestMoMoJournalRemembersTransfers(t *testing.T) {
	t.Parallel()
	journal := t.TempDir() + "/j.jsonl"
	first := sandboxtest.New(t, sandbox.Options{JournalPath: journal})
	tok := momoToken(t, first.URL, "user", "key")
	ref := uuid.NewString()
	send := func(root, tok string) int {
		code, _ := momoCall(t, root, http.MethodPost, "/disbursement/v1_0/transfer",
			`{"amount":"2000","currency":"XOF","externalId":"`+ref+`","payee":{"partyIdType":"MSISDN","partyId":"2250501020304"}}`,
			map[string]string{"Authorization": "Bearer " + tok, "X-Reference-Id": ref, "X-Target-Environment": "mtnivorycoast"})
		return code
	}
	require.Equal(t, http.StatusAccepted, send(first.URL, tok))
	require.NoError(t, first.Server.Close())

	again := sandboxtest.New(t, sandbox.Options{JournalPath: journal})
	tok = momoToken(t, again.URL, "user", "key")
	code, out := momoCall(t, again.URL, http.MethodGet, "/disbursement/v1_0/transfer/"+ref, "",
		map[string]string{"Authorization": "Bearer " + tok, "X-Target-Environment": "mtnivorycoast"})
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "2000", out["amount"])
	assert.Equal(t, "XOF", out["currency"])
	assert.Equal(t, ref, out["externalId"])
	assert.Equal(t, http.StatusConflict, send(again.URL, tok))
	assert.Len(t, again.Server.Payouts(), 1)
}
