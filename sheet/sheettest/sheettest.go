package sheettest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"github.com/xuri/excelize/v2"
)

// BigXLSX returns the path of an xlsx of n valid payroll rows below a title row
// (Cameroonian MTN and Orange numbers, whole amounts), written once per machine
// and cached in the temp dir.
func BigXLSX(n int) (string, error) {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("bulkpay-bench-%d.xlsx", n))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return "", err
	}
	sw.SetRow("A1", []any{"ACME - Paie"})
	sw.SetRow("A2", []any{"N°", "Nom complet", "Téléphone", "Montant (FCFA)", "Email"})
	for i := 0; i < n; i++ {
		phone := Phone(i)
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := sw.SetRow(cell, []any{i + 1, fmt.Sprintf("Bénéficiaire numéro %d", i), phone, 1000 + i%500000, ""}); err != nil {
			return "", err
		}
	}
	if err := sw.Flush(); err != nil {
		return "", err
	}
	tmp := path + ".tmp.xlsx"
	if err := f.SaveAs(tmp); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// BigXLSXShared is BigXLSX saved the way spreadsheet programs save text: in a
// shared strings table rather than inline.
func BigXLSXShared(n int) (string, error) {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("bulkpay-bench-shared-%d.xlsx", n))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	f := excelize.NewFile()
	defer f.Close()
	f.SetCellStr("Sheet1", "A1", "ACME - Paie")
	for j, h := range []string{"N°", "Nom complet", "Téléphone", "Montant (FCFA)", "Email"} {
		cell, _ := excelize.CoordinatesToCellName(j+1, 2)
		f.SetCellStr("Sheet1", cell, h)
	}
	for i := 0; i < n; i++ {
		phone := Phone(i)
		r := i + 3
		f.SetCellInt("Sheet1", fmt.Sprintf("A%d", r), int64(i+1))
		f.SetCellStr("Sheet1", fmt.Sprintf("B%d", r), fmt.Sprintf("Bénéficiaire numéro %d", i))
		f.SetCellStr("Sheet1", fmt.Sprintf("C%d", r), phone)
		f.SetCellInt("Sheet1", fmt.Sprintf("D%d", r), int64(1000+i%500000))
	}
	tmp := path + ".tmp.xlsx"
	if err := f.SaveAs(tmp); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// Phone is the i-th distinct Cameroonian mobile number: MTN 67x, Orange 69x,
// MTN 650-654 in turn.
func Phone(i int) string {
	switch i % 3 {
	case 0:
		return fmt.Sprintf("67%07d", i)
	case 1:
		return fmt.Sprintf("69%07d", i)
	default:
		return fmt.Sprintf("65%d%06d", i%5, i%1000000)
	}
}

// BigCSV returns the path of a UTF-8 csv of n valid payroll rows below a header
// (the columns of BigXLSX and a payment mode), written once per machine and
// cached in the temp dir.
func BigCSV(n int) (string, error) {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("bulkpay-bench-%d.csv", n))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "N°,Nom complet,Téléphone,Montant (FCFA),Mode de paiement,Email")
	for i := 0; i < n; i++ {
		mode := "Mobile Money"
		if i%2 == 1 {
			mode = "mobile_money"
		}
		fmt.Fprintf(w, "%d,Bénéficiaire numéro %d,%s,%d,%s,\n", i+1, i, Phone(i), 1000+i%500000, mode)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}
