package providers

import "strings"

// SplitName splits a registered name written "Given Names FAMILY NAME", as
// MoMo writes them, into given and family names: the family name is the
// words in capitals at the end, or else the last word.
func SplitName(name string) (given, family string) {
	words := strings.Fields(name)
	i := len(words)
	for i > 0 && words[i-1] == strings.ToUpper(words[i-1]) && strings.ToLower(words[i-1]) != words[i-1] {
		i--
	}
	if i == len(words) || i == 0 {
		i = max(len(words)-1, 0)
	}
	return strings.Join(words[:i], " "), strings.Join(words[i:], " ")
}
