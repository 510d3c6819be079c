package linktext

import (
	"fmt"
	"strings"
	"time"
)

// CodeValidity is how long a claim code sent by CodeMessage stays valid.
const CodeValidity = 10 * time.Minute

// English reports whether lang asks for English ("en", "en-GB", "EN");
// every other language gets French, the first language of most
// beneficiaries bulkpay pays.
func English(lang string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(lang)), "en")
}

// LinkMessage is the SMS that carries a claim link: "{org} vous envoie 25 000
// FCFA. Réclamez-le: {url} (expire le 02/12/2026)", or in English. It keeps to
// one SMS (160 GSM characters) where it can: letters of org outside the GSM
// alphabet are written without their accent, then org is shortened; the url,
// the amount and the date are never cut. The expiry's day is written in its
// own location: pass it in the beneficiaries' time zone.
func LinkMessage(lang, org string, amount int64, currency, url string, expiry time.Time) string {
	return fit(org, func(org string) string {
		if English(lang) {
			return fmt.Sprintf("%s sends you %s. Claim it: %s (expires %s)", org, Money(amount, currency), url, date(lang, expiry))
		}
		return fmt.Sprintf("%s vous envoie %s. Réclamez-le: %s (expire le %s)", org, Money(amount, currency), url, date(lang, expiry))
	})
}

// ReminderMessage is the SMS sent before an unclaimed link expires: "Rappel:
// {org} vous a envoyé 25 000 FCFA. Réclamez-le avant le 02/12/2026: {url}",
// or in English; kept to one SMS as LinkMessage is.
func ReminderMessage(lang, org string, amount int64, currency, url string, expiry time.Time) string {
	return fit(org, func(org string) string {
		if English(lang) {
			return fmt.Sprintf("Reminder: %s sent you %s. Claim it before %s: %s", org, Money(amount, currency), date(lang, expiry), url)
		}
		return fmt.Sprintf("Rappel: %s vous a envoyé %s. Réclamez-le avant le %s: %s", org, Money(amount, currency), date(lang, expiry), url)
	})
}

// CodeMessage is the SMS that carries a claim code, valid CodeValidity.
func CodeMessage(lang, code string) string {
	mins := int(CodeValidity / time.Minute)
	if English(lang) {
		return fmt.Sprintf("Your bulkpay code: %s (valid %d min). Do not share it with anyone.", code, mins)
	}
	return fmt.Sprintf("Votre code bulkpay: %s (valable %d min). Ne le partagez avec personne.", code, mins)
}

// LinkEmail is the subject and text of the e-mail that carries a claim link.
func LinkEmail(lang, org string, amount int64, currency, url string, expiry time.Time) (subject, text string) {
	if English(lang) {
		return fmt.Sprintf("%s sends you %s", org, Money(amount, currency)),
			fmt.Sprintf("Hello,\n\n%s sends you %s.\n\nClaim it here before %s:\n%s\n\nA code will be sent by SMS to your phone to confirm it is you. Never share this code.\n",
				org, Money(amount, currency), date(lang, expiry), url)
	}
	return fmt.Sprintf("%s vous envoie %s", org, Money(amount, currency)),
		fmt.Sprintf("Bonjour,\n\n%s vous envoie %s.\n\nRéclamez-le ici avant le %s :\n%s\n\nUn code vous sera envoyé par SMS pour confirmer que c'est bien vous. Ne partagez jamais ce code.\n",
			org, Money(amount, currency), date(lang, expiry), url)
}

// Money writes an amount as the rest of bulkpay does, thousands apart and the
// CFA franc as FCFA: "4 679 000 FCFA". Amounts are in the currency's minor
// unit, which XAF and XOF do not have.
func Money(amount int64, currency string) string {
	switch currency {
	case "XAF", "XOF":
		currency = "FCFA"
	}
	s := fmt.Sprint(amount)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String() + " " + currency)
}

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// date writes the expiry's day in its own location: 02/12/2026 in French,
// 2 Dec 2026 in English.
func date(lang string, t time.Time) string {
	if English(lang) {
		return fmt.Sprintf("%d %s %d", t.Day(), months[t.Month()-1], t.Year())
	}
	return t.Format("02/01/2006")
}

// minOrg is the fewest characters of an organisation's name kept when a
// message is shortened to fit one SMS.
const minOrg = 12

// fit builds a message with org, keeping it to one SMS where it can: first
// org without the letters GSM lacks, then org shortened (never below minOrg
// characters, ending with a dot).
func fit(org string, build func(org string) string) string {
	org = strings.Join(strings.Fields(org), " ")
	text := build(org)
	if Parts(text) == 1 {
		return text
	}
	if plain := ToGSM(org); plain != org {
		org = plain
		if text = build(org); Parts(text) == 1 {
			return text
		}
	}
	n, gsm := Length(text)
	if !gsm {
		return text // something else than org is outside GSM: nothing to win
	}
	// the septets org may take: what the rest leaves of one SMS, less the dot
	orgLen, _ := Length(org)
	budget := MaxGSM - (n - orgLen) - 1
	var short []rune
	for _, r := range org {
		w, _ := Length(string(r))
		if budget -= w; budget < 0 {
			break
		}
		short = append(short, r)
	}
	if len(short) >= minOrg {
		return build(strings.TrimSpace(string(short)) + ".")
	}
	return text
}
