package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Headers bulkpay sends with every event.
const (
	SignatureHeader = "Bulkpay-Signature" // t=<unix>,v1=<hex HMAC-SHA256 of "t.body">
	EventIDHeader   = "Bulkpay-Event-Id"
	EventTypeHeader = "Bulkpay-Event-Type"
)

// Signature is the Bulkpay-Signature header of body sent at unix time t,
// signed with secret.
func Signature(secret []byte, t int64, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	fmt.Fprintf(mac, "%d.", t)
	mac.Write(body)
	return fmt.Sprintf("t=%d,v1=%s", t, hex.EncodeToString(mac.Sum(nil)))
}

// ErrSignature: a Bulkpay-Signature header that does not match the body, or
// is too old.
var ErrSignature = errors.New("bulkpay signature does not verify")

// Verify checks a Bulkpay-Signature header against the raw body, the shared
// secret and the time: the same logic as the receiver's snippet in the README.
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if !VerifySignature(secret, header, body, now.Unix(), int64(tolerance/time.Second)) {
		return ErrSignature
	}
	return nil
}

// VerifySignature is the receiver's check, as the README gives it: the
// header's v1 must be the HMAC-SHA256 of "t.body" with the secret, and t
// within tolerance seconds of now.
func VerifySignature(secret []byte, header string, body []byte, now, tolerance int64) bool {
	var t int64 = -1
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				t = n
			}
		case "v1":
			if s, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, s)
			}
		}
	}
	if t < 0 || now-t > tolerance || t-now > tolerance {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(strconv.FormatInt(t, 10) + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return true
		}
	}
	return false
}
