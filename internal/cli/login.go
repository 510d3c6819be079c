package cli

import (
	"os"
	"os/user"
)

// Login is the operating-system user running bulkpay: who plans, approves
// or decides when the command names nobody.
func Login() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if name := os.Getenv("USER"); name != "" {
		return name
	}
	return "unknown"
}
