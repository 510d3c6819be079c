package sandbox

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// mobile reports the region and carrier of a valid mobile number given as E.164
// digits (with or without '+').
func mobile(e164 string) (region, carrier string, ok bool) {
	num, err := phonenumbers.Parse("+"+strings.TrimPrefix(e164, "+"), "")
	if err != nil {
		return "", "", false
	}
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
	default:
		return "", "", false
	}
	c, _ := phonenumbers.GetCarrierForNumber(num, "en")
	switch l := strings.ToLower(c); {
	case strings.Contains(l, "mtn"):
		c = "MTN"
	case strings.Contains(l, "orange"):
		c = "Orange"
	}
	return phonenumbers.GetRegionCodeForNumber(num), c, true
}
