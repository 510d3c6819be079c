package batch

import (
	"regexp"
	"sort"
	"strings"
	"sync"
)

// rowTexts holds what a row error says, by code, in English and French. The
// English text is the one RowError.Message carries (the CLI, the API and the
// English pages show it as it is); {name} stands for a value of the message.
// A value named {msg} is itself a row error message, told in the same language.
// A test checks that both texts of a code have the same values.
var rowTexts = map[string]struct{ en, fr string }{
	// the phone cell
	"phone_empty": {"phone is empty: write the beneficiary's mobile number",
		"le téléphone est vide : écrivez le numéro mobile du bénéficiaire"},
	"phone_not_digit": {"phone has a character {char} that is not a digit: write digits only, e.g. 677 12 34 56 or +237 677 12 34 56",
		"le téléphone contient le caractère {char}, qui n'est pas un chiffre : écrivez seulement des chiffres, p. ex. 677 12 34 56 ou +237 677 12 34 56"},
	"phone_unreadable": {"phone is not a number bulkpay can read ({reason}): write it as {national} or {international}",
		"bulkpay ne sait pas lire ce numéro de téléphone ({reason}) : écrivez-le sous la forme {national} ou {international}"},
	"phone_invalid": {"phone is not a valid number in {region}: write it as {national} or {international}",
		"le téléphone n'est pas un numéro valide en {region} : écrivez-le sous la forme {national} ou {international}"},
	"phone_not_mobile": {"phone is not a mobile number: mobile money needs the beneficiary's mobile number",
		"le téléphone n'est pas un numéro mobile : le mobile money demande le numéro mobile du bénéficiaire"},
	"duplicate_row": {"duplicate of row {first}: the same payee is paid twice; remove one row, or pass --allow-duplicates if both payments are meant",
		"doublon de la ligne {first} : le même bénéficiaire serait payé deux fois ; supprimez une des lignes, ou passez --allow-duplicates si les deux paiements sont voulus"},

	// the amount cell
	"amount_empty": {"amount is empty: write a whole number of francs, e.g. 150000",
		"le montant est vide : écrivez un nombre entier de francs, p. ex. 150000"},
	"amount_currency_only": {"amount has a currency but no number: write a whole number of francs, e.g. 150000",
		"le montant a une devise mais pas de nombre : écrivez un nombre entier de francs, p. ex. 150000"},
	"amount_negative": {"amount is negative: write a positive whole number of francs",
		"le montant est négatif : écrivez un nombre entier positif de francs"},
	"amount_scientific": {"amount is in scientific notation: write the number in full, e.g. 150000",
		"le montant est en notation scientifique : écrivez le nombre en entier, p. ex. 150000"},
	"amount_grouping": {"amount has irregular digit grouping: group digits in threes (150 000) or write none (150000)",
		"le montant a des groupes de chiffres irréguliers : groupez les chiffres par trois (150 000) ou pas du tout (150000)"},
	"amount_not_number": {"amount is not a number: write a whole number of francs, e.g. 150000",
		"le montant n'est pas un nombre : écrivez un nombre entier de francs, p. ex. 150000"},
	"amount_decimals": {"amount has decimals: XAF has no cents, write a whole number of francs",
		"le montant a des décimales : le XAF n'a pas de centimes, écrivez un nombre entier de francs"},
	"amount_ambiguous": {"amount has an ambiguous separator ('.' or ','): write it without separators (150000) or with spaces (150 000)",
		"le montant a un séparateur ambigu ('.' ou ',') : écrivez-le sans séparateur (150000) ou avec des espaces (150 000)"},
	"amount_too_large": {"amount is too large", "le montant est trop grand"},
	"amount_zero": {"amount is zero: every row must pay more than 0",
		"le montant est nul : chaque ligne doit payer plus de 0"},

	// the other cells
	"name_empty": {"name is empty: write the beneficiary's name",
		"le nom est vide : écrivez le nom du bénéficiaire"},
	"name_too_long": {"name is {length} characters long; a name may have at most {max}: shorten it",
		"le nom fait {length} caractères ; un nom peut en avoir au plus {max} : raccourcissez-le"},
	"email_invalid": {"email is not an address: write name@example.com or leave it empty",
		"l'e-mail n'est pas une adresse : écrivez nom@exemple.com ou laissez la cellule vide"},
	"mode_unknown": {"mode is not one bulkpay knows: write mobile_money, cashout or bank_transfer",
		"bulkpay ne connaît pas ce mode : écrivez mobile_money, cashout ou bank_transfer"},
	"cell_too_long": {"the cell holds {size} of text; a cell may hold at most {max}: shorten it",
		"la cellule contient {size} de texte ; une cellule peut en contenir au plus {max} : raccourcissez-la"},
	"text_not_utf8": {"{field} is not valid text (it holds bytes that are not UTF-8): retype it, or save the sheet again as .xlsx or UTF-8 csv",
		"{field} : ce n'est pas du texte valide (il contient des octets qui ne sont pas de l'UTF-8) : retapez-le, ou enregistrez de nouveau la feuille en .xlsx ou en csv UTF-8"},
	"text_unreadable_char": {"{field} holds an unreadable character (\uFFFD, shown as a question mark in a diamond): the file's encoding was misread or the text is damaged; retype it, or save the sheet as .xlsx or UTF-8 csv",
		"{field} : contient un caractère illisible (\uFFFD, un point d'interrogation dans un losange) : l'encodage du fichier a été mal lu ou le texte est abîmé ; retapez-le, ou enregistrez la feuille en .xlsx ou en csv UTF-8"},
	"text_control_char": {"{field} holds the control character {char}, which is not text: remove it",
		"{field} : contient le caractère de contrôle {char}, qui n'est pas du texte : supprimez-le"},
	"text_direction_mark": {"{field} holds the invisible direction mark {char}, which can make it display as something else: retype it without it",
		"{field} : contient la marque de direction invisible {char}, qui peut le faire paraître autre qu'il n'est : retapez-le sans elle"},

	// the header row
	"column_missing": {"missing required column {column}; headers found: {found}",
		"colonne obligatoire manquante : {column} ; en-têtes trouvés : {found}"},
	"header_column_missing": {"row {row}: missing required column {column}; headers found: {found}",
		"ligne {row} : colonne obligatoire manquante : {column} ; en-têtes trouvés : {found}"},
	"header_not_found": {"no header row found in the first {rows} rows: a header with columns name, phone and amount is needed",
		"aucune ligne d'en-tête dans les {rows} premières lignes : il faut un en-tête avec les colonnes nom, téléphone et montant"},
	"header_not_found_workbook": {"no header row found in the first {rows} rows: a header with columns name, phone and amount is needed; no sheet of the workbook has one (sheets {sheets})",
		"aucune ligne d'en-tête dans les {rows} premières lignes : il faut un en-tête avec les colonnes nom, téléphone et montant ; aucune feuille du classeur n'en a (feuilles {sheets})"},

	// the TOTAL row
	"below_total": {"row below the TOTAL row (row {total}): put every beneficiary above the TOTAL row and remove notes below it",
		"ligne sous la ligne TOTAL (ligne {total}) : placez chaque bénéficiaire au-dessus de la ligne TOTAL et retirez les notes en dessous"},
	"second_total": {"a second TOTAL row (the first is row {first}): keep one",
		"une deuxième ligne TOTAL (la première est la ligne {first}) : n'en gardez qu'une"},
	"total_amount": {"TOTAL row: {msg}", "ligne TOTAL : {msg}"},
	"total_mismatch": {"TOTAL row says {declared} but the amounts above add up to {sum} (difference {difference}): correct the amounts or the TOTAL",
		"la ligne TOTAL indique {declared} mais les montants au-dessus font {sum} (écart {difference}) : corrigez les montants ou le TOTAL"},
	"total_mismatch_unread": {"TOTAL row says {declared} but the amounts that could be read add up to {sum}: correct the amounts marked above, then check the TOTAL",
		"la ligne TOTAL indique {declared} mais les montants lisibles font {sum} : corrigez les montants signalés plus haut, puis vérifiez le TOTAL"},

	// limits and control totals
	"limit_per_row": {"amount {amount} is above the limit of {limit} per row (limits.max_per_row): check the amount, or raise the limit in the config",
		"le montant {amount} dépasse la limite de {limit} par ligne (limits.max_per_row) : vérifiez le montant, ou relevez la limite dans la configuration"},
	"limit_per_batch": {"the batch total {total} is above the limit of {limit} per batch (limits.max_per_batch): split the sheet, or raise the limit in the config",
		"le total du lot, {total}, dépasse la limite de {limit} par lot (limits.max_per_batch) : découpez la feuille, ou relevez la limite dans la configuration"},
	"expect_total_mismatch": {"the valid rows add up to {total} but --expect-total says {expected} (difference {difference}): check the sheet against the approved total",
		"les lignes valides font {total} mais le total attendu est {expected} (écart {difference}) : comparez la feuille au total approuvé"},
	"charge_not_below_amount": {"the charge of {charge} is not below the amount: the beneficiary, who bears it, would receive nothing",
		"les frais de {charge} ne sont pas inférieurs au montant : le bénéficiaire, qui les paie, ne recevrait rien"},

	// routing
	"provider_not_configured": {"provider {provider} is not configured: name one of {names}, or leave the cell empty",
		"le fournisseur {provider} n'est pas configuré : indiquez l'un de {names}, ou laissez la cellule vide"},
	"no_cashout_provider": {"no configured provider pays cashouts in {country}: pay this row another way and remove it from the sheet",
		"aucun fournisseur configuré ne paie de retraits (cashout) en {country} : payez cette ligne autrement et retirez-la de la feuille"},
	"no_mode_provider": {"no configured provider pays mode {mode}: pay this row another way and remove it from the sheet",
		"aucun fournisseur configuré ne paie le mode {mode} : payez cette ligne autrement et retirez-la de la feuille"},
	"wallet_provider_missing": {"{wallet} wallets need the {provider} provider, which is not configured",
		"les portefeuilles {wallet} demandent le fournisseur {provider}, qui n'est pas configuré"},
	"carrier_unknown": {"the carrier of this {country} number is not known, so no provider can be chosen: check the number",
		"l'opérateur de ce numéro ({country}) n'est pas connu, aucun fournisseur ne peut donc être choisi : vérifiez le numéro"},
	"no_operator_provider": {"no configured provider pays {operator} numbers in {country}: pay this row another way and remove it from the sheet",
		"aucun fournisseur configuré ne paie les numéros {operator} en {country} : payez cette ligne autrement et retirez-la de la feuille"},
}

