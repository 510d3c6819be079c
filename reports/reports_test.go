package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

func TestNeutralize(t *testing.T) {
	t.Parallel()
	for _, lead := range []string{"=", "+", "-", "@", "\t", "\r", "\n", "\x00", "＝", "＋", "－", "＠", "  =", " @"} {
		assert.Equal(t, "'"+lead+"SUM(A1)", Neutralize(lead+"SUM(A1)"), "%q", lead)
	}
	for _, s := range []string{"Jean", "", " ", "Aïcha", "1+2", "a=b", "'=already quoted"} {
		assert.Equal(t, s, Neutralize(s), "%q", s)
	}
}

func TestWriteCSV(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	b := batch.Batch{Reference: "paie/11", Currency: "XAF", Sandbox: true}
	items := []batch.Item{
		{Row: 4, Name: "=HYPERLINK(\"x\")", Phone: "237677123456", Amount: 150000, Provider: "campay", Reference: "r1",
			ProviderReference: "p1", State: batch.Succeeded, Attempts: 1, UpdatedAt: at},
		{Row: 5, Name: "Aïcha, \"la grande\"", Phone: "237699009900", Amount: 1, Provider: "campay", Reference: "r2",
			State: batch.Failed, Message: "-ER301 balance", Attempts: 2, UpdatedAt: at},
	}
	each, _ := Held(items, nil)
	path, err := WriteCSV(dir, b, each)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "paie_11", "reconciliation.csv"), path)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	want := strings.Join([]string{
		"row,name,phone,amount,charge,sent,currency,provider,reference,provider_reference,state,message,attempts,updated_at,environment",
		`4,"'=HYPERLINK(""x"")",237677123456,150000,0,150000,XAF,campay,r1,p1,succeeded,,1,2026-11-24T08:00:00Z,SANDBOX`,
		`5,"Aïcha, ""la grande""",237699009900,1,0,1,XAF,campay,r2,,failed,'-ER301 balance,2,2026-11-24T08:00:00Z,SANDBOX`,
		""}, "\n")
	assert.Equal(t, want, string(got))

	again, err := WriteCSV(dir, b, each)
	require.NoError(t, err)
	got2, _ := os.ReadFile(again)
	assert.Equal(t, got, got2, "the same ledger state gives the same report")
	entries, _ := os.ReadDir(filepath.Dir(path))
	assert.Len(t, entries, 1, "no temporary file is left behind")
}
