// Command gen writes the sample sheets in samples/: go run ./samples/gen.
package main

import (
	"bytes"
	"encoding/csv"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"bulkpay/sheet"
)

type person struct {
	name, phone, email, matricule string
	amount                        int64
	phoneAsNumber                 bool   // stored as a numeric cell in xlsx
	amountText                    string // amount written as text ("150 000"), else numeric
}

var payroll = []person{
	{"Jean-Pierre Mbarga", "677 12 34 56", "jp.mbarga@acme.cm", "ACM-001", 425000, false, ""},
	{"Aïcha Bello", "699009900", "aicha.bello@acme.cm", "ACM-002", 310000, true, ""},
	{"Emmanuel Fotso", "+237 650 22 41 18", "", "ACM-003", 185000, false, "185 000"},
	{"Christelle Ngo Biyong", "655 48 90 12", "c.ngobiyong@acme.cm", "ACM-004", 265000, false, ""},
	{"Samuel Eto'o Ndjock", "00237 678 90 11 23", "", "ACM-005", 150000, false, ""},
	{"Brigitte Atangana", "691.23.45.67", "b.atangana@acme.cm", "ACM-006", 98500, false, "98 500"},
	{"Hervé Tchinda", "672-45-78-90", "", "ACM-007", 142000, false, ""},
	{"Mireille Essomba", "696 77 88 99", "m.essomba@acme.cm", "ACM-008", 236000, false, ""},
	{"Patrice Kamga", "674112233", "", "ACM-009", 120000, true, ""},
	{"Nadège Fouda", "694 56 12 78", "nadege.fouda@acme.cm", "ACM-010", 175500, false, ""},
	{"Rodrigue Nkoulou", "+237677889900", "", "ACM-011", 89000, false, ""},
	{"Sandrine Mvondo", "657 34 21 09", "s.mvondo@acme.cm", "ACM-012", 205000, false, "205 000"},
	{"Alain Djomo", "670 98 76 54", "", "ACM-013", 162000, false, ""},
	{"Carine Abena", "698 12 98 34", "carine.abena@acme.cm", "ACM-014", 118000, false, ""},
	{"Blaise Onana", "651 23 45 60", "", "ACM-015", 254000, false, ""},
	{"Yvette Ngono", "690456781", "y.ngono@acme.cm", "ACM-016", 133000, true, ""},
	{"Thierry Manga", "679 34 56 12", "", "ACM-017", 76500, false, ""},
	{"Josiane Eyenga", "656 78 90 23", "josiane.eyenga@acme.cm", "ACM-018", 188000, false, ""},
	{"Franck Ebogo", "675 43 21 87", "", "ACM-019", 299000, false, "299 000"},
	{"Pélagie Owona", "695 67 45 23", "p.owona@acme.cm", "ACM-020", 104000, false, ""},
	{"Ibrahim Moussa", "673 21 09 87", "", "ACM-021", 167000, false, ""},
	{"Solange Bikoi", "697 89 01 23", "s.bikoi@acme.cm", "ACM-022", 221000, false, ""},
	{"Guy-Roger Ekambi", "652 90 12 34", "", "ACM-023", 145500, false, ""},
	{"Henriette Mballa", "658 01 23 45", "h.mballa@acme.cm", "ACM-024", 92000, false, ""},
	{"Olivier Tsala", "676 54 32 10", "", "ACM-025", 318000, false, ""},
}

var header = []string{"N°", "Nom complet", "Téléphone", "Montant (FCFA)", "Email", "Matricule"}

const title = "ACME Cameroun SARL - Paie de novembre 2026"

