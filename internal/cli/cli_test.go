package cli_test

import (
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/internal/cli"
)

func TestSuggestFlag(t *testing.T) {
	t.Parallel()
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	for _, n := range []string{"sandbox", "json", "allow-partial", "allow-repeat", "reference", "region"} {
		fs.Bool(n, false, "")
	}
	for name, want := range map[string]string{
		"sandbx": "sandbox", "sanbox": "sandbox", "jsno": "json", "allow": "allow-partial or --allow-repeat",
		"allow-parital": "allow-partial", "ref": "reference", "zzzzzzz": "", "reigon": "region",
	} {
		assert.Equal(t, want, cli.SuggestFlag(fs, name), name)
	}
}

func TestFileErrorsAreSaidOnceWithWhatToDo(t *testing.T) {
	t.Parallel()
	missing := &fs.PathError{Op: "open", Path: "/data/f.xlsx", Err: syscall.ENOENT}
	cases := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("open f.xlsx: %w", missing), "open f.xlsx: no such file or directory: check the file's name and folder"},
		{fmt.Errorf("open ledger /data/l.db: %w", &fs.PathError{Op: "open", Path: "/data/l.db", Err: syscall.EACCES}),
			"open ledger /data/l.db: permission denied: this user may not open it; check the file's and the folder's permissions"},
		{fmt.Errorf("read config: %w", missing), "read config: open /data/f.xlsx: no such file or directory: check the file's name and folder"},
		{&fs.PathError{Op: "read", Path: "d.xlsx", Err: syscall.EISDIR}, "read d.xlsx: is a directory: that is a folder; give the file inside it"},
	}
	for _, tc := range cases {
		got := cli.ExplainFile(tc.err)
		assert.Equal(t, tc.want, strings.SplitN(got.Error(), " (relative", 2)[0])
		assert.ErrorIs(t, got, tc.err, "the cause is kept for the exit code")
	}
	assert.Nil(t, cli.ExplainFile(nil))

}

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
		assert.Equal(t, tt.want, cli.JoinWaitBound(tt.in), "%v", tt.in)
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
		{set: cli.WaitForever, on: true},
		{set: "30m", on: true, bound: 30 * time.Minute},
		{set: "false"},
		{set: "soon", bad: true},
		{set: "-5m", bad: true},
		{set: "0s", bad: true},
	}
	for _, tt := range tests {
		var w cli.Wait
		err := w.Set(tt.set)
		if tt.bad {
			require.Error(t, err, tt.set)
			assert.Contains(t, err.Error(), "30m", "says what a bound looks like")
			continue
		}
		require.NoError(t, err, tt.set)
		assert.Equal(t, tt.on, w.On, tt.set)
		assert.Equal(t, tt.bound, w.Bound, tt.set)
	}
}
