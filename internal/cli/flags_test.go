package cli_test

import (
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/internal/cli"
)

func TestPlanFlags(t *testing.T) {
	t.Parallel()
	var pf cli.PlanFlags
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	pf.Register(fs)
	require.NoError(t, fs.Parse([]string{"--reference", "paie-03", "--sandbox", "http://127.0.0.1:8089", "--by", "ada",
		"--expect-total", "15000", "--pay-by", "link"}))
	now := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
	p, err := pf.Plan("in/paie.csv", config.Default(), now)
	require.NoError(t, err)
	assert.Equal(t, "paie-03", p.Reference)
	assert.Equal(t, "in/paie.csv", p.Path)
	assert.Equal(t, int64(15000), p.ExpectTotal)
	assert.Equal(t, "ada", p.By)
	assert.Equal(t, batch.PayByLink, p.PayBy)
	assert.Equal(t, now, p.Now)
	assert.Equal(t, "http://127.0.0.1:8089", pf.SandboxURL, "run's --sandbox routes the sheet")

	pf.PayBy = "cash"
	_, err = pf.Plan("in/paie.csv", config.Default(), now)
	require.ErrorIs(t, err, batch.ErrInvalid)
	assert.Contains(t, err.Error(), `--pay-by "cash": write --pay-by link`)
}

func TestPayFlagsOfResumeAndRetry(t *testing.T) {
	t.Parallel()
	var resume, retry cli.PayFlags
	rfs := pflag.NewFlagSet("resume", pflag.ContinueOnError)
	resume.Register(rfs, "the sandbox", "as JSON", true)
	require.NoError(t, rfs.Parse([]string{"--wait=30m", "--allow-partial", "--change-endpoint", "--json", "--sandbox", "http://sb"}))
	assert.Equal(t, cli.Wait{On: true, Bound: 30 * time.Minute}, resume.Wait)
	assert.True(t, resume.AllowPartial && resume.ChangeEndpoint && resume.JSON)
	assert.Equal(t, "http://sb", resume.SandboxURL)

	tfs := pflag.NewFlagSet("retry", pflag.ContinueOnError)
	retry.Register(tfs, "the sandbox", "as JSON", false)
	assert.Nil(t, tfs.Lookup("wait"), "retry does not wait for another run")
	assert.Nil(t, tfs.Lookup("allow-partial"))
	assert.NotNil(t, tfs.Lookup("change-endpoint"))
}

func TestDecisionFlagsNeedANote(t *testing.T) {
	t.Parallel()
	var d cli.DecisionFlags
	fs := pflag.NewFlagSet("cancel", pflag.ContinueOnError)
	d.Register(fs, "why", "who cancels", `say why (e.g. --note "wrong month")`)
	require.NoError(t, fs.Parse([]string{"--note", "  "}))
	err := d.Check()
	require.ErrorIs(t, err, cli.ErrUsage)
	assert.Equal(t, `--note is required: say why (e.g. --note "wrong month")`, err.Error())
	require.NoError(t, fs.Parse([]string{"--note", "wrong month", "--by", "ada"}))
	require.NoError(t, d.Check())
	assert.Equal(t, "ada", d.Actor())
}
