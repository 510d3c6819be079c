package providers_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"bulkpay/providers"
)

func TestSplitName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, given, family string }{
		{"Jean-Pierre MBARGA", "Jean-Pierre", "MBARGA"},
		{"Awa Marie NGO BIYONG", "Awa Marie", "NGO BIYONG"},
		{"Awa Ndiaye", "Awa", "Ndiaye"}, // no capitals: the last word
		{"AWA NDIAYE", "AWA", "NDIAYE"}, // all in capitals: the last word
		{"Samuel Eto'o NDJOCK", "Samuel Eto'o", "NDJOCK"},
		{"Awa", "", "Awa"},
		{"  ", "", ""},
	} {
		given, family := providers.SplitName(tc.name)
		assert.Equal(t, tc.given, given, tc.name)
		assert.Equal(t, tc.family, family, tc.name)
	}
}
