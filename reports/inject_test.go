package reports

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"bulkpay/batch"
)

// formulaLeads are the first characters that make a spreadsheet read a cell as
// a formula (OWASP, CSV injection).
var formulaLeads = []string{"=", "+", "-", "@", "\t", "\r"}

// hostileInput is a batch whose every text field, in the ledger and in what
// reconcile found, begins with lead.
func hostileInput(lead string) Input {
	h := func(s string) string { return lead + s }
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	b := batch.Batch{ID: 1, Reference: h("ref"), SheetName: h("sheet.xlsx"), SheetHash: h("sheethash"), Period: h("period"),
		Currency: h("XAF"), CreatedAt: at, CreatedBy: h("planner"), PlanHash: h("planhash"),
		Approval: batch.Approval{Hash: h("planhash"), By: h("approver"), At: at}}
	item := func(id int64, st batch.State) batch.Item {
		return batch.Item{ID: id, BatchID: 1, Row: int(id) + 1, Name: h("name"), Phone: h("1+2@evil.com"), Country: h("CM"),
			Operator: h("operator"), Email: h("email"), Mode: h("mode"), Amount: 1000 * id, Charge: 10, PayAmount: 1000 * id,
			Reference: h("reference"), Provider: h("provider"), ProviderReference: h("provref"), State: st, Message: h("message"),
			Attempts: 1, UpdatedAt: at, Fingerprint: h("fingerprint")}
	}
	items := []batch.Item{item(1, batch.Succeeded), item(2, batch.Review), item(3, batch.Unknown), item(4, batch.Rejected),
		item(5, batch.Failed), item(6, batch.State(h("state"))), item(7, batch.Cancelled)}
	attempt := batch.Attempt{ID: 9, ItemID: 2, Provider: h("provider"), Reference: h("reference"), Kind: h("kind"),
		Request: h("request"), StartedAt: at, FinishedAt: at.Add(time.Second), Outcome: h("outcome"),
		ProviderReference: h("provref"), Response: h("response")}
	each, attempts := Held(items, map[int64][]batch.Attempt{2: {attempt}})
	return Input{Batch: b, Items: each, Attempts: attempts,
		Mismatches: []Mismatch{
			{Row: 2, Provider: h("provider"), Kind: "status", Ours: h("ours"), Theirs: h("theirs"), Reference: h("provref")},
			{Row: 3, Provider: h("provider"), Kind: "amount", Ours: "1000", Theirs: h("theirs"), Reference: h("provref")},
			{Row: 4, Provider: h("provider"), Kind: "fee", Ours: "15", Theirs: "20", Reference: h("provref")},
			{Provider: h("provider"), Kind: "unknown_payout", Ours: h("ours"), Theirs: h("theirs"), Reference: h("provref")},
			{Row: 5, Provider: h("provider"), Kind: h("kind"), Ours: h("ours"), Theirs: h("theirs"), Reference: h("provref")},
		},
		Unchecked: []Unchecked{{Row: 6, Provider: h("provider"), Reference: h("provref"), Reason: h("reason")},
			{Provider: h("provider"), Reason: h("reason")}},
		Names: []batch.NameCheck{
			{Row: 2, Phone: h("phone"), Name: h("name"), Result: batch.NameMismatch, Score: 10, Provider: h("provider"),
				ConfirmedBy: h("approver"), Note: h("note")},
			{Row: 3, Phone: h("phone"), Name: h("name"), Result: batch.NameNotCheckable, Provider: h("provider"), Reason: h("reason")},
		},
	}
}

// What each column may hold once written.
type class int

const (
	number  class = iota // whole numbers only
	hostile              // the hostile text, neutralised: '<lead>...; empty cells allowed
	safe                 // text of our own that never begins a formula
	mixed                // any of the above
)

// checkColumn checks every cell of one column against its class; every cell,
// whatever its class, never begins a formula.
func checkColumn(t *testing.T, lead string, cl class, cells []string) {
	t.Helper()
	var seen int
	for i, c := range cells {
		_, err := strconv.ParseInt(c, 10, 64)
		isNumber := err == nil
		neutralised := strings.HasPrefix(c, "'"+lead)
		if !isNumber {
			assert.False(t, c != "" && strings.ContainsAny(c[:1], "=+-@\t\r"), "line %d: %q begins a formula", i+2, c)
		}
		switch cl {
		case number:
			assert.True(t, isNumber || c == "", "line %d: %q is not a number", i+2, c)
		case hostile:
			assert.True(t, neutralised || c == "", "line %d: %q is not the neutralised text", i+2, c)
		case safe:
			assert.False(t, isNumber || neutralised, "line %d: %q", i+2, c)
		}
		if c != "" {
			seen++
		}
	}
	assert.NotZero(t, seen, "the column is never filled: the test would prove nothing")
}

var csvColumns = map[string]map[string]class{
	"reconciliation.csv": {"row": number, "name": hostile, "phone": hostile, "amount": number, "charge": number, "sent": number,
		"currency": hostile, "provider": hostile, "reference": hostile, "provider_reference": hostile, "state": mixed,
		"message": hostile, "attempts": number, "updated_at": safe, "environment": safe},
	"mismatches.csv": {"row": number, "provider": hostile, "kind": mixed, "ours": mixed, "theirs": mixed,
		"provider_reference": hostile, "finding": safe},
	"could-not-check.csv": {"row": number, "provider": hostile, "provider_reference": hostile, "reason": hostile, "finding": mixed},
}

