// Package location reads a ledger's location, as --db and the config's
// ledger give it: a SQLite file or a PostgreSQL DSN. It holds no driver, so
// that what only names a ledger (the config, messages) does not link one.
package location

import (
	"net/url"
	"strings"
)

// IsPostgres reports whether a ledger location names a PostgreSQL server
// (postgres:// or postgresql://) rather than a SQLite file.
func IsPostgres(location string) bool {
	l := strings.ToLower(location)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// Redact is a ledger location fit to show: a PostgreSQL DSN without its
// password (in the URL or as a password= parameter); a file as it is.
func Redact(location string) string {
	if !IsPostgres(location) {
		return location
	}
	u, err := url.Parse(location)
	if err != nil {
		return "postgres://(a DSN that cannot be read)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	for k := range q {
		if strings.EqualFold(k, "password") {
			q.Set(k, "xxxxx")
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
