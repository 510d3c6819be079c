package cinetpay2_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers/cinetpay2"
)

func TestReferenceRoundTrip(t *testing.T) {
	t.Parallel()
	shape := `^[A-Za-z0-9-]{1,30}$`
	for i := 0; i < 1000; i++ {
		ref := uuid.NewString()
		id, err := cinetpay2.EncodeReference(ref)
		require.NoError(t, err)
		assert.Regexp(t, shape, id)
		assert.Len(t, id, 28)
		assert.Equal(t, ref, cinetpay2.DecodeReference(id), "read back")
		assert.Equal(t, ref, cinetpay2.DecodeReference(strings.ToLower(id)), "read back from lower case")
	}
}

func TestReferenceShapes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, ref, want string
		fails           bool
	}{
		{name: "UUID4", ref: "2ceefe04-1a79-4914-9dd0-c61748c2aecb", want: "BPFTXP4BA2PFERJHOQYYLURQVOZM"},
		{name: "upper-case UUID", ref: "2CEEFE04-1A79-4914-9DD0-C61748C2AECB", want: "BPFTXP4BA2PFERJHOQYYLURQVOZM"},
		{name: "short id kept", ref: "row-12-march", want: "row-12-march"},
		{name: "too long", ref: strings.Repeat("a", 31), fails: true},
		{name: "underscore", ref: "row_12", fails: true},
		{name: "our prefix on another id", ref: "BP-12", fails: true},
		{name: "empty", ref: "", fails: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			id, err := cinetpay2.EncodeReference(c.ref)
			if c.fails {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, id)
		})
	}
	assert.Equal(t, "some-other-id", cinetpay2.DecodeReference("some-other-id"), "an id bulkpay did not make is returned as it is")
	assert.Equal(t, "BP0000000000000000000000000!", cinetpay2.DecodeReference("BP0000000000000000000000000!"))
}

func TestPaymentMethod(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		country, operator, want, refusal string
	}{
		{"CI", "MTN", "MTN_CI", ""},
		{"CI", "Orange", "OM_CI", ""},
		{"ci", "Wave", "WAVE_CI", ""},
		{"CI", "Moov Africa", "", "MTN, ORANGE, WAVE"},
		{"SN", "Orange", "OM_SN", ""},
		{"SN", "Free", "FREE_SN", ""},
		{"SN", "Wave", "WAVE_SN", ""},
		{"CM", "MTN", "MTN_CM", ""},
		{"CM", "Orange", "OM_CM", ""},
		{"BJ", "Moov", "MOOV_BJ", ""},
		{"TG", "Togocom", "TMONEY_TG", ""},
		{"TG", "Moov", "MOOV_TG", ""},
		{"ML", "Orange", "OM_ML", ""},
		{"BF", "Moov", "MOOV_BF", ""},
		{"NE", "Airtel", "AIRTEL_NE", ""},
		{"CD", "Vodacom", "MPESA_CD", ""},
		{"CD", "Orange", "OM_CD", ""},
		{"GN", "Orange", "", "no transfer method in GN"},
		{"FR", "Orange", "", "no numbers in FR"},
	} {
		t.Run(c.country+" "+c.operator, func(t *testing.T) {
			t.Parallel()
			m, err := cinetpay2.PaymentMethod(c.country, c.operator)
			if c.refusal != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.refusal)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, m)
		})
	}
}
