package server

import (
	"encoding/csv"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The rows to fix of an upload, on the page and in its csv download, say what
// to do in the language of the pages.
func TestUploadRowErrorsInThePagesLanguage(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	file := filepath.Join(t.TempDir(), "paie.csv")
	require.NoError(t, os.WriteFile(file, []byte("Nom;Téléphone;Montant\nAwa Ndiaye;12345;150000\nJean Mbarga;677123456;150000.5\n"), 0o600))

	for _, c := range []struct {
		lang        string
		header      []string
		phone, cash string
	}{
		{"en", []string{"row", "column", "value", "what to do"},
			"phone is not a valid number in CM: write it as 6 71 23 45 67 or +237 6 71 23 45 67",
			"amount has decimals: XAF has no cents, write a whole number of francs"},
		{"fr", []string{"ligne", "colonne", "valeur", "que faire"},
			"le téléphone n'est pas un numéro valide en CM : écrivez-le sous la forme 6 71 23 45 67 ou +237 6 71 23 45 67",
			"le montant a des décimales : le XAF n'a pas de centimes, écrivez un nombre entier de francs"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			awa := h.signIn("awa")
			require.Equal(t, http.StatusSeeOther, awa.get("/lang/"+c.lang).code)
			got := awa.upload(file, map[string]string{"reference": "paie-" + c.lang})
			require.Equal(t, http.StatusUnprocessableEntity, got.code, got.body)
			page := html.UnescapeString(got.body)
			assert.Contains(t, page, `<td class="num">2</td><td>Téléphone</td><td>12345</td><td>`+c.phone+"</td>")
			assert.Contains(t, page, `<td class="num">3</td><td>Montant</td><td>150000.5</td><td>`+c.cash+"</td>")

			id := regexpFind(t, `href="/uploads/([0-9a-f]+)/errors.csv"`, got.body)
			dl := awa.get("/uploads/" + id + "/errors.csv")
			require.Equal(t, http.StatusOK, dl.code)
			recs, err := csv.NewReader(strings.NewReader(dl.body)).ReadAll()
			require.NoError(t, err)
			assert.Equal(t, [][]string{c.header, {"2", "Téléphone", "12345", c.phone}, {"3", "Montant", "150000.5", c.cash}}, recs)
		})
	}
}
