package providers

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// TokenLife is how long a token lives by its answer's expires_in, given in
// seconds as a number or a string; fallback when it is missing, unreadable
// or not positive (the provider's 401 then asks for a new token anyway).
func TokenLife(expiresIn json.RawMessage, fallback time.Duration) time.Duration {
	secs, err := strconv.ParseInt(strings.Trim(string(expiresIn), `" `), 10, 64)
	if err != nil || secs <= 0 {
		return fallback
	}
	return time.Duration(secs) * time.Second
}
