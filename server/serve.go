package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"bulkpay/batch"
)

// DoorPolicy is the approval rule of every batch planned through the web
// app: an approver who did not plan it approves its exact plan before it is
// paid. The config's rules are added to it, never relaxed by it.
var DoorPolicy = batch.Policy{RequireApproval: true, FourEyes: true}

// ErrPlainRemote: an address other machines can reach, without TLS.
var ErrPlainRemote = errors.New("refusing to serve without TLS on an address other machines can reach")

// Listen listens on addr. An address other machines can reach is refused
// without TLS unless behindProxy says a TLS proxy is in front: passwords and
// session cookies would cross the network in clear.
func Listen(addr string, withTLS, behindProxy bool) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	if ta, ok := ln.Addr().(*net.TCPAddr); !withTLS && !behindProxy && !(ok && ta.IP.IsLoopback()) {
		ln.Close()
		return nil, fmt.Errorf("%w (%s): give --tls-cert and --tls-key, or --behind-proxy when a TLS proxy is in front, or listen on 127.0.0.1", ErrPlainRemote, addr)
	}
	return ln, nil
}

// ShutdownGrace is how long a stopping server waits for requests in flight.
const ShutdownGrace = 30 * time.Second

// Serve serves s on ln (over TLS with certFile and keyFile when given) until
// ctx ends, then stops: runs in the background are cancelled (each leaves its
// batch consistent in the ledger, to be resumed), progress streams end, and
// requests in flight finish, for at most ShutdownGrace.
func (s *Server) Serve(ctx context.Context, ln net.Listener, certFile, keyFile string) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		MaxHeaderBytes: 64 << 10, ErrorLog: slog.NewLogLogger(s.opt.Log.Handler(), slog.LevelWarn),
		TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			errc <- hs.ServeTLS(ln, certFile, keyFile)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	s.cancel()
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	if serr := hs.Shutdown(sctx); serr != nil {
		_ = hs.Close() // past the grace: the requests still in flight are cut, their contexts cancelled
		if err == nil {
			err = fmt.Errorf("stop serving: %w", serr)
		}
	}
	s.Close()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
