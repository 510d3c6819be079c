package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// loginGood says whether a simulator takes the credentials user and pass:
// any that are both set, or only want's when the options configure them.
func loginGood(user, pass, wantUser, wantPass string) bool {
	if wantUser != "" || wantPass != "" {
		return user == wantUser && pass == wantPass
	}
	return user != "" && pass != ""
}

// issueToken gives out a random token of n bytes for provider and records in
// tokens when it expires: after ttl, or as a token-ttl fault says.
func (s *Server) issueToken(tokens map[string]time.Time, provider string, n int, ttl time.Duration) string {
	b := make([]byte, n)
	rand.Read(b)
	tok := hex.EncodeToString(b)
	s.mu.Lock()
	tokens[tok] = s.opts.Now().Add(s.duration(provider, "token-ttl", ttl))
	s.mu.Unlock()
	return tok
}
