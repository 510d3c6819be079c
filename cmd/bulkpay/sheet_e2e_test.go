//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"bulkpay/internal/cli"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
)

// TestValidateHostileAndMessyFiles: what is not a sheet ends in its own message
// and exit 2 (a pipe no longer blocks); a French Excel csv is read and
// validate says in which encoding.
func TestValidateHostileAndMessyFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.csv")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	folder := filepath.Join(dir, "folder.xlsx")
	require.NoError(t, os.Mkdir(folder, 0o700))
	empty := filepath.Join(dir, "empty.csv")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	notZip := filepath.Join(dir, "text.xlsx")
	require.NoError(t, os.WriteFile(notZip, []byte("Nom;Téléphone;Montant\n"), 0o600))
	for _, tc := range []struct{ path, want string }{
		{fifo, "pipe.csv: is a named pipe (FIFO), not a regular file"},
		{folder, "folder.xlsx: is a directory, not a sheet"},
		{empty, "empty.csv: is empty (0 bytes)"},
		{notZip, "text.xlsx: is not an xlsx workbook"},
	} {
		r := bulkpay(t, dir, "validate", tc.path)
		assert.Equal(t, cli.ExitInvalid, r.code, r.stderr)
		assert.Contains(t, r.stderr, tc.want)
	}

	french, err := charmap.Windows1252.NewEncoder().String("Nom et prénom;Téléphone;Montant (FCFA)\r\n" +
		"Bello Aïcha;677 12 34 56;150\u00a0000,00\r\nÉlodie Ngono;699009900;98 500\r\n")
	require.NoError(t, err)
	paie := filepath.Join(dir, "paie.csv")
	require.NoError(t, os.WriteFile(paie, []byte(french), 0o600))
	r := bulkpay(t, dir, "validate", paie)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "paie.csv (Windows-1252, semicolon-separated): 2 row(s), 2 valid, 0 invalid; valid rows total 248 500")
	r = bulkpay(t, dir, "validate", paie, "--json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.JSONEq(t, `{"rows":2,"valid":2,"invalid":0,"total_amount":248500,"errors":[],"encoding":"Windows-1252","delimiter":"semicolon"}`, r.stdout)
}

// TestValidateKeepsTheFirstRowErrors: a sheet of 1 200 rows no provider can pay
// lists the first 1 000 errors and counts the rest.
func TestValidateKeepsTheFirstRowErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("Nom;Téléphone;Montant\n")
	for i := 0; i < 1200; i++ {
		fmt.Fprintf(&b, "Camtel %d;620%06d;1000\n", i, i)
	}
	path := filepath.Join(dir, "camtel.csv")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	r := bulkpay(t, dir, "validate", path, "--json")
	require.Equal(t, cli.ExitInvalid, r.code, r.stderr)
	var v struct {
		Invalid        int
		Errors         []map[string]any
		ErrorsNotShown int `json:"errors_not_shown"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &v))
	assert.Equal(t, 1200, v.Invalid)
	assert.Len(t, v.Errors, 1000)
	assert.Equal(t, 200, v.ErrorsNotShown)
	assert.EqualValues(t, 2, v.Errors[0]["row"])

	r = bulkpay(t, dir, "validate", path)
	assert.Contains(t, r.stdout, "... and 200 more row error(s) not shown: fix those above and validate again")
}
