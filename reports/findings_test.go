package reports

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFindingSaysTheRowAndWhatInWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		m    Mismatch
		want string
	}{
		{Mismatch{Row: 12, Provider: "campay", Kind: "status", Ours: "succeeded", Theirs: "failed", Reference: "cp-12"},
			"row 12: we recorded succeeded, CamPay says failed"},
		{Mismatch{Row: 4, Provider: "cinetpay", Kind: "amount", Ours: "350000", Theirs: "123", Reference: "ci-4"},
			"row 4: we sent 350,000 XAF, CinetPay says 123 XAF"},
		{Mismatch{Row: 7, Provider: "mycoolpay", Kind: "fee", Ours: "1050", Theirs: "999"},
			"row 7: we recorded a fee of 1,050 XAF, My-CoolPay says 999 XAF"},
		{Mismatch{Provider: "campay", Kind: "unknown_payout", Ours: "no item", Theirs: "50000 to 237677000999 at 2026-11-24T10:00:00Z", Reference: "cp-9"},
			"no row: CamPay made a payout that no batch in the ledger knows (50000 to 237677000999 at 2026-11-24T10:00:00Z, CamPay reference cp-9)"},
		{Mismatch{Row: 3, Provider: "camoo", Kind: "unreadable", Theirs: "timeout", Reference: "cm-3"},
			"row 3: Camoo's record could not be read: timeout"},
		{Mismatch{Row: 5, Provider: "other", Kind: "currency", Ours: "XAF", Theirs: "XOF"},
			`row 5: the currency differs: we recorded "XAF", other says "XOF"`},
		{Mismatch{Row: 6, Provider: "campay", Kind: "amount", Ours: "1000", Theirs: "n/a"},
			`row 6: we sent 1,000 XAF, CamPay says "n/a"`},
	} {
		assert.Equal(t, tc.want, Finding(tc.m, "XAF"))
	}
}

func TestUncheckedFinding(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "row 12: CamPay's record could not be read: 503 after 4 tries",
		UncheckedFinding(Unchecked{Row: 12, Provider: "campay", Reference: "cp-12", Reason: "503 after 4 tries"}))
	assert.Equal(t, "CamPay's list of payouts could not be read: timeout",
		UncheckedFinding(Unchecked{Provider: "campay", Reason: "timeout"}))
}

func TestMoney(t *testing.T) {
	t.Parallel()
	for in, want := range map[int64]string{0: "0 XAF", 999: "999 XAF", 1000: "1,000 XAF", 150000: "150,000 XAF",
		1234567: "1,234,567 XAF", -1500: "-1,500 XAF"} {
		assert.Equal(t, want, Money(in, "XAF"))
	}
	assert.Equal(t, "12,345", Money(12345, ""))
}

func TestCouldNotCheckIsApartFromMismatches(t *testing.T) {
	t.Parallel()
	in := fixture()
	in.Mismatches = []Mismatch{
		{Row: 4, Provider: "campay", Kind: "status", Ours: "succeeded", Theirs: "failed", Reference: "cp-1"},
		{Row: 5, Provider: "mycoolpay", Kind: "unreadable", Ours: "review", Theirs: "503 Service Unavailable", Reference: "mc-2"},
	}
	in.Unchecked = []Unchecked{{Row: 6, Provider: "cinetpay", Reference: "ci-3", Reason: "timeout"}}
	s, err := Summarize(in)
	require.NoError(t, err)
	assert.Equal(t, []Mismatch{in.Mismatches[0]}, s.Mismatches, "a record that could not be read is no mismatch")
	assert.Equal(t, []Unchecked{{Row: 6, Provider: "cinetpay", Reference: "ci-3", Reason: "timeout"},
		{Row: 5, Provider: "mycoolpay", Reference: "mc-2", Reason: "503 Service Unavailable"}}, s.CouldNotCheck)

	empty, err := Summarize(Input{Batch: in.Batch})
	require.NoError(t, err)
	assert.NotNil(t, empty.Mismatches, "an empty list, never null, in summary.json")
	assert.NotNil(t, empty.CouldNotCheck)
}
