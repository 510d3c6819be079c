package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/door"
	"bulkpay/providers"
	"bulkpay/server"
	"bulkpay/webhooks"
)

func newServeCmd(a *app) *cobra.Command {
	var addr, sandboxURL, publicURL, cert, key string
	var behindProxy bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web app over the ledger: plan, approve, pay and watch batches in a browser",
		Long:  long("serve"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (cert == "") != (key == "") {
				return cli.Usagef("--tls-cert and --tls-key go together")
			}
			if publicURL != "" {
				if u, err := url.Parse(publicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
					return cli.Usagef("--public-url must be an http(s) URL, e.g. https://pay.example.org")
				}
				a.cfg.PublicURL = publicURL // what providers are told to call back
			}
			publicURL = providers.Or(publicURL, a.cfg.PublicURL)
			ln, err := server.Listen(addr, cert != "", behindProxy)
			if errors.Is(err, server.ErrPlainRemote) {
				return fmt.Errorf("%w: %v", batch.ErrInvalid, err)
			}
			if err != nil {
				return err
			}
			defer ln.Close()
			st, err := a.openLedger(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			scheme := "http"
			if cert != "" {
				scheme = "https"
			}
			target := a.target(sandboxURL)
			// without a public URL, a sandbox calls back to this server itself
			target.CallbackURL = scheme + "://" + ln.Addr().String()
			if st.Shared() {
				target.Pacer = st // the providers' rates hold with the other workers of the ledger
			}
			var hooks *webhooks.Deliverer
			if len(a.cfg.Webhooks) > 0 { // the outbox is delivered while the server runs
				if hooks, err = door.Deliverer(a.cfg, st, os.Getenv, a.log); err != nil {
					return err
				}
			}
			srv, err := server.New(server.Options{Store: st, Users: st, Config: a.cfg, Target: target, Webhooks: hooks,
				Policy: a.cfg.Policy().Or(server.DoorPolicy), Secure: cert != "" || behindProxy || strings.HasPrefix(publicURL, "https:"),
				PublicURL: publicURL, BehindProxy: behindProxy, Owner: door.ProcessOwner(time.Time{}),
				Log: a.log})
			if err != nil {
				return err
			}
			where := "live providers"
			if srv.Sandbox() {
				where = "SANDBOX: no real money moves"
			}
			a.say("serving bulkpay on %s://%s (ledger %s; %s)", scheme, ln.Addr(), st.Path(), where)
			return srv.Serve(cmd.Context(), ln, cert, key)
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.StringVar(&sandboxURL, "sandbox", "", "pay through the sandbox at this `URL` (a running bulkpay sandbox)")
	f.StringVar(&publicURL, "public-url", "", "the `URL` people reach the server at (https: cookies are sent over TLS only)")
	f.StringVar(&cert, "tls-cert", "", "TLS certificate `FILE` (PEM)")
	f.StringVar(&key, "tls-key", "", "TLS private key `FILE` (PEM)")
	f.BoolVar(&behindProxy, "behind-proxy", false, "a TLS proxy is in front: listen on any address, take the client's address from X-Forwarded-For, send cookies over TLS only")
	return cmd
}
