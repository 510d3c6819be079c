package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Role is what a user may do.
type Role string

// The roles: an initiator uploads, plans, starts and retries; an approver
// approves or rejects plans and resolves items in review; an auditor reads
// everything and downloads reports; an admin manages users and settings.
const (
	Initiator Role = "initiator"
	Approver  Role = "approver"
	Auditor   Role = "auditor"
	Admin     Role = "admin"
)

// Roles lists every role.
var Roles = []Role{Initiator, Approver, Auditor, Admin}

// ParseRole reads a role's name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == strings.ToLower(strings.TrimSpace(s)) {
			return r, nil
		}
	}
	return "", fmt.Errorf("%w: role %q: one of initiator, approver, auditor, admin", ErrInvalid, s)
}

// What callers branch on.
var (
	ErrNotFound = errors.New("no such user")
	ErrExists   = errors.New("a user with that name exists")
	ErrInvalid  = errors.New("invalid")
)

// User is a person (or a machine, through its API keys) acting in bulkpay.
type User struct {
	ID           int64
	Name         string
	Role         Role
	PasswordHash string // argon2id, PHC string; never shown
	Disabled     bool
	Created      time.Time
}

// Session is a signed-in browser: the hash of its cookie's token, the secret
// its forms carry against cross-site requests, and when it ends.
type Session struct {
	TokenHash string
	UserID    int64
	CSRF      string
	Created   time.Time
	Expires   time.Time
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// CheckName refuses a user name that is not 1 to 64 lower-case letters,
// digits, dots, dashes or underscores: a name is what four-eyes compares, so
// "Awa" and "awa " cannot be two people.
func CheckName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("%w: user name %q: use 1 to 64 lower-case letters, digits, '.', '-' or '_'", ErrInvalid, name)
	}
	return nil
}

// CheckUser checks a new user's name (CheckName) and reads its role.
func CheckUser(name, role string) (Role, error) {
	r, err := ParseRole(role)
	if err != nil {
		return "", err
	}
	return r, CheckName(name)
}

// Password length bounds, in bytes.
const (
	MinPassword = 10
	MaxPassword = 1024
)

// CheckPassword refuses a password too short or too long to hash.
func CheckPassword(pw string) error {
	switch {
	case len(pw) < MinPassword:
		return fmt.Errorf("%w: a password has at least %d characters", ErrInvalid, MinPassword)
	case len(pw) > MaxPassword:
		return fmt.Errorf("%w: a password has at most %d bytes", ErrInvalid, MaxPassword)
	}
	return nil
}

// Argon2id is what hashing a password with argon2id costs: its memory in
// KiB and its passes (one lane, a 32-byte key). The cost is stored in each
// hash, so it can be raised without invalidating existing hashes.
type Argon2id struct {
	Memory, Time uint32
}

// Standard is the cost every password is hashed at: RFC 9106's second
// recommended option scaled to OWASP's minimum (19 MiB, 2 passes).
var Standard = Argon2id{Memory: 19 * 1024, Time: 2}

const (
	argonThreads = 1
	argonKeyLen  = 32
)

var b64 = base64.RawStdEncoding

// HashPassword hashes pw at the Standard cost.
func HashPassword(pw string) (string, error) { return Standard.Hash(pw) }

// VerifyPassword checks pw against encoded at the Standard cost.
func VerifyPassword(encoded, pw string) bool { return Standard.Verify(encoded, pw) }

// Hash hashes pw with argon2id at cost a and a random salt, as a PHC string:
// $argon2id$v=19$m=19456,t=2,p=1$salt$hash.
func (a Argon2id) Hash(pw string) (string, error) {
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return a.encode(salt, argon2.IDKey([]byte(pw), salt, a.Time, a.Memory, argonThreads, argonKeyLen)), nil
}

// encode writes a hash at cost a as a PHC string.
func (a Argon2id) encode(salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, a.Memory, a.Time, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify says whether pw matches encoded (a Hash result, at whatever cost it
// names), comparing in constant time. An empty encoded (an unknown user)
// spends the time of one hash at cost a, as a wrong password does, and
// answers false: it is checked against a key of zeros, which no password
// gives in practice.
func (a Argon2id) Verify(encoded, pw string) bool {
	if encoded == "" {
		verify(a.encode(make([]byte, 16), make([]byte, argonKeyLen)), pw)
		return false
	}
	return verify(encoded, pw)
}

func verify(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || len(pw) > MaxPassword {
		return false
	}
	var version int
	var mem, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil || t == 0 || p == 0 {
		return false
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, mem, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NewToken makes a random secret of 32 bytes, written with prefix (which says
// what it is, e.g. "bpk_" for an API key), and the hash under which it is
// stored: only its holder ever sees the secret.
func NewToken(prefix string) (plain, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	plain = prefix + base64.RawURLEncoding.EncodeToString(b)
	return plain, TokenHash(plain), nil
}

// TokenHash is the stored form of a token: its SHA-256, hex. A token is 256
// random bits, so a fast hash is enough; lookups by hash compare no secret.
func TokenHash(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// Equal compares two secrets in constant time.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// Replay is the answer a user's API write with an Idempotency-Key got, kept
// to be sent again to the same user's same request with that key.
type Replay struct {
	RequestHash string // over the request's method, path and content
	Status      int    // 0 while the first request is still being answered
	ContentType string
	Body        []byte
}

// ErrKeyInUse: the user's key is held by a request still being answered.
var ErrKeyInUse = errors.New("a request with this Idempotency-Key is still being answered")
