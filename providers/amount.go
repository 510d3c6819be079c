package providers

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// WholeAmount is an integer amount that a provider may write as a JSON number (5),
// a string ("5") or a string with zero decimals ("5.00"). It never goes through a
// float: a fractional part other than zeros is an error.
type WholeAmount int64

// UnmarshalJSON accepts 5, "5", 5.00 and "5.00".
func (a *WholeAmount) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		*a = 0
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		s = strings.TrimSpace(str)
	}
	n, err := ParseWhole(s)
	if err != nil {
		return err
	}
	*a = WholeAmount(n)
	return nil
}

// ParseWhole parses a decimal string that must denote a whole number: "150",
// "-3", "5.00". Exponents and fractions other than zeros are refused.
func ParseWhole(s string) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if hasFrac {
		if strings.Trim(frac, "0") != "" {
			return 0, fmt.Errorf("amount %q is not a whole number", s)
		}
	}
	n, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q is not a whole number", s)
	}
	return n, nil
}