var placeholder = regexp.MustCompile(`\{[a-z]+\}`)

type rowPattern struct {
	code  string
	re    *regexp.Regexp
	names []string
}

// rowPatterns are the English texts as patterns that find a message's code
// and values, longest text first so that a text that ends in a value does not
// take a longer text's message.
var rowPatterns = sync.OnceValue(func() []rowPattern {
	var out []rowPattern
	for code, t := range rowTexts {
		var re strings.Builder
		re.WriteString(`(?s)^`)
		last := 0
		var names []string
		for _, m := range placeholder.FindAllStringIndex(t.en, -1) {
			re.WriteString(regexp.QuoteMeta(t.en[last:m[0]]))
			re.WriteString(`(.*?)`)
			names = append(names, t.en[m[0]+1:m[1]-1])
			last = m[1]
		}
		re.WriteString(regexp.QuoteMeta(t.en[last:]))
		re.WriteString(`$`)
		out = append(out, rowPattern{code: code, re: regexp.MustCompile(re.String()), names: names})
	}
	sort.Slice(out, func(i, j int) bool {
		li, lj := len(rowTexts[out[i].code].en), len(rowTexts[out[j].code].en)
		if li != lj {
			return li > lj
		}
		return out[i].code < out[j].code
	})
	return out
})