func TestEveryCSVCellIsNeutralised(t *testing.T) {
	t.Parallel()
	for _, lead := range formulaLeads {
		dir, err := WriteAll(t.TempDir(), hostileInput(lead))
		require.NoError(t, err)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		var csvs []string
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".csv") {
				csvs = append(csvs, e.Name())
			}
		}
		require.Len(t, csvs, len(csvColumns), "every csv written has its columns listed here")
		for name, classes := range csvColumns {
			f, err := os.Open(filepath.Join(dir, name))
			require.NoError(t, err)
			records, err := csv.NewReader(f).ReadAll()
			f.Close()
			require.NoError(t, err, name)
			require.Greater(t, len(records), 1, name)
			require.Len(t, records[0], len(classes), "%s: every column has a class: %v", name, records[0])
			for col, title := range records[0] {
				cl, ok := classes[title]
				require.True(t, ok, "%s: column %s has no class", name, title)
				var cells []string
				for _, r := range records[1:] {
					cells = append(cells, r[col])
				}
				t.Run(strconv.Quote(lead)+"/"+name+"/"+title, func(t *testing.T) { checkColumn(t, lead, cl, cells) })
			}
		}
	}
}

var sheetColumns = map[string]map[string]class{
	sheetItems: {"row": number, "name": hostile, "phone": hostile, "amount": number, "charge": number, "sent": number,
		"provider": hostile, "reference": hostile, "provider reference": hostile, "state": mixed, "message": hostile,
		"attempts": number, "last update": safe},
	sheetReview: {"row": number, "name": hostile, "phone": hostile, "amount": number, "provider": hostile, "reference": hostile,
		"provider reference": hostile, "state": safe, "why": hostile, "attempt": number, "kind": hostile, "started": safe,
		"finished": safe, "outcome": hostile, "request": hostile, "answer": hostile},
	sheetRejected: {"row": number, "name": hostile, "phone": hostile, "amount": number, "provider": hostile, "reason": hostile},
	sheetCancelled: {"row": number, "name": hostile, "phone": hostile, "amount": number, "provider": hostile,
		"cancelled by, why": hostile},
	sheetMismatches: {"row": number, "finding": safe, "provider": hostile, "kind": mixed, "ours": mixed, "theirs": mixed,
		"provider reference": hostile},
	sheetUnchecked: {"row": number, "provider": hostile, "provider reference": hostile, "why it could not be checked": hostile},
	sheetNames: {"row": number, "phone": mixed, "name on the sheet": hostile, "check": safe, "score": number, "provider": hostile,
		"why": mixed, "confirmed by": hostile, "note": hostile},
}

func TestEveryWorkbookCellIsNeutralised(t *testing.T) {
	t.Parallel()
	for _, lead := range formulaLeads {
		dir, err := WriteAll(t.TempDir(), hostileInput(lead))
		require.NoError(t, err)
		f, err := excelize.OpenFile(filepath.Join(dir, "reconciliation.xlsx"))
		require.NoError(t, err)
		for _, sh := range f.GetSheetList() {
			rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
			require.NoError(t, err)
			for r, row := range rows {
				for c, v := range row {
					name, _ := excelize.CoordinatesToCellName(c+1, r+1)
					formula, err := f.GetCellFormula(sh, name)
					require.NoError(t, err)
					assert.Empty(t, formula, "%s!%s is data, never a formula", sh, name)
					typ, _ := f.GetCellType(sh, name)
					if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
						assert.False(t, v != "" && strings.ContainsAny(v[:1], "=+-@\t\r"), "%s!%s: %q begins a formula", sh, name, v)
					}
				}
			}
			if sh == sheetSummary {
				continue
			}
			classes, ok := sheetColumns[sh]
			require.True(t, ok, "sheet %s has its columns listed here", sh)
			require.Greater(t, len(rows), 1, sh)
			require.Len(t, rows[0], len(classes), "%s: every column has a class: %v", sh, rows[0])
			for col, title := range rows[0] {
				cl, ok := classes[title]
				require.True(t, ok, "%s: column %s has no class", sh, title)
				var cells []string
				for _, r := range rows[1:] {
					v := ""
					if col < len(r) {
						v = r[col]
					}
					cells = append(cells, v)
				}
				t.Run(strconv.Quote(lead)+"/"+sh+"/"+title, func(t *testing.T) { checkColumn(t, lead, cl, cells) })
			}
		}
		// the Summary's own lines, label by label
		summary, err := f.GetRows(sheetSummary)
		require.NoError(t, err)
		values := map[string]string{}
		for _, r := range summary {
			if len(r) >= 2 {
				values[r[0]] = r[1]
			}
		}
		for _, label := range []string{"Batch", "Sheet", "Sheet hash", "Period", "Planned by", "Plan hash", "Approved by",
			"Approved plan", "Currency"} {
			assert.True(t, strings.HasPrefix(values[label], "'"+lead), "%q Summary %s: %q", lead, label, values[label])
		}
		require.NoError(t, f.Close())
	}
}
