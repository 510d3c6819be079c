package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/internal/door"
	"bulkpay/ledger"
	"bulkpay/providers"
	"bulkpay/webhooks"
)

// Site is how the command line serves bulkpay: where it listens, with what
// TLS, at which address people and providers reach it, paying where.
type Site struct {
	Addr              string
	CertFile, KeyFile string // TLS; "": plain HTTP
	BehindProxy       bool   // a TLS proxy is in front
	PublicURL         string // where people and providers reach it ("": the config's public_url)
	Config            config.Config
	Target            config.Target
	Log               *slog.Logger
}

// ListenAndServe listens on s.Addr (Listen: an address other machines can
// reach without TLS is refused, as batch.ErrInvalid), opens the ledger with
// open, says where it serves, and serves the web app over the ledger until
// ctx ends (Serve). The config's webhooks are delivered meanwhile.
func (s Site) ListenAndServe(ctx context.Context, open func(context.Context) (*ledger.Store, error), say func(format string, args ...any)) error {
	cfg := s.Config
	if s.PublicURL != "" {
		cfg.PublicURL = s.PublicURL // what providers are told to call back
	}
	publicURL := providers.Or(s.PublicURL, cfg.PublicURL)
	ln, err := Listen(s.Addr, s.CertFile != "", s.BehindProxy)
	if errors.Is(err, ErrPlainRemote) {
		return fmt.Errorf("%w: %v", batch.ErrInvalid, err)
	}
	if err != nil {
		return err
	}
	defer ln.Close()
	st, err := open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	scheme := "http"
	if s.CertFile != "" {
		scheme = "https"
	}
	target := s.Target
	// without a public URL, a sandbox calls back to this server itself
	target.CallbackURL = scheme + "://" + ln.Addr().String()
	if st.Shared() {
		target.Pacer = st // the providers' rates hold with the other workers of the ledger
	}
	var hooks *webhooks.Deliverer
	if len(cfg.Webhooks) > 0 { // the outbox is delivered while the server runs
		if hooks, err = door.Deliverer(cfg, st, os.Getenv, s.Log); err != nil {
			return err
		}
	}
	srv, err := New(Options{Store: st, Users: st, Config: cfg, Target: target, Webhooks: hooks,
		Policy: cfg.Policy().Or(DoorPolicy), Secure: s.CertFile != "" || s.BehindProxy || strings.HasPrefix(publicURL, "https:"),
		PublicURL: publicURL, BehindProxy: s.BehindProxy, Owner: door.ProcessOwner(time.Time{}),
		Log: s.Log})
	if err != nil {
		return err
	}
	where := "live providers"
	if srv.Sandbox() {
		where = "SANDBOX: no real money moves"
	}
	say("serving bulkpay on %s://%s (ledger %s; %s)", scheme, ln.Addr(), st.Path(), where)
	return srv.Serve(ctx, ln, s.CertFile, s.KeyFile)
}
