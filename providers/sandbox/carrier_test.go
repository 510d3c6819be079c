package sandbox

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/require"
)

// carrierParsed is carrierOf as phonenumbers.Parse reads the number.
func carrierParsed(to string) (string, string) {
	num, err := phonenumbers.Parse("+"+to, "CM")
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", "ER101"
	}
	carrier, _ := phonenumbers.GetCarrierForNumber(num, "en")
	switch l := strings.ToLower(carrier); {
	case strings.Contains(l, "mtn"):
		return "MTN", ""
	case strings.Contains(l, "orange"):
		return "Orange", ""
	}
	return "", "ER102"
}

// Every four-digit start of a Cameroonian national number, with three
// endings, is carried and refused by carrierOf as Parse reads it.
func TestCarrierOfAsParsed(t *testing.T) {
	t.Parallel()
	for start := range 10_000 {
		for _, end := range []string{"00000", "12345", "99999"} {
			to := fmt.Sprintf("237%04d%s", start, end)
			c, code := carrierOf(to)
			wc, wcode := carrierParsed(to)
			require.Equal(t, wc, c, to)
			require.Equal(t, wcode, code, to)
		}
	}
}
