package main

import (
	"net/url"

	"github.com/spf13/cobra"

	"bulkpay/internal/cli"
	"bulkpay/server"
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
			}
			return server.Site{Addr: addr, CertFile: cert, KeyFile: key, BehindProxy: behindProxy, PublicURL: publicURL,
				Config: a.cfg, Target: a.target(sandboxURL), Log: a.log}.ListenAndServe(cmd.Context(), a.openLedger, a.say)
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
