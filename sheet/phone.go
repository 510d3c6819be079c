package sheet

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nyaruka/phonenumbers"

	"bulkpay/batch"
)

// Phone is a validated mobile number.
type Phone struct {
	E164     string // digits without '+', e.g. 237677123456
	Region   string // ISO 3166 region of the number, e.g. CM
	Operator string // carrier from the numbering plan, e.g. MTN, Orange; empty when unknown
}

// ParsePhone validates a mobile number written the ways payroll sheets write them:
// spaces, dots, dashes, brackets, a leading + or 00, or a numeric cell (also in
// exponent form, 2.37677123456E11). region is the default for national numbers.
func ParsePhone(raw, region string) (Phone, error) {
	if plainNumber(raw) { // what the cleaning below would leave as it is
		return parsePhone(raw, region, true)
	}
	s := strings.TrimSpace(raw)
	if s == "" {
		return Phone{}, errPhoneEmpty
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')' || r == '/' || isGroupSpace(r):
			return -1
		}
		return r
	}, s)
	if exp, ok := exponentDigits(raw); ok {
		s = exp
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	for i, r := range s {
		if (r < '0' || r > '9') && !(i == 0 && r == '+') {
			return Phone{}, errors.New(batch.RowText("phone_not_digit", "char", strconv.QuoteRune(r)))
		}
	}
	return parsePhone(s, region, true)
}

