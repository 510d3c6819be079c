package linktext

import "strings"

// SMS lengths: one SMS holds MaxGSM characters of the GSM 03.38 alphabet, or
// MaxUCS2 UTF-16 units of anything else; a longer text is sent in parts of
// PartGSM or PartUCS2 and charged per part.
const (
	MaxGSM   = 160
	PartGSM  = 153
	MaxUCS2  = 70
	PartUCS2 = 67
)

// gsmBasic is the GSM 03.38 default alphabet (one septet each); gsmExtended
// are the characters of its extension table (two septets each).
const (
	gsmBasic    = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExtended = "^{}\\[~]|€\f"
)

// Length is how long text is as an SMS: in GSM septets when every character
// is in the GSM alphabet (gsm true), else in UTF-16 units.
func Length(text string) (n int, gsm bool) {
	for _, r := range text {
		switch {
		case strings.ContainsRune(gsmBasic, r):
			n++
		case strings.ContainsRune(gsmExtended, r):
			n += 2
		default:
			return utf16Len(text), false
		}
	}
	return n, true
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// Parts is how many SMS text is sent (and charged) as.
func Parts(text string) int {
	n, gsm := Length(text)
	one, part := MaxGSM, PartGSM
	if !gsm {
		one, part = MaxUCS2, PartUCS2
	}
	if n <= one {
		return 1
	}
	return (n + part - 1) / part
}

// plain are the letters French and the names of organisations use that GSM
// lacks, with the letter written without its accent.
var plain = map[rune]string{
	'á': "a", 'â': "a", 'ã': "a", 'À': "A", 'Á': "A", 'Â': "A", 'Ã': "A",
	'ç': "c", 'ê': "e", 'ë': "e", 'È': "E", 'Ê': "E", 'Ë': "E",
	'í': "i", 'î': "i", 'ï': "i", 'Ì': "I", 'Í': "I", 'Î': "I", 'Ï': "I",
	'ó': "o", 'ô': "o", 'õ': "o", 'Ò': "O", 'Ó': "O", 'Ô': "O", 'Õ': "O",
	'ú': "u", 'û': "u", 'Ù': "U", 'Ú': "U", 'Û': "U", 'ÿ': "y", 'Ÿ': "Y",
	'œ': "oe", 'Œ': "OE", '’': "'", '‘': "'", '“': "\"", '”': "\"", '«': "\"", '»': "\"",
	'–': "-", '—': "-", '…': "...", '\u00a0': " ", '\u202f': " ",
}

// ToGSM writes s with the letters GSM lacks replaced by their plain form
// (ê → e, œ → oe, ’ → '); what has no plain form stays.
func ToGSM(s string) string {
	if _, gsm := Length(s); gsm {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if p, ok := plain[r]; ok {
			b.WriteString(p)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
