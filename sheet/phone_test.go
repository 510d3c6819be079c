package sheet

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/internal/testsupport/campaign"
)

func TestParsePhone(t *testing.T) {
	good := []struct {
		name, in, region  string
		e164, country, op string
	}{
		{"national MTN", "677123456", "CM", "237677123456", "CM", "MTN"},
		{"spaces", "677 12 34 56", "CM", "237677123456", "CM", "MTN"},
		{"dots", "677.12.34.56", "CM", "237677123456", "CM", "MTN"},
		{"dashes", "677-12-34-56", "CM", "237677123456", "CM", "MTN"},
		{"plus", "+237 677 12 34 56", "CM", "237677123456", "CM", "MTN"},
		{"double zero", "00237677123456", "CM", "237677123456", "CM", "MTN"},
		{"country code without plus", "237677123456", "CM", "237677123456", "CM", "MTN"},
		{"numeric cell exponent", "2.37677123456E11", "CM", "237677123456", "CM", "MTN"},
		{"national exponent", "6.77123456E8", "CM", "237677123456", "CM", "MTN"},
		{"orange 69", "699009900", "CM", "237699009900", "CM", "Orange"},
		{"orange 655", "655 48 90 12", "CM", "237655489012", "CM", "Orange"},
		{"mtn 650", "650 22 41 18", "CM", "237650224118", "CM", "MTN"},
		{"camtel mobile", "620 12 34 56", "CM", "237620123456", "CM", "Camtel"},
		{"ivory coast", "+225 07 01 02 03 04", "CM", "2250701020304", "CI", "Orange"},
		{"senegal default region", "77 123 45 67", "SN", "221771234567", "SN", "Orange"},
		{"nbsp", "677\u00a012\u00a034\u00a056", "CM", "237677123456", "CM", "MTN"},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePhone(tc.in, tc.region)
			require.NoError(t, err)
			assert.Equal(t, tc.e164, p.E164)
			assert.Equal(t, tc.country, p.Region)
			assert.Equal(t, tc.op, p.Operator)
		})
	}
	bad := []struct{ name, in, msg string }{
		{"empty", "", "empty"},
		{"too short", "12345", "not a valid number"},
		{"landline", "222 23 45 67", "not a mobile"},
		{"letters", "677 12 AB 56", "not a digit"},
		{"too long", "6771234567", "not a valid number"},
		{"text", "n/a", "not a digit"},
		{"fractional exponent", "6.771234565E8", "not a digit"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePhone(tc.in, "CM")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"677123456", "+237 677 12 34 56", "00237677123456", "2.37677123456E11", "12345", "+", "00", "E5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePhone(s, "CM")
		if err != nil {
			return
		}
		if p.E164 == "" || p.Region == "" {
			t.Fatalf("ParsePhone(%q) = %+v without error", s, p)
		}
		for _, r := range p.E164 {
			if r < '0' || r > '9' {
				t.Fatalf("ParsePhone(%q) E164 %q has a non-digit", s, p.E164)
			}
		}
	})
}

// TestFastPathAgreesWithLibrary checks that the shortcut for plain digits never
// accepts a number the full phonenumbers parser would read differently.
func TestFastPathAgreesWithLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	regions := []string{"CM", "CI", "SN", "ML", "BF", "TG", "BJ", "GN", "CD", "GA", "FR", "US", "GB", "NG"}
	checked, n := 0, campaign.Size(8000, 30000)
	for i := 0; i < n; i++ {
		region := regions[rng.IntN(len(regions))]
		cc := phonenumbers.GetCountryCodeForRegion(region)
		digits := make([]byte, 6+rng.IntN(7))
		for j := range digits {
			digits[j] = byte('0' + rng.IntN(10))
		}
		if rng.IntN(2) == 0 { // bias towards plausible mobile prefixes
			digits[0] = "6789"[rng.IntN(4)]
		}
		forms := []string{string(digits), strconv.Itoa(cc) + string(digits), "+" + strconv.Itoa(cc) + string(digits)}
		s := forms[rng.IntN(len(forms))]
		num, _, nsn, ok := fastNumber(s, region)
		if !ok {
			continue
		}
		fast := num.get()
		require.Equal(t, phonenumbers.GetNationalSignificantNumber(fast), nsn, s)
		slow, err := phonenumbers.Parse(s, region)
		require.NoError(t, err, s)
		require.True(t, phonenumbers.IsValidNumber(slow), "%s in %s", s, region)
		require.Equal(t, phonenumbers.Format(slow, phonenumbers.E164), phonenumbers.Format(fast, phonenumbers.E164), "%s in %s", s, region)
		checked++
	}
	t.Logf("%d of %d numbers took the fast path", checked, n)
	assert.Greater(t, checked, n/30, "enough valid numbers took the fast path")
}