// plainNumber: s is digits, perhaps after a '+', and does not start with 00.
func plainNumber(s string) bool {
	d := strings.TrimPrefix(s, "+")
	if d == "" || strings.HasPrefix(s, "00") {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

// parsePhone is ParsePhone for s, cleaned to digits with at most a leading '+';
// fast false sends every number through phonenumbers.Parse (for tests).
func parsePhone(s, region string, fast bool) (Phone, error) {
	var num number
	typ, nsn, ok := phonenumbers.UNKNOWN, "", false
	if fast {
		num, typ, nsn, ok = fastNumber(s, region)
	}
	if !ok {
		parsed, err := phonenumbers.Parse(s, region)
		if err != nil {
			return Phone{}, phoneError("phone_unreadable", region, "reason", err.Error())
		}
		num, typ, nsn = wrapNumber(parsed), phonenumbers.GetNumberType(parsed), phonenumbers.GetNationalSignificantNumber(parsed)
	}
	if typ == phonenumbers.UNKNOWN { // what IsValidNumber checks
		return Phone{}, phoneError("phone_invalid", region, "region", regionName(num.get(), region))
	}
	if typ != phonenumbers.MOBILE && typ != phonenumbers.FIXED_LINE_OR_MOBILE {
		return Phone{}, errPhoneNotMobile
	}
	// "+" and the E.164 digits in one string: the carrier is looked up by the
	// first, the Phone keeps the second.
	buf := make([]byte, 0, 24)
	buf = append(buf, '+')
	buf = strconv.AppendInt(buf, int64(num.cc), 10)
	plus := string(append(buf, nsn...))
	var reg string
	if info := countryOf(int(num.cc)); num.pn == nil && info.one { // what GetRegionCodeForNumber says then
		reg = info.region
	} else {
		reg = phonenumbers.GetRegionCodeForNumber(num.get())
	}
	return Phone{
		E164:     plus[1:],
		Region:   reg,
		Operator: carrier(&num, plus),
	}, nil
}

// number is a phone number as country code and national number; the
// phonenumbers form (a large message) is built only when a lookup needs it.
type number struct {
	cc int32
	n  uint64
	pn *phonenumbers.PhoneNumber
}

func wrapNumber(pn *phonenumbers.PhoneNumber) number {
	return number{cc: pn.GetCountryCode(), n: pn.GetNationalNumber(), pn: pn}
}

func (x *number) get() *phonenumbers.PhoneNumber {
	if x.pn == nil {
		x.pn = newNumber(x.cc, x.n)
	}
	return x.pn
}

// fastNumber builds the number directly from plain digits ("+237677123456",
// "237677123456", "677123456") when the numbering plan says it is valid, which
// is what phonenumbers.Parse would conclude at several times the cost. Anything
// else (a trunk prefix, an invalid number) returns ok false for the full parser.
func fastNumber(s, region string) (num number, typ phonenumbers.PhoneNumberType, nsn string, ok bool) {
	try := func(cc int, national string) (number, phonenumbers.PhoneNumberType, string, bool) {
		if national == "" || national[0] == '0' || len(national) > 17 {
			return number{}, phonenumbers.UNKNOWN, "", false
		}
		n, err := strconv.ParseUint(national, 10, 64)
		if err != nil {
			return number{}, phonenumbers.UNKNOWN, "", false
		}
		num := number{cc: int32(cc), n: n}
		if t := numberType(&num, national); t != phonenumbers.UNKNOWN {
			return num, t, national, true
		}
		return number{}, phonenumbers.UNKNOWN, "", false
	}
	if d, ok := strings.CutPrefix(s, "+"); ok {
		if d == "" || d[0] == '0' { // no country code starts with 0: phonenumbers refuses it
			return number{}, phonenumbers.UNKNOWN, "", false
		}
		for l := 1; l <= 3 && l < len(d); l++ {
			cc, _ := strconv.Atoi(d[:l])
			if phonenumbers.GetRegionCodeForCountryCode(cc) != "ZZ" {
				if !oneRegion(cc) {
					break
				}
				return try(cc, d[l:])
			}
		}
		return number{}, phonenumbers.UNKNOWN, "", false
	}
	if s == "" || s[0] == '0' {
		return number{}, phonenumbers.UNKNOWN, "", false
	}
	cc := countryCode(region)
	if cc == 0 || !countryOf(cc).one {
		return number{}, phonenumbers.UNKNOWN, "", false
	}
	if num, t, nsn, ok := try(cc, s); ok {
		return num, t, nsn, true
	}
	if rest, ok := strings.CutPrefix(s, strconv.Itoa(cc)); ok {
		return try(cc, rest)
	}
	return number{}, phonenumbers.UNKNOWN, "", false
}

var countryCodes sync.Map // region → phonenumbers.GetCountryCodeForRegion(region)

// oneRegion: the country code is one region's alone. Where several share it
// (+1, +7, +44...), phonenumbers reads a number by the default region's plan
// first, which the shortcut does not: such numbers take the full parse.
func oneRegion(cc int) bool { return len(phonenumbers.GetRegionCodesForCountryCode(cc)) == 1 }

// country is what the shortcuts ask of a country code: whether it is one
// region's alone (oneRegion), and the region (GetRegionCodeForCountryCode).
type country struct {
	cc     int
	one    bool
	region string
}

// lastCountry is the country code countryOf was last asked about: a sheet's
// numbers mostly have the same one.
var lastCountry atomic.Pointer[country]

func countryOf(cc int) *country {
	if l := lastCountry.Load(); l != nil && l.cc == cc {
		return l
	}
	c := &country{cc: cc, one: oneRegion(cc), region: phonenumbers.GetRegionCodeForCountryCode(cc)}
	lastCountry.Store(c)
	return c
}

// lastRegion is the region countryCode was last asked about, and its code: a
// sheet's numbers all have the same default region.
var lastRegion atomic.Pointer[regionCode]

type regionCode struct {
	region string
	cc     int
}

func countryCode(region string) int {
	if l := lastRegion.Load(); l != nil && l.region == region {
		return l.cc
	}
	cc := countryCodeOf(region)
	if len(region) <= 3 {
		lastRegion.Store(&regionCode{region, cc})
	}
	return cc
}

func countryCodeOf(region string) int {
	if cc, ok := countryCodes.Load(region); ok {
		return cc.(int)
	}
	cc := phonenumbers.GetCountryCodeForRegion(region)
	if len(region) <= 3 { // every region code; anything else is looked up each time, never kept
		countryCodes.Store(region, cc)
	}
	return cc
}

// newNumber is a PhoneNumber of country code cc and national number n, in one
// allocation instead of three.
func newNumber(cc int32, n uint64) *phonenumbers.PhoneNumber {
	b := &struct {
		num phonenumbers.PhoneNumber
		cc  int32
		n   uint64
	}{cc: cc, n: n}
	b.num.CountryCode, b.num.NationalNumber = &b.cc, &b.n
	return &b.num
}

// carrierName shortens the numbering plan's carrier names to the ones providers use.
func carrierName(c string) string {
	switch l := strings.ToLower(c); {
	case strings.Contains(l, "mtn"):
		return "MTN"
	case strings.Contains(l, "orange"):
		return "Orange"
	}
	return c
}

// exponentDigits turns a numeric cell written in exponent form into its exact digits.
func exponentDigits(s string) (string, bool) {
	if !strings.ContainsAny(s, "eE") {
		return "", false
	}
	s = strings.TrimSpace(s)
	mant, exp, ok := strings.Cut(strings.ToUpper(s), "E")
	if !ok {
		return "", false
	}
	e, err := strconv.Atoi(strings.TrimPrefix(exp, "+"))
	if err != nil || e < 0 || e > 20 {
		return "", false
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" || strings.Trim(intPart+frac, "0123456789") != "" {
		return "", false
	}
	if len(frac) > e {
		if strings.Trim(frac[e:], "0") != "" {
			return "", false
		}
		frac = frac[:e]
	}
	return intPart + frac + strings.Repeat("0", e-len(frac)), true
}

func regionName(num *phonenumbers.PhoneNumber, def string) string {
	if r := phonenumbers.GetRegionCodeForNumber(num); r != "" && r != "ZZ" {
		return r
	}
	if num.GetCountryCode() != 0 {
		return "+" + strconv.Itoa(int(num.GetCountryCode()))
	}
	return def
}

var (
	errPhoneEmpty     = errors.New(batch.RowText("phone_empty"))
	errPhoneNotMobile = errors.New(batch.RowText("phone_not_mobile"))
)

// phoneError is the row text code, with the region's example mobile number,
// national and international, or, when the region has none, in English only:
// "write it as the full international number, e.g. +237 671 23 45 67".
func phoneError(code, region, name, value string) error {
	if ex := phonenumbers.GetExampleNumberForType(region, phonenumbers.MOBILE); ex != nil {
		return errors.New(batch.RowText(code, name, value, "national", phonenumbers.Format(ex, phonenumbers.NATIONAL),
			"international", phonenumbers.Format(ex, phonenumbers.INTERNATIONAL)))
	}
	msg := batch.RowText(code, name, value, "national", "\x00")
	msg = msg[:strings.Index(msg, "\x00")] + "the full international number, e.g. +237 671 23 45 67"
	return errors.New(msg)
}
