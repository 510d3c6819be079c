package reports

import (
	"archive/zip"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"bulkpay/batch"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func fixture() Input {
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	b := batch.Batch{ID: 7, Reference: "payroll-2026-11", SheetName: "payroll-2026-11.xlsx", SheetHash: "abc123", Period: "2026-11",
		Currency: "XAF", CreatedAt: at, CreatedBy: "awa", PlanHash: "p1", Charge: 3300, Profit: 3300,
		Approval: batch.Approval{Hash: "p1", By: "jean", At: at.Add(time.Hour)}}
	items := []batch.Item{
		{ID: 1, Row: 4, Name: "Jean-Pierre Mbarga", Phone: "237677123456", Operator: "MTN", Amount: 150000, Charge: 2250, PayAmount: 150000,
			Provider: "campay", Reference: "r-1", ProviderReference: "cp-1", State: batch.Succeeded, Attempts: 1, UpdatedAt: at},
		{ID: 2, Row: 5, Name: "=HYPERLINK(\"http://evil\",\"click\")", Phone: "237699009900", Operator: "Orange", Amount: 70000, Charge: 1050,
			PayAmount: 70000, Provider: "mycoolpay", Reference: "r-2", State: batch.Review, Message: "+needs a person", Attempts: 1, UpdatedAt: at},
		{ID: 3, Row: 6, Name: "@SUM(A1)", Phone: "2250123456789", Operator: "Moov", Amount: 5000, Provider: "cinetpay", Reference: "r-3",
			State: batch.Failed, Message: "-801 INVALID_AMOUNT", Attempts: 1, UpdatedAt: at},
		{ID: 4, Row: 7, Name: "\tTab", Phone: "237620123456", Operator: "Camtel", Amount: 1000, Provider: "cinetpay", Reference: "r-4",
			State: batch.Rejected, Message: "\rrefused as a contact", UpdatedAt: at},
		{ID: 5, Row: 8, Name: "Awa Ndiaye", Phone: "237650111222", Operator: "MTN", Amount: 20000, Charge: 300, PayAmount: 20000,
			Provider: "campay", Reference: "r-5", State: batch.Cancelled, Message: "cancelled by awa: left the company", UpdatedAt: at},
	}
	each, attempts := Held(items, map[int64][]batch.Attempt{2: {{ID: 9, ItemID: 2, Provider: "mycoolpay", Reference: "r-2",
		Kind: batch.KindSend, Request: "pay 70000 to 237699009900 via mycoolpay under reference r-2", StartedAt: at, FinishedAt: at.Add(time.Second),
		Outcome: batch.OutcomeUnknown, Response: "timeout"}}})
	return Input{Batch: b, Items: each, Attempts: attempts,
		Mismatches: []Mismatch{{Row: 4, Provider: "campay", Kind: "amount", Ours: "150000", Theirs: "15000", Reference: "cp-1"},
			{Provider: "campay", Kind: "unknown_payout", Ours: "no item", Theirs: "50000 to 237677000999 at 2026-11-24T10:00:00Z", Reference: "cp-9"}},
		Unchecked: []Unchecked{{Row: 5, Provider: "mycoolpay", Reference: "mc-2", Reason: "503 Service Unavailable, still after 4 tries"},
			{Provider: "campay", Reason: "history: timeout after 4 tries"}}}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

func TestReportsGoldenAndStable(t *testing.T) {
	root := t.TempDir()
	dir, err := WriteAll(root, fixture())
	require.NoError(t, err)
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		return b
	}
	names := []string{"reconciliation.csv", "mismatches.csv", "could-not-check.csv", "summary.json"}
	first := map[string][]byte{"reconciliation.xlsx": read("reconciliation.xlsx")}
	for _, name := range names {
		first[name] = read(name)
		golden(t, name, first[name])
	}

	_, err = WriteAll(root, fixture())
	require.NoError(t, err)
	for name, b := range first {
		assert.Equal(t, b, read(name), "the same ledger state gives the same %s, byte for byte", name)
	}
}

func TestWorkbookReadsBack(t *testing.T) {
	dir, err := WriteAll(t.TempDir(), fixture())
	require.NoError(t, err)
	f, err := excelize.OpenFile(filepath.Join(dir, "reconciliation.xlsx"))
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, []string{"Summary", "Items", "Review", "Rejected", "Cancelled", "Mismatches", "Could not check", "Names"}, f.GetSheetList())

	header, _ := f.GetRows("Items")
	assert.Equal(t, []string{"row", "name", "phone", "amount", "charge", "sent", "provider", "reference", "provider reference",
		"state", "message", "attempts", "last update"}, header[0])
	assert.Len(t, header, 6, "one row per item, in sheet order")
	phone, _ := f.GetCellValue("Items", "C2")
	assert.Equal(t, "237677123456", phone)
	typ, _ := f.GetCellType("Items", "C2")
	assert.NotEqual(t, excelize.CellTypeNumber, typ, "phones stay text with their digits")
	amount, _ := f.GetCellValue("Items", "D2")
	assert.Equal(t, "150,000", amount, "amounts are numbers with a thousands format")
	raw, _ := f.GetCellValue("Items", "D2", excelize.Options{RawCellValue: true})
	assert.Equal(t, "150000", raw)
	panes, err := f.GetPanes("Items")
	require.NoError(t, err)
	assert.True(t, panes.Freeze, "the header is frozen")

	for cell, want := range map[string]string{"B3": "'=HYPERLINK(\"http://evil\",\"click\")", "K3": "'+needs a person", "B4": "'@SUM(A1)", "K4": "'-801 INVALID_AMOUNT", "B5": "'\tTab", "K5": "'\rrefused as a contact"} {
		got, _ := f.GetCellValue("Items", cell)
		assert.Equal(t, want, got, cell)
		formula, _ := f.GetCellFormula("Items", cell)
		assert.Empty(t, formula, "%s is data, never a formula", cell)
	}
	review, _ := f.GetRows("Review")
	require.Len(t, review, 2)
	assert.Contains(t, strings.Join(review[1], "|"), "pay 70000 to 237699009900 via mycoolpay")
	rejected, _ := f.GetRows("Rejected")
	require.Len(t, rejected, 2)
	assert.Equal(t, "7", rejected[1][0])
	cancelled, _ := f.GetRows("Cancelled")
	require.Len(t, cancelled, 2, "a row per item cancelled before it was sent")
	assert.Equal(t, []string{"row", "name", "phone", "amount", "provider", "cancelled by, why"}, cancelled[0])
	assert.Equal(t, []string{"8", "Awa Ndiaye", "237650111222", "20,000", "campay", "cancelled by awa: left the company"}, cancelled[1])

	summary, _ := f.GetRows("Summary")
	assert.Equal(t, []string{"Batch", "payroll-2026-11"}, summary[0])
	var hasChart bool
	for _, entry := range zipNames(t, filepath.Join(dir, "reconciliation.xlsx")) {
		if strings.HasPrefix(entry, "xl/charts/chart") {
			hasChart = true
		}
	}
	assert.True(t, hasChart, "the Summary has its chart")
}

func TestCSVNeutralisesEveryLeadingCharacter(t *testing.T) {
	for _, lead := range []string{"=", "+", "-", "@", "\t", "\r"} {
		in := fixture()
		in.Items, _ = Held([]batch.Item{{Row: 4, Name: lead + "1+1", Amount: 1000, State: batch.Succeeded}}, nil)
		dir, err := WriteAll(t.TempDir(), in)
		require.NoError(t, err)
		b, _ := os.ReadFile(filepath.Join(dir, "reconciliation.csv"))
		assert.Contains(t, string(b), "'"+lead+"1+1", "%q", lead)
	}
}

func zipNames(t *testing.T, path string) []string {
	r, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer r.Close()
	var out []string
	for _, f := range r.File {
		out = append(out, f.Name)
	}
	return out
}
