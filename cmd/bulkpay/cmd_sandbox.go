package main

import (
	"net"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/internal/door"
	"bulkpay/internal/render"
	"bulkpay/providers/sandbox"
)

func newSandboxCmd(a *app) *cobra.Command {
	var sb door.Sandbox
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Serve the provider simulators until stopped (CamPay below /campay/api/...)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return sb.Serve(cmd.Context(), func(n int) { render.SandboxNames(a.stdout, n, sb.Names) },
				func(addr net.Addr) { render.SandboxListening(a.stdout, a.stderr, addr, !sandbox.Loopback(addr)) })
		},
	}
	f := cmd.Flags()
	f.StringVar(&sb.Addr, "addr", "127.0.0.1:8089", "address to listen on")
	f.DurationVar(&sb.Options.Latency, "latency", 0, "delay added to every answer, e.g. 50ms")
	f.DurationVar(&sb.Options.SettleDelay, "settle-delay", 500*time.Millisecond, "how long a payout stays pending")
	f.Int64Var(&sb.Options.Seed, "seed", 1, "seed for failures and references")
	f.IntVar(&sb.Options.FailPercent, "fail-percent", 0, "share of payouts that end FAILED")
	f.StringSliceVar(&sb.Options.FailPhones, "fail-phone", nil, "phone (E.164 digits) whose payouts end FAILED; repeatable")
	f.StringVar(&sb.Options.JournalPath, "journal", "", "file that keeps accepted payouts across restarts")
	f.StringVar(&sb.Callbacks, "callback", "", "call back once payouts are final, e.g. mycoolpay=http://127.0.0.1:8080/callbacks/mycoolpay,campay=URL (CinetPay and Camoo payouts that name their own URL are called back there)")
	f.StringVar(&sb.Faults, "faults", "", "standing faults, e.g. 'campay.withdraw:hang-after@2%; *:error=503@5%; *:latency=10ms..80ms' (README: The sandbox)")
	f.StringToInt64Var(&sb.Balances, "balance", nil, "set a balance, e.g. campay/MTN=500000,cinetpay=100000 (accounts: campay/MTN, campay/Orange, cinetpay, mycoolpay, camoo, camoo/sms (the SMS credit), momo)")
	f.StringVar(&sb.Names, "names", "", "registered names MoMo tells behind numbers: a CSV `FILE` with phone and name columns (samples/momo-names-2026-11.csv)")
	f.BoolVar(&sb.AllowRemote, "allow-remote", false, "listen on an address other machines can reach (the sandbox has no authentication: they could read every payout and set faults)")
	f.BoolVar(&sb.Options.CamPay.RejectDuplicates, "campay-reject-duplicates", false, "CamPay rejects a repeated external_reference instead of returning the first result")
	f.BoolVar(&sb.Options.CinetPay.NumericCodes, "cinetpay-numeric-codes", false, "CinetPay writes error codes as numbers (723) instead of strings (\"723\")")
	return cmd
}