func main() {
	dir := "samples"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	var total int64
	for _, p := range payroll {
		ph, err := sheet.ParsePhone(p.phone, "CM")
		if err != nil || (ph.Operator != "MTN" && ph.Operator != "Orange") {
			log.Fatalf("sample phone %s: %v %s", p.phone, err, ph.Operator)
		}
		total += p.amount
	}
	must(writePayrollXLSX(filepath.Join(dir, "payroll-2026-11.xlsx"), total))
	must(writePayrollCSV(filepath.Join(dir, "payroll-2026-11.csv"), total))
	must(writeErrorsXLSX(filepath.Join(dir, "payroll-with-errors.xlsx")))
	must(writeMultiXLSX(filepath.Join(dir, "payroll-multi-2026-11.xlsx")))
	must(writeNamesCSV(filepath.Join(dir, "momo-names-2026-11.csv")))
}

// registeredOther is the one row of the sample payroll whose number is
// registered to someone else in the sandbox's names directory: a digit typed
// wrong sends a salary to a stranger.
const registeredOther = "ACM-013"

// writeNamesCSV writes the sandbox's names directory for the sample payroll
// (bulkpay sandbox --names): each number with the name it is registered to,
// as MoMo writes it (given names, then the family name in capitals), equal to
// the payroll's but for one row.
func writeNamesCSV(path string) error {
	records := [][]string{{"phone", "name"}}
	for _, p := range payroll {
		ph, err := sheet.ParsePhone(p.phone, "CM")
		if err != nil {
			return err
		}
		words := strings.Fields(p.name)
		name := words[0] + " " + strings.ToUpper(strings.Join(words[1:], " "))
		if p.matricule == registeredOther {
			name = "Marcel NANA"
		}
		records = append(records, []string{ph.E164, name})
	}
	return writeCSV(path, "", ',', records)
}

