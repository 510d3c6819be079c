package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/identity"
)

// TestAPIBasicWithPasswordOrKey: a user's name with the password or with an
// API key of the user's, or the key alone; a key with another name, a wrong
// password and a disabled user are refused with 401 and a JSON detail.
func TestAPIBasicWithPasswordOrKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, nil)
	key, hash, err := identity.NewToken(apiKeyPrefix)
	require.NoError(t, err)
	require.NoError(t, h.st.AddAPIKey(ctx, "carl", hash, h.clock.Now()))
	const path = "/payments/currency/"
	assert.Equal(t, http.StatusOK, h.api("carl", "password-carl").call(http.MethodGet, path, nil).code, "password")
	assert.Equal(t, http.StatusOK, h.api("carl", key).call(http.MethodGet, path, nil).code, "API key")
	assert.Equal(t, http.StatusOK, h.api(" Carl ", key).call(http.MethodGet, path, nil).code, "the name as the sign-in form reads it")
	assert.Equal(t, http.StatusOK, h.api(key, "").call(http.MethodGet, path, nil).code, "the key alone as the user name")
	assert.Equal(t, http.StatusOK, h.api("", key).call(http.MethodGet, path, nil).code, "the key alone as the password")
	for name, c := range map[string]*apiClient{
		"another's key":        h.api("awa", key),
		"a key and a password": h.api(key, "password-carl"),
		"a key in capitals":    h.api(strings.ToUpper(key), ""),
		"wrong password":       h.api("carl", "password-awa"),
		"unknown key":          h.api("carl", apiKeyPrefix+"nope"),
		"unknown user":         h.api("zoe", "password-zoe"),
	} {
		got := c.call(http.MethodGet, path, nil)
		assert.Equal(t, http.StatusUnauthorized, got.code, name)
		assert.Equal(t, `Basic realm="bulkpay", charset="UTF-8"`, got.header.Get("WWW-Authenticate"), name)
		assert.Equal(t, "wrong user name, password or API key, or the user is disabled", decode[detail](t, got).Detail, name)
		assert.Empty(t, got.header.Values("Set-Cookie"), name)
	}
	n, _, err := h.st.LoginFailures(ctx, keyAsName, h.clock.Now().Add(-LockFor))
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the two keys given as the name (with a password, in capitals) are counted without the key")
	require.NoError(t, h.st.ClearLoginFailures(ctx, "carl"))
	require.NoError(t, h.st.DisableUser(ctx, "carl"))
	assert.Equal(t, http.StatusUnauthorized, h.api("carl", "password-carl").call(http.MethodGet, path, nil).code, "disabled: password")
	assert.Equal(t, http.StatusUnauthorized, h.api("carl", key).call(http.MethodGet, path, nil).code, "disabled: key")
	assert.Equal(t, http.StatusUnauthorized, h.api(key, "").call(http.MethodGet, path, nil).code, "disabled: key alone")
}

// TestAPIBasicLockoutAndRate: failed Basic attempts lock the account as the
// sign-in form's do (even the right password is refused then), and an
// address that keeps failing is refused with 429.
func TestAPIBasicLockoutAndRate(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	for range LockAfter {
		assert.Equal(t, http.StatusUnauthorized, h.api("bob", "wrong-password").call(http.MethodGet, "/payments/country/", nil).code)
	}
	got := h.api("bob", "password-bob").call(http.MethodGet, "/payments/country/", nil)
	assert.Equal(t, http.StatusUnauthorized, got.code)
	assert.Contains(t, decode[detail](t, got).Detail, catalog["en"]["locked"])
	require.NoError(t, h.clock.Sleep(context.Background(), LockFor+LoginEvery*LoginBurst))
	assert.Equal(t, http.StatusOK, h.api("bob", "password-bob").call(http.MethodGet, "/payments/country/", nil).code, "the lock ends")

	for i := range LoginBurst {
		assert.Equal(t, http.StatusUnauthorized, h.api("nobody"+itoa(i), "x").call(http.MethodGet, "/payments/country/", nil).code)
	}
	got = h.api("dana", "password-dana").call(http.MethodGet, "/payments/country/", nil)
	assert.Equal(t, http.StatusTooManyRequests, got.code, "this address tried too often")
	assert.Equal(t, catalog["en"]["too_many_attempts"], decode[detail](t, got).Detail)
}