// Code says which of the known texts the error's message is, and its values
// by name: "amount_decimals", or "duplicate_row" with {"first": "3"}. It is ""
// for a message bulkpay has no code for.
func (e RowError) Code() (string, map[string]string) { return messageCode(e.Message) }

func messageCode(msg string) (string, map[string]string) {
	for _, p := range rowPatterns() {
		m := p.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		args := make(map[string]string, len(p.names))
		for i, name := range p.names {
			args[name] = m[i+1]
		}
		return p.code, args
	}
	return "", nil
}

// In tells the error's message in lang, "en" or "fr". A message without a
// code, or in a language without its text, stays as Message says it (English).
func (e RowError) In(lang string) string { return messageIn(e.Message, lang) }

func messageIn(msg, lang string) string {
	if lang == "en" {
		return msg
	}
	code, args := messageCode(msg)
	t, ok := rowTexts[code]
	if !ok || lang != "fr" {
		return msg
	}
	return placeholder.ReplaceAllStringFunc(t.fr, func(ph string) string {
		name := ph[1 : len(ph)-1]
		if name == "msg" {
			return messageIn(args[name], lang)
		}
		return args[name]
	})
}

// RowText is a row error message as its code's English text says it, with
// args the values by name: RowText("duplicate_row", "first", "3"). The code
// must be one of rowTexts.
func RowText(code string, args ...string) string {
	t, ok := rowTexts[code]
	if !ok {
		panic("batch: no row text " + code)
	}
	s := t.en
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		name := s[i+1 : i+j]
		for k := 0; k+1 < len(args); k += 2 {
			if args[k] == name {
				b.WriteString(args[k+1])
				break
			}
		}
		s = s[i+j+1:]
	}
	if b.Len() == 0 {
		return s
	}
	b.WriteString(s)
	return b.String()
}