// writeMultiXLSX pays through all four providers: Cameroonian MTN and Orange
// (CamPay), West and Central Africa (CinetPay), cashouts (Camoo), My-CoolPay
// wallets and a row that names its provider.
func writeMultiXLSX(path string) error {
	f := newWorkbook("ACME Afrique - Paie régionale de novembre 2026", 2,
		"Nom complet", "Téléphone", "Montant (FCFA)", "Mode", "Opérateur", "Fournisseur", "Email")
	defer f.Close()
	rows := [][]any{
		{"Jean-Pierre Mbarga", "677 12 34 56", 425000, "", "", "", "jp.mbarga@acme.cm"},
		{"Aïcha Bello", "699 00 99 00", 310000, "", "", "", ""},
		{"Emmanuel Fotso", "650 22 41 18", 185000, "", "", "", ""},
		{"Christelle Ngo Biyong", "655 48 90 12", 265000, "", "", "mycoolpay", ""},
		{"Awa Koné", "+225 01 23 45 67 89", 350000, "", "", "", "awa.kone@acme.ci"},
		{"Moussa Diop", "+221 70 123 45 67", 280000, "", "", "", ""},
		{"Fatoumata Traoré", "+223 65 01 23 45", 195000, "", "", "", ""},
		{"Issouf Ouédraogo", "+226 70 12 34 56", 210000, "", "", "", ""},
		{"Kossi Agbeko", "+228 90 11 23 45", 175000, "", "", "", ""},
		{"Paul Mvondo", "677 88 99 00", 150000, "cashout", "", "", ""},
		{"Nadège Fouda", "694 56 12 78", 120000, "cashout", "", "", ""},
		{"Brice Tchatchoua", "brice.tchatchoua@acme.cm", 90000, "", "MCP", "", ""},
		{"Linda Ekambi", "lekambi", 85000, "", "MCP", "", ""},
	}
	setRows(f, 3, rows)
	f.SetColWidth(sh, "A", "B", 28)
	return f.SaveAs(path)
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// sh is the one sheet of every sample workbook.
const sh = "Paie"

// newWorkbook is a workbook of one sheet, sh, with title in A1 and the
// header in row headerRow.
func newWorkbook(title string, headerRow int, header ...string) *excelize.File {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", sh)
	f.SetCellValue(sh, "A1", title)
	for i, h := range header {
		f.SetCellValue(sh, cell(i+1, headerRow), h)
	}
	return f
}

// setRows writes rows, one a line, from row first down.
func setRows(f *excelize.File, first int, rows [][]any) {
	for i, r := range rows {
		for j, v := range r {
			f.SetCellValue(sh, cell(j+1, first+i), v)
		}
	}
}

// writeCSV writes records separated by comma, after prefix (a byte order
// mark, or nothing).
func writeCSV(path, prefix string, comma rune, records [][]string) error {
	var buf bytes.Buffer
	buf.WriteString(prefix)
	w := csv.NewWriter(&buf)
	w.Comma = comma
	if err := w.WriteAll(records); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func writePayrollXLSX(path string, total int64) error {
	f := newWorkbook(title, 3, header...)
	defer f.Close()
	for i, p := range payroll {
		r := i + 4
		f.SetCellValue(sh, cell(1, r), i+1)
		f.SetCellValue(sh, cell(2, r), p.name)
		if p.phoneAsNumber {
			n, _ := strconv.ParseInt(p.phone, 10, 64)
			f.SetCellValue(sh, cell(3, r), n)
		} else {
			f.SetCellStr(sh, cell(3, r), p.phone)
		}
		if p.amountText != "" {
			f.SetCellStr(sh, cell(4, r), p.amountText)
		} else {
			f.SetCellValue(sh, cell(4, r), p.amount)
		}
		f.SetCellValue(sh, cell(5, r), p.email)
		f.SetCellValue(sh, cell(6, r), p.matricule)
	}
	tr := len(payroll) + 4
	f.SetCellValue(sh, cell(2, tr), "TOTAL")
	f.SetCellValue(sh, cell(4, tr), total)
	f.SetColWidth(sh, "B", "B", 28)
	f.SetColWidth(sh, "C", "E", 20)
	return f.SaveAs(path)
}

func writePayrollCSV(path string, total int64) error {
	records := [][]string{{title}, {}, header}
	for i, p := range payroll {
		amount := strconv.FormatInt(p.amount, 10)
		if p.amountText != "" {
			amount = p.amountText
		}
		records = append(records, []string{strconv.Itoa(i + 1), p.name, p.phone, amount, p.email, p.matricule})
	}
	records = append(records, []string{"", "TOTAL", "", strconv.FormatInt(total, 10)})
	return writeCSV(path, "\uFEFF", ';', records)
}

// writeErrorsXLSX has one row per kind of error a user can make.
func writeErrorsXLSX(path string) error {
	f := newWorkbook("Paie avec erreurs (exemple)", 2, "Nom", "Téléphone", "Montant", "Email")
	defer f.Close()
	rows := [][]any{
		{"Valide Un", "677 11 22 33", 100000, ""},
		{"Valide Deux", "699 44 55 66", "50 000", ""},
		{"Téléphone invalide", "12345", 10000, ""},
		{"Ligne fixe", "222 23 45 67", 10000, ""},
		{"Numéro Camtel", "620 12 34 56", 10000, ""},
		{"Montant décimal", "677 22 33 44", "150000.5", ""},
		{"Montant négatif", "677 33 44 55", -5000, ""},
		{"Montant zéro", "677 44 55 66", 0, ""},
		{"Montant en texte", "677 55 66 77", "cent mille", ""},
		{"Notation scientifique", "677 66 77 88", "1.5E5", ""},
		{"Séparateur ambigu", "677 77 88 99", "1,000", ""},
		{"Séparateurs mêlés", "677 88 99 00", "1.000,50", ""},
		{"", "677 99 00 11", 10000, ""},
		{"Doublon", "677 11 22 33", 10000, ""},
		{"Email invalide", "699 11 22 33", 10000, "pas-un-email"},
	}
	setRows(f, 3, rows)
	tr := len(rows) + 3
	f.SetCellValue(sh, cell(1, tr), "Total général")
	f.SetCellValue(sh, cell(3, tr), 999999)
	return f.SaveAs(path)
}