// phoneForms are the ways a generated number is written: national, with the
// country code, with '+', and with edge cases around them (a trunk 0, the
// country code twice, too short, too long, another country's code).
func phoneForms(rng *rand.Rand, region string) []string {
	cc := strconv.Itoa(phonenumbers.GetCountryCodeForRegion(region))
	digits := make([]byte, 1+rng.IntN(17))
	for j := range digits {
		digits[j] = byte('0' + rng.IntN(10))
	}
	switch ex := phonenumbers.GetExampleNumberForType(region, phonenumbers.MOBILE); {
	case ex != nil && rng.IntN(3) > 0: // the region's example mobile number, its last digits changed
		nsn := []byte(phonenumbers.GetNationalSignificantNumber(ex))
		for j := len(nsn) - 1 - rng.IntN(len(nsn)); j < len(nsn); j++ {
			nsn[j] = byte('0' + rng.IntN(10))
		}
		digits = nsn
	case rng.IntN(2) == 0: // plausible mobile prefixes
		digits[0] = "6789"[rng.IntN(4)]
	}
	d := string(digits)
	other := strconv.Itoa(1 + rng.IntN(999))
	return []string{d, cc + d, "+" + cc + d, "0" + d, "+" + cc + "0" + d, cc + cc + d, "+" + cc + cc + d, "+" + other + d, "+" + d, "+", ""}
}

// TestParsePhoneFastPathIdentical checks that the shortcut for plain digits
// gives the very same Phone, or the very same error, as sending every number
// through phonenumbers.Parse, over many generated numbers and edge cases.
func TestParsePhoneFastPathIdentical(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	regions := []string{"CM", "CI", "SN", "ML", "BF", "TG", "BJ", "GN", "CD", "GA", "FR", "US", "CA", "GB", "NG", "RU", "KZ", "IT", "VA", "XX", ""}
	fast, valid, n := 0, 0, campaign.Size(1000, 6000)
	for i := 0; i < n; i++ {
		region := regions[rng.IntN(len(regions))]
		for _, s := range phoneForms(rng, region) {
			got, gotErr := parsePhone(s, region, true)
			want, wantErr := parsePhone(s, region, false)
			require.Equal(t, want, got, "%q in %q", s, region)
			if wantErr != nil {
				require.EqualError(t, gotErr, wantErr.Error(), "%q in %q", s, region)
				continue
			}
			require.NoError(t, gotErr, "%q in %q", s, region)
			valid++
			if _, _, _, ok := fastNumber(s, region); ok {
				fast++
			}
		}
	}
	t.Logf("%d valid numbers, %d of them through the shortcut", valid, fast)
	assert.Greater(t, valid, n/2, "enough valid numbers")
	assert.Greater(t, fast, n/3, "enough numbers took the fast path")
}

// FuzzParsePhoneFastPath: for any text, the shortcut and the full parse agree.
func FuzzParsePhoneFastPath(f *testing.F) {
	for _, s := range []string{"677123456", "+237677123456", "237677123456", "0677123456", "+2370677123456", "237237677123456", "+12025550123", "+79161234567", "+390669812345", "+", ""} {
		f.Add(s, "CM")
	}
	f.Add("2025550123", "US")
	f.Add("771234567", "SN")
	f.Fuzz(func(t *testing.T, s, region string) {
		if len(region) > 3 {
			region = region[:3]
		}
		for i, r := range s {
			if (r < '0' || r > '9') && !(i == 0 && r == '+') {
				return // parsePhone takes cleaned text only
			}
		}
		got, gotErr := parsePhone(s, region, true)
		want, wantErr := parsePhone(s, region, false)
		require.Equal(t, want, got)
		if wantErr != nil {
			require.EqualError(t, gotErr, wantErr.Error())
		} else {
			require.NoError(t, gotErr)
		}
	})
}

// TestPlainNumberNeedsNoCleaning: what plainNumber lets past the cleaning in
// ParsePhone is what the cleaning would have left as it is.
func TestPlainNumberNeedsNoCleaning(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"677123456", "+237677123456", "+", "0", "00", "00237677123456", "0677123456", "+00", "", " 677", "677 123", "6.7E8", "+-1", "١٢٣"} {
		if plainNumber(s) {
			require.NotEmpty(t, s)
			require.False(t, strings.HasPrefix(s, "00"), s)
			require.Equal(t, s, strings.TrimSpace(s), s)
			_, exp := exponentDigits(s)
			require.False(t, exp, s)
		}
		got, gotErr := ParsePhone(s, "CM")
		want, wantErr := ParsePhone(" "+s+" ", "CM") // never plain: always cleaned
		require.Equal(t, want, got, "%q", s)
		require.Equal(t, wantErr, gotErr, "%q", s)
	}
}
