package reports

// Neutralize makes a cell safe to open in a spreadsheet: text beginning with
// = + - @ tab or carriage return is prefixed with ' so it is never a formula.
func Neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
