package providers

import (
	"io"
	"net/http"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Do sends a request and reads at most 1 MiB of the answer.
func Do(hc *http.Client, req *http.Request) (*http.Response, []byte, error) {
	resp, err := hc.Do(req)
	if err != nil {
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
	cc := phonenumbers.GetCountryCodeForRegion(phonenumbers.GetRegionCodeForNumber(num))
	if cc == 0 {
		cc = int(num.GetCountryCode())
	}
	prefix := strings.TrimPrefix(phonenumbers.Format(num, phonenumbers.E164), "+")
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	return prefix[:len(prefix)-len(nsn)], nsn
}
