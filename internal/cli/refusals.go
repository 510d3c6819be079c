package cli

import (
	"errors"
	"fmt"

	"bulkpay/internal/door"
)

// errNoMessenger: links cannot be sent without an SMS provider.
var errNoMessenger = errors.New("no SMS provider is configured to send links: add the config's sms section (and email for e-mails), or pass --sandbox URL")

// LinksRefusal is a refusal of door.Links as the command line says it,
// with what to configure or pass; another error is given as it is.
func LinksRefusal(err error) error {
	switch {
	case errors.Is(err, door.ErrNoMessenger):
		return fmt.Errorf("%w: nothing was sent", errNoMessenger)
	case errors.Is(err, door.ErrNoPublicURL):
		return Usagef("--send needs the address bulkpay serve is reached at, for the claim links: set public_url in the config or pass --public-url https://pay.example.org")
	}
	return err
}
