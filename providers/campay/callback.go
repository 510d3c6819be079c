package campay

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"mime"
	"net/http"
	"strings"
	"time"

	"bulkpay/providers"
)

// CallbackPath is the path to give CamPay as the app's callback URL, below
// bulkpay's public URL (CamPay takes it in the app's settings, not per
// withdrawal): {public_url}/callbacks/campay, GET or POST.
var CallbackPath = providers.CallbackPath(Name)

// Callbacks reads and verifies CamPay's webhooks. Safe for concurrent use.
type Callbacks struct {
	providers.CallbackName
	key []byte
	now func() time.Time
}

var _ providers.CallbackParser = (*Callbacks)(nil)

// CallbackOption configures Callbacks.
type CallbackOption func(*Callbacks)

// WithCallbackClock sets the clock an expiring signature (exp, nbf) is
// judged by.
func WithCallbackClock(now func() time.Time) CallbackOption {
	return func(c *Callbacks) { c.now = now }
}

// NewCallbacks verifies CamPay's webhooks with the app's webhook key (read
// from the environment variable the config names). Without a key nothing
// could be verified: that is an error.
func NewCallbacks(webhookKey string, opts ...CallbackOption) (*Callbacks, error) {
	if webhookKey == "" {
		return nil, errors.New("campay callbacks: no webhook key: set the variable the config names (webhook_key_env)")
	}
	c := &Callbacks{CallbackName: Name, key: []byte(webhookKey), now: time.Now}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// ParseCallback reads a CamPay webhook: a GET with the fields in the query,
// or a POST with them as JSON (or a form). Its signature is a JWT made with
// the webhook key by an HMAC algorithm (HS256, HS384, HS512); any other
// algorithm, none included, is refused. The JWT does not cover the fields:
// the status must be confirmed with GET /transaction/{reference}/.
func (c *Callbacks) ParseCallback(r *http.Request) (providers.Callback, error) {
	raw, fields, err := campayFields(r)
	if err != nil {
		return providers.Callback{}, providers.RefuseCallback(Name, r, raw, providers.ErrCallbackMalformed, err.Error())
	}
	refuse := func(class error, reason string) (providers.Callback, error) {
		return providers.Callback{}, providers.RefuseCallback(Name, r, raw, class, reason)
	}
	sig := fields["signature"]
	if sig == "" {
		return refuse(providers.ErrCallbackSignature, "no signature")
	}
	if reason := verifyJWT(sig, c.key, c.now()); reason != "" {
		return refuse(providers.ErrCallbackSignature, reason)
	}
	ref := fields["reference"]
	if ref == "" {
		return refuse(providers.ErrCallbackMalformed, "no reference")
	}
	cb := providers.Callback{Provider: Name, ItemReference: fields["external_reference"], ProviderReference: ref,
		ProviderStatus: fields["status"], Signed: true, SourceAddr: providers.SourceIP(r), Method: r.Method, Raw: raw}
	cb.Status, _ = statusOf(fields["status"])
	if a := fields["amount"]; a != "" {
		n, err := providers.ParseWhole(strings.TrimSpace(a))
		if err != nil {
			return refuse(providers.ErrCallbackMalformed, "amount is not a whole number")
		}
		cb.Amount = n
	}
	return cb, nil
}

// campayFields reads the webhook's fields: the query of a GET, else a JSON
// object (values of any JSON type, written as text) or a form. raw is what
// was received.
func campayFields(r *http.Request) (string, map[string]string, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Method == http.MethodGet || ct == "application/x-www-form-urlencoded" {
		raw, q, err := providers.CallbackValues(r)
		if err != nil {
			return raw, nil, err
		}
		fields := map[string]string{}
		for k, v := range q {
			fields[k] = v[0]
		}
		return raw, fields, nil
	}
	body, err := providers.ReadCallbackBody(r)
	if err != nil {
		return "", nil, err
	}
	raw := string(body)
	fields := map[string]string{}
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return raw, nil, errors.New("body is not a JSON object")
	}
	for k, v := range obj {
		var s string
		switch {
		case json.Unmarshal(v, &s) == nil:
			fields[k] = s
		case string(v) == "null":
		default:
			fields[k] = strings.TrimSpace(string(v))
		}
	}
	return raw, fields, nil
}

// jwtHashes are the algorithms accepted: HMAC only. CamPay does not name the
// one it uses; its Go SDK does not pin one.
var jwtHashes = map[string]func() hash.Hash{"HS256": sha256.New, "HS384": sha512.New384, "HS512": sha512.New}

// verifyJWT checks a compact JWS made with key by an HMAC algorithm, and its
// exp and nbf when present (a minute of leeway). It returns why it is refused,
// in words that never hold the key or the signature expected, or "".
func verifyJWT(token string, key []byte, now time.Time) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "signature is not a JWT"
	}
	var header struct {
		Alg string `json:"alg"`
	}
	hb, err := jwtDecode(parts[0])
	if err != nil || json.Unmarshal(hb, &header) != nil {
		return "JWT header not readable"
	}
	newHash, ok := jwtHashes[header.Alg]
	if !ok {
		return fmt.Sprintf("JWT algorithm %q refused: only HMAC (HS256, HS384, HS512)", header.Alg)
	}
	got, err := jwtDecode(parts[2])
	if err != nil || len(got) == 0 {
		return "JWT signature not readable"
	}
	mac := hmac.New(newHash, key)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(got, mac.Sum(nil)) {
		return "JWT signature does not match the webhook key"
	}
	pb, err := jwtDecode(parts[1])
	var claims struct {
		Exp *json.Number `json:"exp"`
		Nbf *json.Number `json:"nbf"`
	}
	if err != nil || json.Unmarshal(pb, &claims) != nil {
		return "JWT payload not readable"
	}
	const leeway = time.Minute
	if claims.Exp != nil {
		exp, err := claims.Exp.Float64()
		if err != nil || now.After(time.Unix(int64(exp), 0).Add(leeway)) {
			return "JWT expired"
		}
	}
	if claims.Nbf != nil {
		nbf, err := claims.Nbf.Float64()
		if err != nil || now.Add(leeway).Before(time.Unix(int64(nbf), 0)) {
			return "JWT not valid yet"
		}
	}
	return ""
}

// jwtDecode reads base64url without padding (and, leniently, with it).
func jwtDecode(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
