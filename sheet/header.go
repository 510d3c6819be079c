package sheet

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Field is a column bulkpay understands.
type Field string

const (
	FieldName      Field = "name"
	FieldPhone     Field = "phone"
	FieldAmount    Field = "amount"
	FieldEmail     Field = "email"
	FieldBank      Field = "bank_name"
	FieldBranch    Field = "bank_branch"
	FieldAccount   Field = "account_number"
	FieldMode      Field = "mode"
	FieldReference Field = "reference"
	FieldProvider  Field = "provider"
	FieldOperator  Field = "operator"
)

// Required columns; a sheet without one of them cannot be read.
var Required = []Field{FieldName, FieldPhone, FieldAmount}

// aliases maps header spellings (normalised: see Normalize) to fields: the
// platform's Link fields, plain English and French.
var aliases = map[Field][]string{
	FieldName: {"beneficiary_name", "name", "full name", "beneficiary", "employee", "employee name", "payee",
		"nom", "noms", "nom complet", "nom et prenom", "nom et prenoms", "noms et prenoms", "beneficiaire",
		"nom du beneficiaire", "employe", "salarie"},
	FieldPhone: {"beneficiary_phone_number", "phone", "phone number", "mobile", "mobile number", "msisdn",
		"momo", "momo number", "mobile money number", "telephone", "numero de telephone", "tel", "numero",
		"numero momo", "numero mobile money", "contact"},
	FieldAmount: {"amount", "amount xaf", "amount (xaf)", "amount fcfa", "net pay", "salary",
		"montant", "montant (fcfa)", "montant fcfa", "montant xaf", "montant (xaf)", "montant a payer",
		"net a payer", "salaire", "salaire net"},
	FieldEmail:     {"beneficiary_email", "email", "e-mail", "email address", "mail", "courriel", "adresse email"},
	FieldBank:      {"beneficiary_bank_name", "bank", "bank name", "banque", "nom de la banque"},
	FieldBranch:    {"beneficiary_bank_branch", "branch", "bank branch", "agence"},
	FieldAccount:   {"beneficiary_account_number", "account", "account number", "compte", "numero de compte", "rib"},
	FieldMode:      {"mode", "payment mode", "mode de paiement", "moyen de paiement"},
	FieldReference: {"reference", "ref", "matricule", "employee id", "id"},
	FieldProvider:  {"provider", "fournisseur", "prestataire"},
	FieldOperator:  {"operator", "operateur", "network", "reseau", "carrier"},
}

var aliasIndex = func() map[string]Field {
	m := map[string]Field{}
	for f, names := range aliases {
		for _, n := range names {
			m[Normalize(n)] = f
		}
	}
	return m
}()

// Normalize folds a header or label for matching: no case, accents, punctuation
// or spaces. "Montant (FCFA)" → "montantfcfa", "Téléphone" → "telephone".
func Normalize(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii { // nothing to unaccent: fold case and drop the rest in one pass
		b := make([]byte, 0, len(s))
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				b = append(b, c)
			case 'A' <= c && c <= 'Z':
				b = append(b, c+'a'-'A')
			}
		}
		return string(b)
	}
	t := unaccent.Get().(transform.Transformer)
	folded, _, err := transform.String(t, s)
	unaccent.Put(t)
	if err != nil {
		folded = s
	}
	var b strings.Builder
	for _, r := range strings.ToLower(folded) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unaccent holds the transformers that take accents off letters: one chain is
// built per goroutine that needs one, not one per call.
var unaccent = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// FieldOf returns the field a header names, if any.
func FieldOf(header string) (Field, bool) {
	f, ok := aliasIndex[Normalize(header)]
	return f, ok
}

// header is a recognised header row: where each field's column is and how the
// sheet spells it.
type header struct {
	row    int
	col    map[Field]int
	slot   [numSlots]int32 // col by fieldSlot, plus one; 0 when absent (cell's fast path)
	names  map[Field]string
	found  []string // every non-empty header cell, for messages
	titles []string // every header cell by column
}

