package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/providers/sandbox"
)

func newSandboxCmd(a *app) *cobra.Command {
	var addr, journal, faults string
	var opts sandbox.Options
	var rejectDup, allowRemote bool
	var balances map[string]int64
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Serve the provider simulators until stopped (CamPay below /campay/api/...)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.JournalPath = journal
			opts.CamPay.RejectDuplicates = rejectDup
			rules, err := sandbox.ParseRules(faults)
			if err != nil {
				return fmt.Errorf("%w: --faults: %v", batch.ErrInvalid, err)
			}
			opts.Rules = rules
			srv, err := sandbox.New(opts)
			if err != nil {
				return err
			}
			defer srv.Close()
			for k, v := range balances {
				if err := srv.SetBalance(k, v); err != nil {
					return fmt.Errorf("%w: --balance: %v", batch.ErrInvalid, err)
				}
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", addr, err)
			}
			if err := remoteListen(addr, ln.Addr(), allowRemote); err != nil {
				ln.Close()
				return fmt.Errorf("%w: %v", batch.ErrInvalid, err)
			}
			if !isLoopbackAddr(ln.Addr()) {
				fmt.Fprintf(a.stderr, "WARNING: --allow-remote: the sandbox on %s can be reached from other machines, without any authentication: they can read every payout (names, phones, amounts) and set faults and tamper with records\n", ln.Addr())
			}
			hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
			fmt.Fprintf(a.stdout, "sandbox listening on http://%s (CamPay /campay/api, CinetPay /cinetpay/v1, My-CoolPay /mycoolpay/api, Camoo /camoo/v1/payment; payouts at /_sandbox/payouts)\n", ln.Addr())
			errc := make(chan error, 1)
			go func() { errc <- hs.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-cmd.Context().Done():
			}
			srv.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := hs.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8089", "address to listen on")
	f.DurationVar(&opts.Latency, "latency", 0, "delay added to every answer, e.g. 50ms")
	f.DurationVar(&opts.SettleDelay, "settle-delay", 500*time.Millisecond, "how long a payout stays pending")
	f.Int64Var(&opts.Seed, "seed", 1, "seed for failures and references")
	f.IntVar(&opts.FailPercent, "fail-percent", 0, "share of payouts that end FAILED")
	f.StringSliceVar(&opts.FailPhones, "fail-phone", nil, "phone (E.164 digits) whose payouts end FAILED; repeatable")
	f.StringVar(&journal, "journal", "", "file that keeps accepted payouts across restarts")
	f.StringVar(&faults, "faults", "", "standing faults, e.g. 'campay.withdraw:hang-after@2%; *:error=503@5%; *:latency=10ms..80ms' (README: The sandbox)")
	f.StringToInt64Var(&balances, "balance", nil, "set a balance, e.g. campay/MTN=500000,cinetpay=100000 (accounts: campay/MTN, campay/Orange, cinetpay, mycoolpay, camoo)")
	f.BoolVar(&allowRemote, "allow-remote", false, "listen on an address other machines can reach (the sandbox has no authentication: they could read every payout and set faults)")
	f.BoolVar(&rejectDup, "campay-reject-duplicates", false, "CamPay rejects a repeated external_reference instead of returning the first result")
	f.BoolVar(&opts.CinetPay.NumericCodes, "cinetpay-numeric-codes", false, "CinetPay writes error codes as numbers (723) instead of strings (\"723\")")
	return cmd
}

// remoteListen refuses an address other machines can reach unless allowed:
// the sandbox serves every payout it took (/_sandbox/payouts) and lets anyone
// set faults and change records (/_sandbox/faults, /_sandbox/tamper).
func remoteListen(given string, addr net.Addr, allowed bool) error {
	if allowed || isLoopbackAddr(addr) {
		return nil
	}
	return fmt.Errorf("refusing to serve the sandbox on %s, which other machines can reach: it has no authentication, so anyone reaching it could read every payout (names, phones, amounts at /_sandbox/payouts), set faults (/_sandbox/faults) and tamper with records (/_sandbox/tamper). "+
		"Listen on this machine only (--addr 127.0.0.1:8089), or pass --allow-remote if other machines really must reach it", given)
}

// isLoopbackAddr reports whether a listener's address is this machine's only.
func isLoopbackAddr(addr net.Addr) bool {
	ta, ok := addr.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}
