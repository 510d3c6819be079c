package providers

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Do sends a request and reads at most 1 MiB of the answer. A transport error
// names the URL without its query string (CinetPay's token travels there) and
// with each of hide replaced, so no secret reaches a log or the ledger.
func Do(hc *http.Client, req *http.Request, hide ...string) (*http.Response, []byte, error) {
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			u, _, _ := strings.Cut(ue.URL, "?")
			for _, h := range hide {
				if h != "" {
					u = strings.ReplaceAll(u, h, "{redacted}")
				}
			}
			ue.URL = u
		}
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, b, err
}

// Snippet shortens an answer body for messages.
func Snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// Or returns a unless it is empty, else b.
func Or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// SplitE164 splits E.164 digits into the country calling code and the national
// number: "2250701020304" → "225", "0701020304".
func SplitE164(e164 string) (string, string) {
	num, err := phonenumbers.Parse("+"+e164, "")
	if err != nil {
		return "", e164
	}
	prefix := strings.TrimPrefix(phonenumbers.Format(num, phonenumbers.E164), "+")
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	return prefix[:len(prefix)-len(nsn)], nsn
}

// RegionOf returns the ISO region of E.164 digits ("2250701020304" → "CI"), or
// "" when they are not a number.
func RegionOf(e164 string) string {
	num, err := phonenumbers.Parse("+"+strings.TrimPrefix(e164, "+"), "")
	if err != nil {
		return ""
	}
	if r := phonenumbers.GetRegionCodeForNumber(num); r != "" && r != "ZZ" {
		return r
	}
	return ""
}
