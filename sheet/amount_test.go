package sheet

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAmount(t *testing.T) {
	good := []struct {
		name string
		in   string
		want int64
	}{
		{"plain", "150000", 150000},
		{"numeric cell raw", "4679000", 4679000},
		{"space grouping", "150 000", 150000},
		{"nbsp grouping", "150\u00a0000", 150000},
		{"narrow nbsp grouping", "1\u202f500\u202f000", 1500000},
		{"thin space grouping", "150\u2009000", 150000},
		{"surrounding spaces", "  75000 ", 75000},
		{"fcfa suffix", "150 000 FCFA", 150000},
		{"xaf suffix", "25000 XAF", 25000},
		{"xaf prefix", "XAF 25000", 25000},
		{"plus sign", "+5000", 5000},
		{"one franc", "1", 1},
		{"leading zero", "0100", 100},
		{"max int64", "9223372036854775807", 9223372036854775807},
		{"zero cents dot", "150000.00", 150000},
		{"zero cents comma grouped", "150 000,00", 150000},
		{"zero cents nbsp grouped", "150\u00a0000,00", 150000},
		{"zero cents fcfa", "150000,00 FCFA", 150000},
		{"zero cents xaf prefix", "XAF 150 000.00", 150000},
		{"one zero decimal", "150000,0", 150000},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseAmount(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	bad := []struct {
		name string
		in   string
		msg  string
	}{
		{"empty", "", "empty"},
		{"blank", "   ", "empty"},
		{"decimal", "150000.5", "decimals"},
		{"decimal comma", "150000,5", "decimals"},
		{"two decimals", "1500.50", "decimals"},
		{"cents", "150000.05", "decimals"},
		{"cents grouped", "150 000,50", "decimals"},
		{"zero cents, zero", "0.00", "zero"},
		{"only cents", ",00", "decimals"},
		{"zero cents after thousands", "1.000,00", "ambiguous"},
		{"us zero cents", "1,000.00", "ambiguous"},
		{"three zero decimals", "150.000", "ambiguous"},
		{"negative", "-5000", "negative"},
		{"unicode minus", "−5000", "negative"},
		{"accounting negative", "(5000)", "negative"},
		{"zero", "0", "zero"},
		{"zeros", "000", "zero"},
		{"text", "cent mille", "not a number"},
		{"digits and text", "15k", "not a number"},
		{"scientific", "1.5E5", "scientific"},
		{"scientific lower", "2e3", "scientific"},
		{"comma thousands", "1,000", "ambiguous"},
		{"dot thousands", "1.000", "ambiguous"},
		{"european", "1.000,50", "ambiguous"},
		{"us", "1,000.50", "ambiguous"},
		{"bad grouping", "15 00", "grouping"},
		{"bad first group", "1500 000", "grouping"},
		{"overflow", "9223372036854775808", "too large"},
		{"currency only", "FCFA", "no number"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseAmount(tc.in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"150000", "150 000", "1,000", "1.5E5", "-1", "0", "1.000,50", "150\u00a0000", "XAF 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseAmount(s)
		if err != nil {
			return
		}
		if n <= 0 {
			t.Fatalf("ParseAmount(%q) = %d without error", s, n)
		}
	})
}
