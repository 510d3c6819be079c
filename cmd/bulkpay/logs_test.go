package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// setUp runs the root command's setup with args, as a command would, and
// returns the app with what it wrote to stderr.
func setUp(t *testing.T, args ...string) (*app, *bytes.Buffer) {
	t.Helper()
	var errb bytes.Buffer
	a := &app{stdout: io.Discard, stderr: &errb}
	root := newRoot(a)
	root.SetArgs(append([]string{"list", "--db", filepath.Join(t.TempDir(), "l.db")}, args...))
	require.NoError(t, root.ExecuteContext(context.Background()))
	return a, &errb
}

func TestQuietLeavesOnlyErrorsInTheLogs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args       []string
		warn, info bool
	}{
		{nil, true, false},
		{[]string{"--quiet"}, false, false},
		{[]string{"-q", "--log-format", "json"}, false, false},
		{[]string{"-q", "--log-level", "warn"}, true, false}, // asked for explicitly
		{[]string{"--log-level", "info"}, true, true},
	}
	for _, tc := range cases {
		// a name of its own: t.Run("") would name the ledger's folder "#00...",
		// and the ledger's file: URI ends its path at '#'
		t.Run("flags "+strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			a, errb := setUp(t, tc.args...)
			a.log.Info("an item moved")
			a.log.Warn("status check failed")
			a.log.Error("the ledger could not record a step")
			assert.Equal(t, tc.warn, strings.Contains(errb.String(), "status check failed"), errb.String())
			assert.Equal(t, tc.info, strings.Contains(errb.String(), "an item moved"), errb.String())
			assert.Contains(t, errb.String(), "the ledger could not record a step", "errors are always shown")
		})
	}
}
