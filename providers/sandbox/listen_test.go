package sandbox

import (
	"fmt"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSandboxRefusesAnAddressOtherMachinesReach(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ip      string
		allowed bool
		refused bool
	}{
		{"127.0.0.1", false, false},
		{"::1", false, false},
		{"0.0.0.0", false, true},
		{"::", false, true},
		{"192.168.1.20", false, true},
		{"0.0.0.0", true, false},
	} {
		t.Run(fmt.Sprintf("%s allowed=%v", tc.ip, tc.allowed), func(t *testing.T) {
			t.Parallel()
			err := remoteListen("addr", &net.TCPAddr{IP: net.ParseIP(tc.ip), Port: 8089}, tc.allowed)
			if !tc.refused {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, "pass --allow-remote")
			var re *RemoteError
			assert.ErrorAs(t, err, &re)
		})
	}
}