// TestAPIErrorsAreJSON: an unknown endpoint, a bad page and a panic answer
// {"detail"} with no stack trace.
func TestAPIErrorsAreJSON(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	carl := h.api("carl", "password-carl")
	got := carl.call(http.MethodGet, "/payments/nothing/", nil)
	assert.Equal(t, http.StatusNotFound, got.code)
	assert.Equal(t, "application/json", got.header.Get("Content-Type"))
	// a write to no endpoint, signed in or not, is not found: no key kept for nobody
	for _, c := range []*apiClient{carl, h.api("", "")} {
		assert.Equal(t, http.StatusNotFound, c.call(http.MethodPost, "/payments/nothing/", nil).code)
		assert.NotEqual(t, http.StatusInternalServerError, c.call(http.MethodPut, "/payments/bulk_payment/x/approve/", nil).code)
	}
	got = carl.call(http.MethodGet, "/payments/currency/?limit=x", nil)
	assert.Equal(t, http.StatusBadRequest, got.code)
	assert.Equal(t, "limit must be a positive whole number", decode[detail](t, got).Detail)
	got = carl.call(http.MethodGet, "/payments/bulk_payment/nope/", nil)
	assert.Equal(t, http.StatusNotFound, got.code)
	assert.Equal(t, catalog["en"]["no_batch"], decode[detail](t, got).Detail)
	got = carl.call(http.MethodGet, "/payments/link/nope/", nil)
	assert.Equal(t, http.StatusNotFound, got.code)

	panics := h.srv.wrapAPI(route{pattern: "GET /payments/panic/", roles: everyone, handle: func(http.ResponseWriter, *http.Request, *request) {
		panic("a bug with a secret in it")
	}})
	req := httptest.NewRequest(http.MethodGet, "/payments/panic/", nil)
	req.SetBasicAuth("carl", "password-carl")
	rec := httptest.NewRecorder()
	panics.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.JSONEq(t, `{"detail": "`+catalog["en"]["internal"]+`"}`, rec.Body.String())
	assert.NotContains(t, rec.Body.String(), "secret")
	assert.NotContains(t, rec.Body.String(), "goroutine")
}

// TestAPIIdempotencyKeys: a key is the user's own; a failure of the server
// releases it; a key too long is refused.
func TestAPIIdempotencyKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, nil)
	awa := h.api("awa", "password-awa")
	total := sheetTotal(t, h, sample("payroll-2026-11.xlsx"))
	require.Equal(t, http.StatusCreated, awa.create(sample("payroll-2026-11.xlsx"), map[string]string{"total_amount": itoa(int(total)),
		"reference": "nov"}, "").code)
	b, err := h.st.Batch(ctx, "nov")
	require.NoError(t, err)
	bob, eve := h.api("bob", "password-bob"), h.addUser("eve", identity.Approver)
	body := noteJSON{Note: "not this month"}
	for _, c := range []*apiClient{bob, eve, bob} {
		got := c.call(http.MethodPost, "/payments/bulk_payment/nov/reject/", body, "reject-1")
		assert.Equal(t, http.StatusOK, got.code, got.body)
	}
	events, err := h.st.Events(ctx, b.ID, 0)
	require.NoError(t, err)
	var rejections []string
	for _, e := range events {
		if e.Cause == "approval rejected" {
			rejections = append(rejections, e.Actor)
		}
	}
	assert.Equal(t, []string{"bob", "eve"}, rejections, "the key is each user's own; bob's second is a replay")
	got := bob.call(http.MethodPost, "/payments/bulk_payment/nov/reject/", noteJSON{Note: "another note"}, "reject-1")
	assert.Equal(t, http.StatusUnprocessableEntity, got.code)
	got = bob.call(http.MethodPost, "/payments/bulk_payment/nov/reject/", body, strings.Repeat("k", maxIdempotencyKey+1))
	assert.Equal(t, http.StatusBadRequest, got.code)
	got = bob.request(http.MethodPost, "/payments/bulk_payment/nov/reject/", strings.NewReader(`{"note": "x"}`), nil)
	assert.Equal(t, http.StatusBadRequest, got.code, "a write without a key")
	assert.Contains(t, decode[detail](t, got).Detail, "Idempotency-Key")
	got = bob.request(http.MethodPost, "/payments/bulk_payment/nov/reject/", strings.NewReader(`{"note": "x"}`),
		http.Header{"Idempotency-Key": {"x1"}, "Sec-Fetch-Site": {"cross-site"}})
	assert.Equal(t, http.StatusForbidden, got.code, "a write from another site's page")
	got = bob.call(http.MethodPost, "/payments/bulk_payment/nov/reject/", map[string]string{"nothing": "x"}, "bad-body")
	assert.Equal(t, http.StatusBadRequest, got.code, "unknown fields refused")

	// a request still being answered holds its key: 409; a 500 releases it
	u, err := h.st.User(ctx, "bob")
	require.NoError(t, err)
	_, found, err := h.st.ClaimKey(ctx, u.ID, "held", "some-hash", h.clock.Now())
	require.NoError(t, err)
	require.False(t, found)
	kept, found, err := h.st.ClaimKey(ctx, u.ID, "held", "some-hash", h.clock.Now())
	require.NoError(t, err)
	assert.True(t, found)
	assert.Zero(t, kept.Status, "still being answered")
	rec := &recorder{ResponseWriter: httptest.NewRecorder()}
	req := httptest.NewRequest(http.MethodPost, "/x", nil)
	h.srv.idempotent(rec, req, &request{User: u, T: catalog["en"]}, "held", "some-hash", nil)
	assert.Equal(t, http.StatusConflict, rec.status)
	rec = &recorder{ResponseWriter: httptest.NewRecorder()}
	h.srv.idempotent(rec, req, &request{User: u, T: catalog["en"]}, "fails", "h", func(w http.ResponseWriter, _ *http.Request, _ *request) {
		apiFail(w, http.StatusInternalServerError, "broken")
	})
	assert.Equal(t, http.StatusInternalServerError, rec.status)
	_, found, err = h.st.ClaimKey(ctx, u.ID, "fails", "h", h.clock.Now())
	require.NoError(t, err)
	assert.False(t, found, "released: the request may be sent again")
}

