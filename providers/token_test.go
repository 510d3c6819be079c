package providers

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestTokenLife(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		raw  string
		want time.Duration
	}{
		{`3600`, time.Hour},
		{`"86400"`, 24 * time.Hour},
		{``, time.Minute},
		{`"soon"`, time.Minute},
		{`0`, time.Minute},
		{`-5`, time.Minute},
	} {
		assert.Equal(t, tt.want, TokenLife(json.RawMessage(tt.raw), time.Minute), tt.raw)
	}
}
