package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/internal/cli"
)

// execute runs the command line in this process and returns its error and
// what cobra itself printed.
func execute(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot(newApp())
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestMistypedCommandsSayWhatToType(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"status"}, []string{"missing BATCH", "usage: bulkpay status BATCH [flags]"}},
		{[]string{"resolve", "paie"}, []string{"missing ITEM", "usage: bulkpay resolve BATCH ITEM --as succeeded|failed --note TEXT [flags]"}},
		{[]string{"resolve"}, []string{"missing BATCH and ITEM"}},
		{[]string{"run"}, []string{"missing SHEET", "usage: bulkpay run SHEET [flags]"}},
		{[]string{"list", "extra"}, []string{`bulkpay list takes no argument (got "extra")`}},
		{[]string{"status", "a", "b"}, []string{`too many arguments: bulkpay status takes BATCH (got "a b")`}},
		{[]string{"run", "--sandbx", "http://x", "f.csv"}, []string{"unknown flag: --sandbx (did you mean --sandbox?)", "usage: bulkpay run SHEET [flags]"}},
		{[]string{"status", "x", "--jsn"}, []string{"(did you mean --json?)"}},
		{[]string{"status", "x", "--qiet"}, []string{"(did you mean --quiet?)"}},
		{[]string{"run", "--allow", "f.csv"}, []string{"(did you mean --allow-duplicates, --allow-partial or --allow-repeat?)"}},
		{[]string{"stauts", "paie"}, []string{`unknown command "stauts" (did you mean status?)`, "usage: bulkpay COMMAND (see bulkpay --help)"}},
		{[]string{"run", "--zzzzzz", "f.csv"}, []string{"unknown flag: --zzzzzz\nusage: bulkpay run SHEET [flags] (see bulkpay run --help)"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			_, err := execute(t, tc.args...)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "invalid input")
			assert.Equal(t, cli.ExitInvalid, cli.ExitCode(err, false), "a command typed wrongly sends nothing")
		})
	}
}

func TestEveryFlagShowsAValueNameNotProse(t *testing.T) {
	t.Parallel()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			name, _ := pflag.UnquoteUsage(f)
			assert.NotContains(t, name, " ", "%s --%s renders as --%s %s", c.CommandPath(), f.Name, f.Name, name)
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRoot(newApp()))

	help, err := execute(t, "run", "--help")
	require.NoError(t, err)
	assert.Regexp(t, `\n\s+--json\s+print the batch status as JSON at the end \(as status --json\)\n`, help)
	assert.Regexp(t, `\n\s+--sandbox URL\s+pay through the sandbox at this URL`, help)
	assert.Regexp(t, `\n\s+--config FILE\s+`, help)
}

func TestVersion(t *testing.T) {
	t.Parallel()
	out, err := execute(t, "--version")
	require.NoError(t, err)
	assert.Regexp(t, `^bulkpay (devel|v\S+)( \(commit [0-9a-f]{12}(, modified)?\))? go\S+\n$`, out)

	version = "v1.4.0" // as -ldflags "-X main.version=v1.4.0" sets it
	defer func() { version = "" }()
	out, err = execute(t, "--version")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(out, "bulkpay v1.4.0"), out)
}

func TestFileErrorsAreSaidOnceWithWhatToDo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := execute(t, "validate", filepath.Join(dir, "f.xlsx"))
	require.Error(t, err)
	assert.Equal(t, 1, strings.Count(err.Error(), "no such file"), err.Error())
	assert.Contains(t, err.Error(), "f.xlsx: no such file: check the path and the file name")
}

// inProcess runs a command line in this process with its own output.
func inProcess(t *testing.T, dir string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	root := newRoot(&app{stdout: &out, stderr: &errb})
	root.SetArgs(append(args, "--db", filepath.Join(dir, "bulkpay.db")))
	err := root.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

func TestRefusalsSayWhatIsWrongNotInvalidInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"resolve", "paie", "2", "--as", "ok", "--note", "x"}, "--as must be succeeded or failed"},
		{[]string{"resolve", "paie", "2", "--as", "failed"}, "--note is required: say what the provider's records show"},
		{[]string{"approve", "paie"}, "--by NAME is required: an approval names its approver"},
		{[]string{"retry", "paie"}, "say what to retry: bulkpay retry paie --failed"},
	}
	for _, tc := range cases {
		_, _, err := inProcess(t, t.TempDir(), tc.args...)
		require.Error(t, err, tc.args)
		assert.Contains(t, err.Error(), tc.want)
		assert.NotContains(t, err.Error(), "invalid input", "that is for sheets")
		assert.NotContains(t, err.Error(), "nothing was sent")
		assert.Equal(t, cli.ExitInvalid, cli.ExitCode(err, false), "nothing was sent")
	}
}

func TestExpectTotalMismatchIsNotRowZero(t *testing.T) {
	t.Parallel()
	out, _, err := inProcess(t, t.TempDir(), "validate", samplePath(t, "payroll-2026-11.csv"), "--expect-total", "4000000")
	assert.Equal(t, cli.ExitInvalid, cli.ExitCode(err, false))
	assert.NotContains(t, out, "row 0")
	assert.Contains(t, out, "\n  column amount (all rows): the valid rows add up to 4 679 000 but --expect-total says 4 000 000 (difference 679 000)")
	assert.Equal(t, "the sheet: no header row found", batch.RowError{Message: "no header row found"}.Error())
	assert.Equal(t, `row 5, column Montant, value "1,000": ambiguous`, batch.RowError{Row: 5, Column: "Montant", Value: "1,000", Message: "ambiguous"}.Error())
}

func TestFeesWithNothingConfiguredSaysSo(t *testing.T) {
	t.Parallel()
	out, _, err := inProcess(t, t.TempDir(), "fees")
	require.NoError(t, err)
	assert.Equal(t, "No fees are configured: no charge is added to any payout. Add profit_configurations to the config to charge them (README: Money).\n", out)
}
