package sheet

import (
	"errors"
	"strconv"
	"strings"
	"sync"

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
	num, typ, nsn := fastNumber(s, region)
	if num == nil {
		parsed, err := phonenumbers.Parse(s, region)
		if err != nil {
			return Phone{}, phoneError("phone_unreadable", region, "reason", err.Error())
		}
		num, typ, nsn = parsed, phonenumbers.GetNumberType(parsed), phonenumbers.GetNationalSignificantNumber(parsed)
	}
	if typ == phonenumbers.UNKNOWN { // what IsValidNumber checks
		return Phone{}, phoneError("phone_invalid", region, "region", regionName(num, region))
	}
	if typ != phonenumbers.MOBILE && typ != phonenumbers.FIXED_LINE_OR_MOBILE {
		return Phone{}, errPhoneNotMobile
	}
	e164 := strconv.Itoa(int(num.GetCountryCode())) + nsn
	return Phone{
		E164:     e164,
		Region:   phonenumbers.GetRegionCodeForNumber(num),
		Operator: carrier(num, "+"+e164),
	}, nil
}

// fastNumber builds the number directly from plain digits ("+237677123456",
// "237677123456", "677123456") when the numbering plan says it is valid, which
// is what phonenumbers.Parse would conclude at several times the cost. Anything
// else (a trunk prefix, an invalid number) returns nil for the full parser.
func fastNumber(s, region string) (*phonenumbers.PhoneNumber, phonenumbers.PhoneNumberType, string) {
	try := func(cc int, national string) (*phonenumbers.PhoneNumber, phonenumbers.PhoneNumberType, string) {
		if national == "" || national[0] == '0' || len(national) > 17 {
			return nil, phonenumbers.UNKNOWN, ""
		}
		n, err := strconv.ParseUint(national, 10, 64)
		if err != nil {
			return nil, phonenumbers.UNKNOWN, ""
		}
		num := &phonenumbers.PhoneNumber{CountryCode: proto32(int32(cc)), NationalNumber: &n}
		if t := numberType(num, int32(cc), national); t != phonenumbers.UNKNOWN {
			return num, t, national
		}
		return nil, phonenumbers.UNKNOWN, ""
	}
	if d, ok := strings.CutPrefix(s, "+"); ok {
		for l := 1; l <= 3 && l < len(d); l++ {
			cc, _ := strconv.Atoi(d[:l])
			if phonenumbers.GetRegionCodeForCountryCode(cc) != "ZZ" {
				return try(cc, d[l:])
			}
		}
		return nil, phonenumbers.UNKNOWN, ""
	}
	if s == "" || s[0] == '0' {
		return nil, phonenumbers.UNKNOWN, ""
	}
	cc := countryCode(region)
	if cc == 0 {
		return nil, phonenumbers.UNKNOWN, ""
	}
	if num, t, nsn := try(cc, s); num != nil {
		return num, t, nsn
	}
	if rest, ok := strings.CutPrefix(s, strconv.Itoa(cc)); ok {
		return try(cc, rest)
	}
	return nil, phonenumbers.UNKNOWN, ""
}

var countryCodes sync.Map // region → phonenumbers.GetCountryCodeForRegion(region)

func countryCode(region string) int {
	if cc, ok := countryCodes.Load(region); ok {
		return cc.(int)
	}
	cc := phonenumbers.GetCountryCodeForRegion(region)
	if len(region) <= 3 { // every region code; anything else is looked up each time, never kept
		countryCodes.Store(region, cc)
	}
	return cc
}

func proto32(v int32) *int32 { return &v }

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
