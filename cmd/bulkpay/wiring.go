package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"bulkpay/batch"
	"bulkpay/providers/campay"
	"bulkpay/providers/sandbox"
)

// payees is the set of providers a command pays through, and how they were made.
type payees struct {
	lanes   map[string]batch.Lane
	sandbox bool   // no real money moves
	where   string // for people: which sandbox, or "live"
	close   func()
}

// connect builds the provider lanes: the sandbox at sandboxURL, the config's
// real providers, or (with neither) a sandbox started in this process whose
// memory is kept beside the ledger so reruns see what earlier runs paid.
func (a *app) connect(ctx context.Context, sandboxURL string) (*payees, error) {
	switch {
	case sandboxURL != "":
		return a.sandboxLanes(sandboxURL, "sandbox at "+sandboxURL, func() {})
	case len(a.cfg.Providers) > 0:
		return a.liveLanes()
	default:
		srv, err := sandbox.New(sandbox.Options{JournalPath: a.dbPath() + ".sandbox.jsonl", SettleDelay: time.Second})
		if err != nil {
			return nil, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			srv.Close()
			return nil, fmt.Errorf("start built-in sandbox: %w", err)
		}
		hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(ln)
		url := "http://" + ln.Addr().String()
		return a.sandboxLanes(url, "built-in sandbox on "+ln.Addr().String(), func() {
			srv.Close()
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			hs.Shutdown(sctx)
		})
	}
}

func (a *app) sandboxLanes(url, where string, closeFn func()) (*payees, error) {
	p := &payees{lanes: map[string]batch.Lane{}, sandbox: true, where: where, close: closeFn}
	for _, name := range knownProviders {
		pc := a.cfg.Providers[name]
		if pc.Rate == 0 {
			pc.Rate = 50
		}
		if pc.Concurrency == 0 {
			pc.Concurrency = 8
		}
		pc = defaultPace(pc)
		hc := &http.Client{Timeout: pc.Timeout}
		var prov batch.Provider
		switch name {
		case campay.Name:
			prov = campay.New(campay.WithBaseURL(url+"/campay/api"), campay.WithHTTPClient(hc), campay.WithCredentials("sandbox", "sandbox"))
		}
		p.lanes[name] = batch.Lane{Provider: prov, Rate: pc.Rate, Burst: pc.Burst, Concurrency: pc.Concurrency}
	}
	return p, nil
}

func (a *app) liveLanes() (*payees, error) {
	p := &payees{lanes: map[string]batch.Lane{}, where: "live", close: func() {}}
	for name, pc := range a.cfg.Providers {
		pc = defaultPace(pc)
		hc := &http.Client{Timeout: pc.Timeout}
		var prov batch.Provider
		switch name {
		case campay.Name:
			opts := []campay.Option{campay.WithHTTPClient(hc)}
			if pc.BaseURL != "" {
				opts = append(opts, campay.WithBaseURL(pc.BaseURL))
			}
			if tok := secret(pc.TokenEnv, "CAMPAY_TOKEN"); tok != "" {
				opts = append(opts, campay.WithPermanentToken(tok))
			} else {
				user, pass := secret(pc.UsernameEnv, "CAMPAY_USERNAME"), secret(pc.PasswordEnv, "CAMPAY_PASSWORD")
				if user == "" || pass == "" {
					return nil, errors.New("campay: no credentials: set CAMPAY_USERNAME and CAMPAY_PASSWORD (or CAMPAY_TOKEN), or the variables named by username_env/password_env/token_env in the config")
				}
				opts = append(opts, campay.WithCredentials(user, pass))
			}
			prov = campay.New(opts...)
		}
		p.lanes[name] = batch.Lane{Provider: prov, Rate: pc.Rate, Burst: pc.Burst, Concurrency: pc.Concurrency}
	}
	return p, nil
}

// secret reads a secret from the environment variable the config names, or the default one.
func secret(envName, def string) string {
	if envName == "" {
		envName = def
	}
	return os.Getenv(envName)
}

// configuredProviders lists the providers a sheet may be routed to in this mode,
// without connecting to anything.
func (a *app) configuredProviders(sandboxURL string) []string {
	if sandboxURL != "" || len(a.cfg.Providers) == 0 {
		return knownProviders
	}
	return a.cfg.providerNames()
}