// TestAPIProfitConfigurations: an admin changes a profit configuration;
// its history is kept; batches planned after are charged by it, a batch
// planned before keeps the configuration it was planned with.
func TestAPIProfitConfigurations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, func(o *Options) {
		o.Config.ProfitConfigurations = []batch.ProfitConfig{{Name: batch.FeeMobileMoney, Fee: 100}}
	})
	awa, dana := h.api("awa", "password-awa"), h.api("dana", "password-dana")
	list := decode[listOf[profitConfigJSON]](t, dana.call(http.MethodGet, "/payments/profit_configuration/", nil))
	require.Equal(t, 1, list.Count)
	assert.Equal(t, "config", list.Results[0].Source)
	assert.Equal(t, int64(100), list.Results[0].Fee)

	total := sheetTotal(t, h, sample("payroll-2026-11.xlsx"))
	require.Equal(t, http.StatusCreated, awa.create(sample("payroll-2026-11.xlsx"), map[string]string{"total_amount": itoa(int(total)),
		"reference": "before"}, "").code)

	const path = "/payments/change_profit_configuration/" + batch.FeeMobileMoney + "/"
	got := dana.call(http.MethodPut, path, map[string]any{"percentage": "150", "use_percentage": true})
	assert.Equal(t, http.StatusBadRequest, got.code, "over 100%")
	assert.Contains(t, decode[detail](t, got).Detail, "not between 0 and 100")
	assert.Equal(t, http.StatusBadRequest, dana.call(http.MethodPut, path, map[string]any{"name": "sms_fee"}).code)
	got = dana.call(http.MethodPut, path, map[string]any{"percentage": "1.5", "use_percentage": true, "currency": 1}, "pct")
	require.Equal(t, http.StatusOK, got.code, got.body)
	pc := decode[profitConfigJSON](t, got)
	assert.Equal(t, "api", pc.Source)
	require.NotNil(t, pc.UpdatedBy)
	assert.Equal(t, "dana", *pc.UpdatedBy)
	require.NotNil(t, pc.Currency)
	assert.Equal(t, "FCFA", pc.Currency.Symbol)
	got = dana.call(http.MethodPut, path, map[string]any{"percentage": "2"})
	require.Equal(t, http.StatusOK, got.code, got.body)
	pc = decode[profitConfigJSON](t, dana.call(http.MethodGet, "/payments/profit_configuration/"+batch.FeeMobileMoney+"/", nil))
	require.Len(t, pc.History, 2, "every version kept")
	assert.Equal(t, "2", *pc.History[0].Percentage, "newest first")
	assert.Equal(t, "1.5", *pc.History[1].Percentage)
	assert.True(t, pc.UsePercentage, "what the change left out stays")

	require.Equal(t, http.StatusCreated, awa.create(sample("payroll-2026-11.xlsx"), map[string]string{"total_amount": itoa(int(total)),
		"reference": "after", "allow_repeat": "true"}, "").code)
	before, beforeItems, err := batch.Load(ctx, h.st, "before")
	require.NoError(t, err)
	after, afterItems, err := batch.Load(ctx, h.st, "after")
	require.NoError(t, err)
	assert.Equal(t, batch.Fees{Configs: []batch.ProfitConfig{{Name: batch.FeeMobileMoney, Fee: 100}}}, before.Fees, "kept as planned")
	want := batch.Fees{Configs: []batch.ProfitConfig{{Name: batch.FeeMobileMoney, Fee: 100, Percentage: "2", UsePercentage: true, Currency: "XAF"}}}
	assert.Equal(t, want, after.Fees)
	for i, it := range afterItems {
		assert.Equal(t, int64(100), beforeItems[i].Charge)
		charge, err := want.Charge(it.Mode, it.Amount)
		require.NoError(t, err)
		assert.Equal(t, charge, it.Charge, "row %d", it.Row)
	}
}