func parseHeader(row int, cells []string) header {
	h := header{row: row, col: map[Field]int{}, names: map[Field]string{}, titles: make([]string, len(cells))}
	for i, c := range cells {
		c = strings.TrimSpace(c)
		h.titles[i] = c
		if c == "" {
			continue
		}
		h.found = append(h.found, c)
		if f, ok := FieldOf(c); ok {
			if _, dup := h.col[f]; !dup {
				h.col[f] = i
				h.names[f] = c
				if k := fieldSlot(f); k >= 0 {
					h.slot[k] = int32(i) + 1
				}
			}
		}
	}
	return h
}

func (h header) missing() []Field {
	var out []Field
	for _, f := range Required {
		if _, ok := h.col[f]; !ok {
			out = append(out, f)
		}
	}
	return out
}

// title names column i for messages: its header, or its letter (A, B, ... AA).
func (h header) title(i int) string {
	if i < len(h.titles) && h.titles[i] != "" {
		return h.titles[i]
	}
	name := ""
	for n := i + 1; n > 0; n = (n - 1) / 26 {
		name = string(rune('A'+(n-1)%26)) + name
	}
	return "column " + name
}

func (h *header) cell(cells []string, f Field) (string, bool) {
	var i int
	var ok bool
	if k := fieldSlot(f); k >= 0 {
		i, ok = int(h.slot[k])-1, h.slot[k] != 0
	} else {
		i, ok = h.col[f]
	}
	if !ok || i >= len(cells) {
		return "", ok
	}
	return cells[i], true
}

// numSlots: the fields fieldSlot numbers.
const numSlots = 11

// fieldSlot numbers the fields a row is read by, for header.slot; -1 for any other.
func fieldSlot(f Field) int {
	switch f {
	case FieldName:
		return 0
	case FieldPhone:
		return 1
	case FieldAmount:
		return 2
	case FieldEmail:
		return 3
	case FieldBank:
		return 4
	case FieldBranch:
		return 5
	case FieldAccount:
		return 6
	case FieldMode:
		return 7
	case FieldReference:
		return 8
	case FieldProvider:
		return 9
	case FieldOperator:
		return 10
	}
	return -1
}

var totalLabels = map[string]bool{
	"total": true, "totaux": true, "totalgeneral": true, "totalgenerale": true, "grandtotal": true,
	"totalapayer": true, "montanttotal": true, "sommetotale": true, "totalnetapayer": true,
}

// isTotalLabel reports whether a cell says TOTAL (any case, also "Total général").
func isTotalLabel(s string) bool {
	if !containsTot(s) { // every label has it; skip the costly fold
		return false
	}
	return totalLabels[Normalize(s)]
}

// containsTot reports whether s holds "tot" in any case: strings.ToLower(s)
// holds "tot" exactly then, since no other letter lowers to t or o.
func containsTot(s string) bool {
	for i := 0; i+3 <= len(s); i++ {
		if s[i]|0x20 == 't' && s[i+1]|0x20 == 'o' && s[i+2]|0x20 == 't' {
			return true
		}
	}
	return false
}

// joinFields is strings.Join(strings.Fields(s), " "), and s itself when s has
// no space but single ASCII spaces between words.
func joinFields(s string) string {
	prevSpace := true
	for i := 0; i < len(s); {
		c := s[i]
		sp, n := false, 1
		switch {
		case c < utf8.RuneSelf:
			sp = c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
		case c == 0xC2 || c == 0xE1 || c == 0xE2 || c == 0xE3: // the lead bytes of every space beyond ASCII
			var r rune
			r, n = utf8.DecodeRuneInString(s[i:])
			sp = unicode.IsSpace(r)
		}
		// any other byte is in a character that is no space: it is stepped
		// over a byte at a time (a continuation byte is never a lead byte)
		if sp && (prevSpace || c != ' ') {
			return strings.Join(strings.Fields(s), " ")
		}
		prevSpace = sp
		i += n
	}
	if prevSpace {
		return strings.Join(strings.Fields(s), " ")
	}
	return s
}
