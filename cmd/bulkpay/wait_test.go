package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJoinWaitBound(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want []string
	}{
		{[]string{"run", "s.xlsx", "--wait", "30m"}, []string{"run", "s.xlsx", "--wait=30m"}},
		{[]string{"run", "--wait", "1h30m", "s.xlsx"}, []string{"run", "--wait=1h30m", "s.xlsx"}},
		{[]string{"run", "s.xlsx", "--wait"}, []string{"run", "s.xlsx", "--wait"}},
		{[]string{"run", "--wait", "s.xlsx"}, []string{"run", "--wait", "s.xlsx"}},
		{[]string{"run", "--wait", "--quiet", "s.xlsx"}, []string{"run", "--wait", "--quiet", "s.xlsx"}},
		{[]string{"resume", "--wait=5m", "b"}, []string{"resume", "--wait=5m", "b"}},
		{[]string{"resume", "--wait", "0s", "b"}, []string{"resume", "--wait", "0s", "b"}},
		{[]string{"run", "--", "--wait", "30m"}, []string{"run", "--", "--wait", "30m"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, joinWaitBound(tt.in), "%v", tt.in)
	}
}

func TestWaitFlag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		set   string
		on    bool
		bound time.Duration
		bad   bool
	}{
		{set: waitForever, on: true},
		{set: "30m", on: true, bound: 30 * time.Minute},
		{set: "false"},
		{set: "soon", bad: true},
		{set: "-5m", bad: true},
		{set: "0s", bad: true},
	}
	for _, tt := range tests {
		var w waitFlag
		err := w.Set(tt.set)
		if tt.bad {
			require.Error(t, err, tt.set)
			assert.Contains(t, err.Error(), "30m", "says what a bound looks like")
			continue
		}
		require.NoError(t, err, tt.set)
		assert.Equal(t, tt.on, w.on, tt.set)
		assert.Equal(t, tt.bound, w.bound, tt.set)
	}
}
