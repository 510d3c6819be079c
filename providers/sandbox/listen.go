package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// RemoteError refuses to serve the sandbox where other machines can reach it.
type RemoteError struct{ Addr string }

func (e *RemoteError) Error() string {
	return fmt.Sprintf("refusing to serve the sandbox on %s, which other machines can reach: it has no authentication, so anyone reaching it could read every payout (names, phones, amounts at /_sandbox/payouts) and every SMS (claim codes at /_sandbox/messages), set faults (/_sandbox/faults) and tamper with records (/_sandbox/tamper). "+
		"Listen on this machine only (--addr 127.0.0.1:8089), or pass --allow-remote if other machines really must reach it", e.Addr)
}

// Listen listens on addr for the sandbox. An address other machines can reach
// is refused with a *RemoteError unless allowRemote: the sandbox serves every
// payout it took and lets anyone set faults and change records.
func Listen(addr string, allowRemote bool) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	if err := remoteListen(addr, ln.Addr(), allowRemote); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// remoteListen refuses an address other machines can reach unless allowed.
func remoteListen(given string, addr net.Addr, allowed bool) error {
	if allowed || Loopback(addr) {
		return nil
	}
	return &RemoteError{Addr: given}
}

// Loopback reports whether a listener's address is this machine's only.
func Loopback(addr net.Addr) bool {
	ta, ok := addr.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

// Serve serves s on ln until ctx ends, then closes s and lets the requests in
// flight finish (for at most 5 seconds). Payouts settle and callbacks go out
// when due by the clock, whether or not a request comes (see Pump).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	go s.Pump(ctx)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
