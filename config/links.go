package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"bulkpay/batch"
)

// Span is a duration written as people write them in the config: 7d, 36h,
// 90m (days allowed, unlike Go's durations).
type Span time.Duration

// maxSpanDays bounds a span in days (ten years), far from overflowing.
const maxSpanDays = 3650

// ParseSpan reads a Span: a whole number of days (7d) or a Go duration (36h).
func ParseSpan(s string) (Span, error) {
	s = strings.TrimSpace(s)
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > maxSpanDays {
			return 0, fmt.Errorf("%q is not a number of days like 7d (at most %dd)", s, maxSpanDays)
		}
		return Span(time.Duration(n) * 24 * time.Hour), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration like 7d or 36h", s)
	}
	return Span(d), nil
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *Span) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseSpan(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*s = v
	return nil
}

// Links is what the config says of pay by link.
type Links struct {
	Expiry      time.Duration
	Reminders   []time.Duration
	OtherNumber bool
	Org         string
	Language    string
}

// Links is the link settings in force: expiry 7 days unless set, reminders
// as listed, language en unless fr.
func (c Config) Links() Links {
	l := Links{Expiry: time.Duration(c.LinkExpiry), OtherNumber: c.LinkOtherNumber, Org: c.Organisation, Language: c.Language}
	if l.Expiry == 0 {
		l.Expiry = batch.DefaultLinkExpiry
	}
	for _, r := range c.LinkReminders {
		l.Reminders = append(l.Reminders, time.Duration(r))
	}
	if l.Org == "" {
		l.Org = "bulkpay"
	}
	if l.Language != "fr" {
		l.Language = "en"
	}
	return l
}

func (c Config) checkLinks() error {
	if c.Language != "" && c.Language != "fr" && c.Language != "en" {
		return fmt.Errorf("language %q: write fr or en", c.Language)
	}
	exp := time.Duration(c.LinkExpiry)
	if exp == 0 {
		exp = batch.DefaultLinkExpiry
	}
	for _, r := range c.LinkReminders {
		if time.Duration(r) <= 0 || time.Duration(r) >= exp {
			return fmt.Errorf("link_reminders: %s is not between 0 and the link expiry (%s)", time.Duration(r), exp)
		}
	}
	return nil
}
