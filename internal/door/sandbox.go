package door

import (
	"context"
	"errors"
	"fmt"
	"net"

	"bulkpay/batch"
	"bulkpay/providers/sandbox"
)

// Sandbox is the provider simulators a door serves, as people asked them:
// what is written as text is read here, a mistake in it as batch.ErrInvalid.
type Sandbox struct {
	Options   sandbox.Options
	Faults    string           // standing faults (sandbox.ParseRules)
	Callbacks string           // where to call back, by provider (sandbox.ParseCallbackURLs)
	Balances  map[string]int64 // by account
	Names     string           // a CSV file of the registered names behind numbers
	Addr      string
	// AllowRemote: listen on an address other machines can reach.
	AllowRemote bool
}

// Serve serves the simulators until ctx ends. loaded hears how many
// registered names were read, listening where it listens.
func (s Sandbox) Serve(ctx context.Context, loaded func(n int), listening func(addr net.Addr)) error {
	opts := s.Options
	rules, err := sandbox.ParseRules(s.Faults)
	if err != nil {
		return fmt.Errorf("%w: --faults: %v", batch.ErrInvalid, err)
	}
	opts.Rules = rules
	if s.Callbacks != "" {
		urls, err := sandbox.ParseCallbackURLs(s.Callbacks)
		if err != nil {
			return fmt.Errorf("%w: --callback: %v", batch.ErrInvalid, err)
		}
		opts.Callbacks = sandbox.CallbackOptions{Enabled: true, URLs: urls}
	}
	srv, err := sandbox.New(opts)
	if err != nil {
		return err
	}
	defer srv.Close()
	for k, v := range s.Balances {
		if err := srv.SetBalance(k, v); err != nil {
			return fmt.Errorf("%w: --balance: %v", batch.ErrInvalid, err)
		}
	}
	if s.Names != "" {
		n, err := srv.LoadNames(s.Names)
		if err != nil {
			return fmt.Errorf("%w: --names: %v", batch.ErrInvalid, err)
		}
		loaded(n)
	}
	ln, err := sandbox.Listen(s.Addr, s.AllowRemote)
	var re *sandbox.RemoteError
	if errors.As(err, &re) {
		return fmt.Errorf("%w: %v", batch.ErrInvalid, err)
	}
	if err != nil {
		return err
	}
	listening(ln.Addr())
	return srv.Serve(ctx, ln)
}
