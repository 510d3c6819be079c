package cinetpay2

import (
	"encoding/base32"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/uuid"
)

// CinetPay's merchant_transaction_id is at most 30 letters, digits and
// hyphens: a UUID (36 characters) does not fit. bulkpay sends its item's
// UUID as "BP" followed by the 16 bytes in base32 without padding (26
// characters, 28 in all), and reads it back from any answer or webhook, so
// that nothing but the reference itself is needed to tie a transfer to its
// item.

const refPrefix = "BP"

var refEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// merchantIDShape is what CinetPay accepts as merchant_transaction_id.
var merchantIDShape = regexp.MustCompile(`^[A-Za-z0-9-]{1,30}$`)

// EncodeReference is the merchant_transaction_id of our reference: a UUID
// in 28 characters, or a reference that fits already as it is.
func EncodeReference(ref string) (string, error) {
	if u, err := uuid.Parse(ref); err == nil && len(ref) == 36 {
		return refPrefix + refEncoding.EncodeToString(u[:]), nil
	}
	if merchantIDShape.MatchString(ref) && !strings.HasPrefix(strings.ToUpper(ref), refPrefix) {
		return ref, nil
	}
	return "", fmt.Errorf("reference %q does not fit CinetPay's merchant_transaction_id (at most 30 letters, digits and hyphens)", ref)
}

// DecodeReference is our reference from a merchant_transaction_id that
// EncodeReference made (upper or lower case); any other id is returned as it
// is.
func DecodeReference(id string) string {
	id = strings.TrimSpace(id)
	if len(id) != len(refPrefix)+26 || !strings.EqualFold(id[:len(refPrefix)], refPrefix) {
		return id
	}
	b, err := refEncoding.DecodeString(strings.ToUpper(id[len(refPrefix):]))
	if err != nil || len(b) != 16 {
		return id
	}
	u, _ := uuid.FromBytes(b)
	return u.String()
}
