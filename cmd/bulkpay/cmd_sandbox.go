package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/providers/sandbox"
)

func newSandboxCmd(a *app) *cobra.Command {
	var addr, journal, faults, names, callbacks string
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
			if callbacks != "" {
				urls, err := sandbox.ParseCallbackURLs(callbacks)
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
			for k, v := range balances {
				if err := srv.SetBalance(k, v); err != nil {
					return fmt.Errorf("%w: --balance: %v", batch.ErrInvalid, err)
				}
			}
			if names != "" {
				n, err := srv.LoadNames(names)
				if err != nil {
					return fmt.Errorf("%w: --names: %v", batch.ErrInvalid, err)
				}
				fmt.Fprintf(a.stdout, "%d registered names from %s\n", n, names)
			}
			ln, err := sandbox.Listen(addr, allowRemote)
			var re *sandbox.RemoteError
			if errors.As(err, &re) {
				return fmt.Errorf("%w: %v", batch.ErrInvalid, err)
			}
			if err != nil {
				return err
			}
			if !sandbox.Loopback(ln.Addr()) {
				fmt.Fprintf(a.stderr, "WARNING: --allow-remote: the sandbox on %s can be reached from other machines, without any authentication: they can read every payout (names, phones, amounts) and set faults and tamper with records\n", ln.Addr())
			}
			fmt.Fprintf(a.stdout, "sandbox listening on http://%s (CamPay /campay/api, CinetPay /cinetpay/v1 (its 2026 API /cinetpay-api), My-CoolPay /mycoolpay/api, Camoo /camoo/v1/payment and SMS /camoo/v1/sms.json, MTN MoMo /momo; payouts at /_sandbox/payouts, SMS at /_sandbox/messages)\n", ln.Addr())
			return srv.Serve(cmd.Context(), ln)
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
	f.StringVar(&callbacks, "callback", "", "call back once payouts are final, e.g. mycoolpay=http://127.0.0.1:8080/callbacks/mycoolpay,campay=URL (CinetPay and Camoo payouts that name their own URL are called back there)")
	f.StringVar(&faults, "faults", "", "standing faults, e.g. 'campay.withdraw:hang-after@2%; *:error=503@5%; *:latency=10ms..80ms' (README: The sandbox)")
	f.StringToInt64Var(&balances, "balance", nil, "set a balance, e.g. campay/MTN=500000,cinetpay=100000 (accounts: campay/MTN, campay/Orange, cinetpay, mycoolpay, camoo, camoo/sms (the SMS credit), momo)")
	f.StringVar(&names, "names", "", "registered names MoMo tells behind numbers: a CSV `FILE` with phone and name columns (samples/momo-names-2026-11.csv)")
	f.BoolVar(&allowRemote, "allow-remote", false, "listen on an address other machines can reach (the sandbox has no authentication: they could read every payout and set faults)")
	f.BoolVar(&rejectDup, "campay-reject-duplicates", false, "CamPay rejects a repeated external_reference instead of returning the first result")
	f.BoolVar(&opts.CinetPay.NumericCodes, "cinetpay-numeric-codes", false, "CinetPay writes error codes as numbers (723) instead of strings (\"723\")")
	return cmd
}
