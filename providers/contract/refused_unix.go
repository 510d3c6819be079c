//go:build unix

package contract

import (
	"fmt"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// RefusedURL returns http://127.0.0.1:PORT where every connection is refused
// until the test ends: the port is bound, so no server of a test running
// alongside can take it (as it could the port of a closed server), but
// nothing listens on it.
func RefusedURL(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	require.NoError(t, err)
	t.Cleanup(func() { syscall.Close(fd) })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	return fmt.Sprintf("http://127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
}
