package sheet

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/internal/testsupport/campaign"
)

// TestNumberTypeMatchesPhonenumbers checks the per-prefix type cache against
// phonenumbers itself on numbers of every length around each country's
// numbers, sharing prefixes the way a payroll's numbers do, and the carrier
// cache likewise.
func TestNumberTypeMatchesPhonenumbers(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 11))
	regions := []string{"CM", "CI", "SN", "GA", "CD", "NG", "FR", "DE", "BE", "GB", "US", "CA", "IT", "RU", "BR", "IN"}
	cached, n := 0, campaign.Size(500, 3000) // numbers drawn per region
	for _, region := range regions {
		cc := int32(phonenumbers.GetCountryCodeForRegion(region))
		require.NotZero(t, cc, region)
		var prefixes []string
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.MOBILE, phonenumbers.FIXED_LINE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE} {
			if ex := phonenumbers.GetExampleNumberForType(region, typ); ex != nil {
				nsn := phonenumbers.GetNationalSignificantNumber(ex)
				if nsn[0] == '0' { // an Italian leading zero: ParsePhone parses these in full
					continue
				}
				for k := 1; k < len(nsn); k++ {
					prefixes = append(prefixes, nsn[:k])
				}
			}
		}
		for i := 0; i < n; i++ {
			prefix := ""
			if len(prefixes) > 0 && i%4 != 0 {
				prefix = prefixes[rng.IntN(len(prefixes))]
				prefix = prefix[:min(len(prefix), 15)]
			}
			nsn := prefix
			n := min(len(prefix)+rng.IntN(9), 17)
			if n < 4 {
				n = 4 + rng.IntN(8)
			}
			for len(nsn) < n {
				d := rng.IntN(10)
				if nsn == "" && d == 0 {
					d = 1 + rng.IntN(9)
				}
				nsn += strconv.Itoa(d)
			}
			v, err := strconv.ParseUint(nsn, 10, 64)
			require.NoError(t, err)
			num := &phonenumbers.PhoneNumber{CountryCode: proto32(cc), NationalNumber: &v}
			want := phonenumbers.GetNumberType(num)
			require.Equal(t, want, numberType(&number{cc: cc, n: v}, nsn), "+%d %s", cc, nsn)
			require.Equal(t, want, numberType(&number{cc: cc, n: v}, nsn), "+%d %s again, from the cache", cc, nsn)
			wantCarrier, _ := phonenumbers.GetCarrierForNumber(num, "en")
			wantCarrier = carrierName(wantCarrier)
			e164 := "+" + strconv.Itoa(int(cc)) + nsn
			require.Equal(t, wantCarrier, carrier(&number{cc: cc, n: v}, e164), e164)
			require.Equal(t, wantCarrier, carrier(&number{cc: cc, n: v}, e164), "%s again, from the cache", e164)
		}
	}
	phoneCache.Lock()
	for k, typ := range phoneCache.types {
		if typ != typeUnknown && k>>48 == 237 {
			cached++
		}
	}
	phoneCache.Unlock()
	assert.Positive(t, cached, "Cameroonian numbers are typed by prefix")
}

func TestDecided(t *testing.T) {
	t.Parallel()
	p := planFor237(t)
	mobile := p.progs[p.md.GetMobile()]
	all, ok := decided(mobile, "677", 9)
	assert.True(t, ok)
	assert.True(t, all, "every 9-digit number starting 677 is a Cameroonian mobile pattern match")
	all, ok = decided(mobile, "677", 8)
	assert.True(t, ok)
	assert.False(t, all, "no 8-digit one is")
	_, ok = decided(mobile, "", 9)
	assert.False(t, ok, "without a prefix, some 9-digit numbers match and some do not")
}

func planFor237(t *testing.T) *plan {
	phoneCache.Lock()
	defer phoneCache.Unlock()
	p := planFor(237)
	require.NotNil(t, p)
	return p
}

func proto32(v int32) *int32 { return &v }