// TestAPIReferenceData: currencies, countries with their currencies and
// dial codes, and what bulkpay knows of a phone number.
func TestAPIReferenceData(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	carl := h.api("carl", "password-carl")
	cur := decode[listOf[currencyJSON]](t, carl.call(http.MethodGet, "/payments/currency/", nil))
	assert.Equal(t, len(currencies), cur.Count)
	assert.Equal(t, currencyJSON{ID: 1, Name: "Central African CFA franc", Symbol: "FCFA"},
		decode[currencyJSON](t, carl.call(http.MethodGet, "/payments/currency/1/", nil)))
	got := carl.call(http.MethodGet, "/payments/country/?limit=3&offset=1", nil)
	assert.NotContains(t, got.body, `\u0026`, "the links as they are")
	countriesPage := decode[listOf[countryJSON]](t, got)
	assert.Equal(t, len(countries), countriesPage.Count)
	assert.Len(t, countriesPage.Results, 3)
	require.NotNil(t, countriesPage.Previous)
	assert.Contains(t, *countriesPage.Previous, "offset=0")
	cc := decode[listOf[countryCurrencyJSON]](t, carl.call(http.MethodGet, "/payments/country_currency/?country=CM", nil))
	require.Equal(t, 1, cc.Count)
	assert.Equal(t, countryJSON{ID: cc.Results[0].Country.ID, Name: "Cameroon", DialCode: "+237", Alpha2: "CM", Alpha3: "CMR"}, cc.Results[0].Country)
	assert.Equal(t, "Central African CFA franc", cc.Results[0].Currency.Name)
	one := decode[countryCurrencyJSON](t, carl.call(http.MethodGet, "/payments/country_currency/"+cc.Results[0].ID+"/", nil))
	assert.Equal(t, cc.Results[0], one)

	got = carl.call(http.MethodGet, "/payments/mobile_money/phone_number_info/677%2012%2034%2056", nil)
	require.Equal(t, http.StatusOK, got.code, got.body)
	info := decode[phoneInfoJSON](t, got)
	assert.Equal(t, "+237677123456", info.PhoneNumber)
	assert.Equal(t, "CM", info.Country)
	assert.Equal(t, "Cameroon", info.CountryName)
	assert.Equal(t, "MTN", info.Operator)
	require.NotNil(t, info.Provider)
	routed, err := h.srv.opt.Config.Router(h.srv.opt.Config.Configured(h.sandbox)).Route(batch.Row{Phone: "237677123456", Country: "CM",
		Operator: "MTN", Mode: batch.ModeMobileMoney})
	require.NoError(t, err)
	assert.Equal(t, routed, info.Providers, "as a row of the number is routed")
	assert.Equal(t, routed[0], *info.Provider)
	got = carl.call(http.MethodGet, "/payments/mobile_money/phone_number_info/%2B237620123456", nil)
	require.Equal(t, http.StatusOK, got.code, got.body)
	info = decode[phoneInfoJSON](t, got)
	assert.Nil(t, info.Provider, "Camtel: no provider pays it")
	assert.Contains(t, info.Unpayable, "no configured provider pays Camtel numbers")
	got = carl.call(http.MethodGet, "/payments/mobile_money/phone_number_info/12345", nil)
	assert.Equal(t, http.StatusBadRequest, got.code)
	assert.Contains(t, decode[detail](t, got).Detail, "phone is not a valid number")
}

// TestOpenAPIMatchesTheRoutes: every API route of the table is in the
// OpenAPI document with its method, and every operation of the document is
// a route of the table.
func TestOpenAPIMatchesTheRoutes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	got := h.api("", "").call(http.MethodGet, "/openapi.json", nil)
	require.Equal(t, http.StatusOK, got.code)
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	require.NoError(t, json.Unmarshal([]byte(got.body), &doc))
	assert.Equal(t, "3.0.3", doc.OpenAPI)
	var routes, documented []string
	for _, rt := range h.srv.table() {
		method, p, _ := strings.Cut(rt.pattern, " ")
		if strings.HasPrefix(p, "/payments/") {
			routes = append(routes, method+" "+strings.TrimSuffix(p, "{$}"))
		}
	}
	for p, ops := range doc.Paths {
		for method, o := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+p)
			assert.NotEmpty(t, o["summary"], p)
			assert.NotEmpty(t, o["responses"], p)
		}
	}
	slices.Sort(routes)
	slices.Sort(documented)
	assert.Equal(t, routes, documented)
}
