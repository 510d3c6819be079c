package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Wait is --wait [DURATION]: when another process runs the batch, wait for
// it to finish, for at most DURATION or, without one, as long as it takes.
type Wait struct {
	On    bool
	Bound time.Duration // 0: no bound
}

// WaitForever is --wait without a bound.
const WaitForever = "forever"

func (w *Wait) String() string {
	switch {
	case !w.On:
		return ""
	case w.Bound == 0:
		return WaitForever
	}
	return w.Bound.String()
}

func (w *Wait) Set(s string) error {
	if s == WaitForever || s == "true" {
		w.On, w.Bound = true, 0
		return nil
	}
	if s == "false" {
		w.On, w.Bound = false, 0
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is not a duration: give one such as 30m or 2h, or none to wait as long as it takes", s)
	}
	w.On, w.Bound = true, d
	return nil
}

func (w *Wait) Type() string { return "duration" }

// RegisterWait adds --wait to a command that takes a batch's lock.
func RegisterWait(fs *pflag.FlagSet, w *Wait) {
	fs.Var(w, "wait", "when another process runs the batch, wait for it to finish (at most `DURATION`, e.g. 30m; without one, as long as it takes) instead of exiting 5")
	fs.Lookup("wait").NoOptDefVal = WaitForever
}

// JoinWaitBound lets --wait take its bound as the next argument (`--wait 30m`)
// as well as `--wait=30m`: a flag whose value is optional only takes it after
// "=", so a duration right after a bare --wait is joined to it.
func JoinWaitBound(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if a == "--wait" && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			if d, err := time.ParseDuration(args[i+1]); err == nil && d > 0 {
				out = append(out, a+"="+args[i+1])
				i++
				continue
			}
		}
		out = append(out, a)
	}
	return out
}
