package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/internal/cli"
	"bulkpay/internal/testsupport"
	"bulkpay/providers/sandbox"
)

var binary string

func TestMain(m *testing.M) {
	if spec := os.Getenv(benchSheetEnv); spec != "" { // started again by benchSheet
		os.Exit(makeBenchSheet(spec))
	}
	// the tests mostly wait on bulkpay processes and sandboxes, not on the CPU
	testsupport.WaitingTests()
	dir, err := os.MkdirTemp("", "bulkpay-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "bulkpay")
	// the crash points the crash tests use are compiled in only with this tag
	out, err := testsupport.BuildCommand(".", binary, "crashpoints")
	if err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// skipShort skips t under -short: it proves end to end, through several
// bulkpay processes (its sandboxes counted), a rule that a fast test of batch or server holds (named
// in why) and that another test of the same command keeps in -short. The full
// run keeps it.
func skipShort(t *testing.T, processes int, why string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("end to end with %d bulkpay processes; %s; runs without -short", processes, why)
	}
}

func samplePath(t *testing.T, name string) string {
	p, err := filepath.Abs(filepath.Join("..", "..", "samples", name))
	require.NoError(t, err)
	return p
}

type result struct {
	code           int
	stdout, stderr string
}

// bulkpay runs the binary in dir with a time limit.
func bulkpay(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return bulkpayEnv(t, dir, nil, args...)
}

// startSandbox runs `bulkpay sandbox` on a free loopback port until the test
// ends. Its payouts settle after 20ms unless args give a --settle-delay.
func startSandbox(t testing.TB, args ...string) string {
	t.Helper()
	if !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--settle-delay") }) {
		args = append(args, "--settle-delay", "20ms")
	}
	cmd := exec.Command(binary, append([]string{"sandbox", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	out := bufio.NewReader(stdout)
	for range 5 { // the address comes after what the flags loaded (--names)
		line, err := out.ReadString('\n')
		require.NoError(t, err)
		if _, rest, ok := strings.Cut(line, "http://"); ok {
			return "http://" + strings.Fields(rest)[0]
		}
	}
	t.Fatal("the sandbox never said its address")
	return ""
}

// simulator is the provider sandbox served in the test process, so that a test
// hears of each payout it takes instead of polling for them, and can hold the
// requests that move money at a chosen point. bulkpay pays it with --sandbox URL.
type simulator struct {
	*sandbox.Server
	URL string

	mu     sync.Mutex
	waits  []payoutWait
	gate   chan struct{} // while set, money-moving requests wait for it...
	holdAt int           // ...once the sandbox holds this many payouts
	closed chan struct{}
}

type payoutWait struct {
	n  int
	ch chan struct{}
}

// newSimulator starts a sandbox with opts (payouts settle after 20ms unless
// opts say otherwise) until the test ends.
func newSimulator(t *testing.T, opts sandbox.Options) *simulator {
	t.Helper()
	if opts.SettleDelay == 0 {
		opts.SettleDelay = 20 * time.Millisecond
	}
	srv, err := sandbox.New(opts)
	require.NoError(t, err)
	sim := &simulator{Server: srv, closed: make(chan struct{})}
	hs := httptest.NewServer(sim)
	sim.URL = hs.URL
	t.Cleanup(func() {
		close(sim.closed)
		srv.Close()
		hs.CloseClientConnections()
		hs.Close()
	})
	return sim
}

// movesMoney reports whether r asks a provider to pay.
func movesMoney(r *http.Request) bool {
	path := strings.TrimSuffix(r.URL.Path, "/")
	return r.Method == http.MethodPost && slices.ContainsFunc([]string{"/withdraw", "/money/send/contact", "/payout", "/cashout"},
		func(end string) bool { return strings.HasSuffix(path, end) })
}

func (s *simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !movesMoney(r) {
		s.Server.ServeHTTP(w, r)
		return
	}
	s.mu.Lock()
	gate := s.gate
	if gate != nil && len(s.Payouts()) < s.holdAt {
		gate = nil
	}
	s.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
			return // the client gave up (killed, interrupted): nothing was processed
		case <-s.closed:
			return
		}
	}
	s.Server.ServeHTTP(w, r)
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.Payouts())
	s.waits = slices.DeleteFunc(s.waits, func(pw payoutWait) bool {
		if n >= pw.n {
			close(pw.ch)
			return true
		}
		return false
	})
}

// holding returns a channel closed once the sandbox holds n payouts.
func (s *simulator) holding(n int) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	if len(s.Payouts()) >= n {
		close(ch)
		return ch
	}
	s.waits = append(s.waits, payoutWait{n: n, ch: ch})
	return ch
}

// holdFrom makes money-moving requests that arrive once the sandbox holds n
// payouts wait, unprocessed, until release is called (or their client gives
// up). Requests already past the gate go on: the sandbox may end with a few
// more than n.
func (s *simulator) holdFrom(n int) (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate, s.holdAt = make(chan struct{}), n
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			gate := s.gate
			s.gate = nil
			s.mu.Unlock()
			close(gate)
		})
	}
}

// proc is a bulkpay process started in the background.
type proc struct {
	*exec.Cmd
	done chan struct{} // closed once it has exited
	err  error         // its exit, once done
}

// start starts `bulkpay args...` in dir; it is killed when the test ends.
func start(t *testing.T, dir string, env []string, stderr io.Writer, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	p := &proc{Cmd: cmd, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-p.done })
	return p
}

// wait returns the process's exit once it has ended.
func (p *proc) wait() error {
	<-p.done
	return p.err
}

// until waits for ch; the process must still be running when ch closes.
func (p *proc) until(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-p.done:
		select {
		case <-ch:
		default:
			t.Fatalf("bulkpay ended (%v) before %s", p.err, what)
		}
	}
}

func payouts(t *testing.T, url string) []sandbox.Payout {
	t.Helper()
	resp, err := http.Get(url + "/_sandbox/payouts")
	require.NoError(t, err)
	defer resp.Body.Close()
	var ps []sandbox.Payout
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&ps))
	return ps
}

// reportLines reads the batch's csv report.
func reportLines(t *testing.T, dir, ref string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "bulkpay-reports", ref, "reconciliation.csv"))
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// paidExactlyOnce checks from the sandbox's side that each report line was paid
// once, under its own reference, to its phone and amount, and nothing else was paid.
func paidExactlyOnce(t *testing.T, url string, lines []map[string]string) {
	t.Helper()
	ps := payouts(t, url)
	byRef := map[string][]sandbox.Payout{}
	for _, p := range ps {
		byRef[p.ClientReference] = append(byRef[p.ClientReference], p)
	}
	for _, l := range lines {
		got := byRef[l["reference"]]
		if assert.Len(t, got, 1, "row %s paid %d times", l["row"], len(got)) {
			assert.Equal(t, l["phone"], got[0].Phone)
			assert.Equal(t, l["amount"], fmt.Sprint(got[0].Amount))
			assert.Equal(t, l["provider_reference"], got[0].ProviderReference)
		}
		assert.Equal(t, "succeeded", l["state"], "row %s", l["row"])
	}
	assert.Len(t, ps, len(lines), "nothing paid that is not in the batch")
}

// withSamples gives a fresh directory holding samples/ as in the repository, so
// the README's command runs there with its own arguments.
func withSamples(t *testing.T) string {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "samples"), 0o755))
	for _, name := range []string{"payroll-2026-11.xlsx", "payroll-2026-11.csv"} {
		data, err := os.ReadFile(samplePath(t, name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "samples", name), data, 0o644))
	}
	return dir
}

func TestREADMECommandPaysTheSampleAndRerunPaysNothing(t *testing.T) {
	t.Parallel()
	dir := withSamples(t)
	r := bulkpay(t, dir, "run", "samples/payroll-2026-11.xlsx")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "SANDBOX: no real money moves")
	assert.Contains(t, r.stdout, "SANDBOX: no real money moves")
	assert.Contains(t, r.stdout, "succeeded     25     4 679 000")
	lines := reportLines(t, dir, "payroll-2026-11")
	require.Len(t, lines, 25)
	assert.Equal(t, "SANDBOX", lines[0]["environment"])

	r = bulkpay(t, dir, "run", "samples/payroll-2026-11.xlsx")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "already complete")

	// the built-in sandbox's memory shows each beneficiary paid once over both runs
	journal, err := os.ReadFile(filepath.Join(dir, "bulkpay.db.sandbox.jsonl"))
	require.NoError(t, err)
	assert.Equal(t, 25, bytes.Count(journal, []byte("\n")))

	r = bulkpay(t, dir, "status", "payroll-2026-11", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var st statusJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &st))
	assert.Equal(t, 25, st.Counts["succeeded"])
	assert.Equal(t, int64(4679000), st.SucceededAmount)
	assert.Equal(t, []string{"cancelled", "failed", "pending", "planned", "rejected", "review", "submitting", "succeeded", "to_confirm", "unknown"}, slices.Sorted(maps.Keys(st.Counts)))

	// the csv of the same payroll is the same batch
	r = bulkpay(t, dir, "run", "samples/payroll-2026-11.csv")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "already complete")
}

// journalPayouts reads the built-in sandbox's memory: every payout it accepted.
func journalPayouts(t *testing.T, dir string) []sandbox.Payout {
	data, err := os.ReadFile(filepath.Join(dir, "bulkpay.db.sandbox.jsonl"))
	require.NoError(t, err)
	var out []sandbox.Payout
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var p sandbox.Payout
		if json.Unmarshal(line, &p) == nil {
			out = append(out, p)
		}
	}
	return out
}

func TestBuiltInSandboxSIGKILLThenRerun(t *testing.T) {
	t.Parallel()
	skipShort(t, 2, "a kill and a rerun are kept by TestSIGKILLMidwayThenRerunPaysEachOnce")
	dir := t.TempDir()
	const rows = 60
	sheetPath := bigSheet(t, dir, rows)
	// SIGKILLed by itself on its 20th answer, its built-in sandbox with it
	runKilled(t, dir, []string{"BULKPAY_CRASH_AT=after-answer", "BULKPAY_CRASH_AFTER=20"}, "run", sheetPath)
	require.GreaterOrEqual(t, len(journalPayouts(t, dir)), 20)
	require.Less(t, len(journalPayouts(t, dir)), rows, "killed midway")

	r := bulkpay(t, dir, "run", sheetPath)
	require.Equal(t, 0, r.code, r.stderr)
	lines := reportLines(t, dir, "big")
	require.Len(t, lines, rows)
	byRef := map[string]int{}
	for _, p := range journalPayouts(t, dir) {
		byRef[p.ClientReference]++
	}
	for _, l := range lines {
		assert.Equal(t, 1, byRef[l["reference"]], "row %s", l["row"])
		assert.Equal(t, "succeeded", l["state"])
	}
	assert.Len(t, byRef, rows)
}

func TestStandaloneSandboxRunRerunExactlyOnce(t *testing.T) {
	t.Parallel()
	url := startSandbox(t)
	dir := t.TempDir()
	cfg := unpaced(t, dir, "")
	r := bulkpay(t, dir, "run", samplePath(t, "payroll-2026-11.csv"), "--sandbox", url, "--json", "--config", cfg)
	require.Equal(t, 0, r.code, r.stderr)
	var st statusJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &st), r.stdout)
	assert.Equal(t, 25, st.Items)
	paidExactlyOnce(t, url, reportLines(t, dir, "payroll-2026-11"))

	r = bulkpay(t, dir, "run", samplePath(t, "payroll-2026-11.csv"), "--sandbox", url, "--config", cfg)
	require.Equal(t, 0, r.code, r.stderr)
	paidExactlyOnce(t, url, reportLines(t, dir, "payroll-2026-11"))
}

// bigSheet writes n valid rows as csv.
func bigSheet(t *testing.T, dir string, n int) string {
	var b strings.Builder
	b.WriteString("Nom;Téléphone;Montant\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Bénéficiaire %d;67%07d;%d\n", i, 1000000+i, 1000+i)
	}
	path := filepath.Join(dir, "big.csv")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	return path
}

// heldRun is `bulkpay run` on a sheet of big rows, caught paying: the
// simulator holds every money-moving request once it holds some payouts,
// until release.
type heldRun struct {
	sim            *simulator
	dir, sheetPath string
	run            *proc
	release        func()
}

// runHeld starts a run of rows rows whose stderr goes to stderr (nil: none)
// and returns once the simulator holds held payouts.
func runHeld(t *testing.T, rows, held int, stderr io.Writer) heldRun {
	t.Helper()
	h := heldRun{sim: newSimulator(t, sandbox.Options{}), dir: t.TempDir()}
	h.sheetPath = bigSheet(t, h.dir, rows)
	h.release = h.sim.holdFrom(held)
	h.run = start(t, h.dir, nil, stderr, "run", h.sheetPath, "--sandbox", h.sim.URL)
	h.run.until(t, h.sim.holding(held), fmt.Sprintf("%d payouts", held))
	return h
}

func TestSIGKILLMidwayThenRerunPaysEachOnce(t *testing.T) {
	t.Parallel()
	h := runHeld(t, 40, 10, nil)
	require.NoError(t, h.run.Process.Signal(syscall.SIGKILL))
	h.run.wait()
	paidBefore := len(payouts(t, h.sim.URL))
	require.Less(t, paidBefore, 40, "killed midway")
	h.release()

	r := bulkpay(t, h.dir, "run", h.sheetPath, "--sandbox", h.sim.URL)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "resuming batch big")
	paidExactlyOnce(t, h.sim.URL, reportLines(t, h.dir, "big"))
}

func TestInterruptThenResume(t *testing.T) {
	t.Parallel()
	errb := saying("interrupted: no new payout is sent")
	h := runHeld(t, 30, 5, errb)
	require.NoError(t, h.run.Process.Signal(os.Interrupt))
	h.run.until(t, errb.ch, "the interrupt acknowledged")
	// the payouts held are answered: a payout that left is not cut off by the
	// interrupt, and unanswered it would end only at its client's timeout
	h.release()
	err := h.run.wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, cli.ExitInterrupted, ee.ExitCode(), errb.String())
	assert.Contains(t, errb.String(), "bulkpay resume big")

	r := bulkpay(t, h.dir, "resume", "big", "--sandbox", h.sim.URL)
	require.Equal(t, 0, r.code, r.stderr)
	paidExactlyOnce(t, h.sim.URL, reportLines(t, h.dir, "big"))
}

func TestValidateJSONAndExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := bulkpay(t, dir, "validate", samplePath(t, "payroll-2026-11.xlsx"), "--json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.JSONEq(t, `{"rows":25,"valid":25,"invalid":0,"total_amount":4679000,"errors":[],"sheet":"Paie"}`, r.stdout)

	r = bulkpay(t, dir, "validate", samplePath(t, "payroll-with-errors.xlsx"), "--json")
	require.Equal(t, 2, r.code, r.stderr)
	var v struct {
		Rows, Valid, Invalid int
		TotalAmount          int64 `json:"total_amount"`
		Errors               []map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &v))
	assert.Equal(t, 15, v.Rows)
	assert.Equal(t, 2, v.Valid)
	assert.Equal(t, 13, v.Invalid)
	assert.Equal(t, int64(150000), v.TotalAmount)
	for _, e := range v.Errors {
		assert.ElementsMatch(t, []string{"row", "column", "value", "message"}, slices.Collect(maps.Keys(e)))
	}

	r = bulkpay(t, dir, "run", samplePath(t, "payroll-with-errors.xlsx"))
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "row 8, column Montant, value \"150000.5\"")
	_, err := os.Stat(filepath.Join(dir, "bulkpay.db.sandbox.jsonl"))
	assert.True(t, os.IsNotExist(err), "bad input moves no money: no sandbox was even started")
}

func TestChangedSheetUnderSameReferenceIsRefused(t *testing.T) {
	t.Parallel()
	url := startSandbox(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "paie.csv")
	require.NoError(t, os.WriteFile(path, []byte("Nom;Téléphone;Montant\nA;677123456;1000\nB;699009900;2000\n"), 0o600))
	r := bulkpay(t, dir, "run", path, "--sandbox", url)
	require.Equal(t, 0, r.code, r.stderr)
	require.NoError(t, os.WriteFile(path, []byte("Nom;Téléphone;Montant\nA;677123456;1500\nB;699009900;2000\nC;677000111;10\n"), 0o600))
	r = bulkpay(t, dir, "run", path, "--sandbox", url)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "batch paie already exists with a different sheet")
	assert.Contains(t, r.stderr, "row 2: amount 1000 → 1500")
	assert.Contains(t, r.stderr, "row 4: added (C, +237677000111, 10)")
	assert.Len(t, payouts(t, url), 2, "nothing more was paid")
}

func TestSecondConcurrentRunIsRefused(t *testing.T) {
	t.Parallel()
	h := runHeld(t, 20, 2, nil) // the first run is still paying while the second starts
	r := bulkpay(t, h.dir, "run", h.sheetPath, "--sandbox", h.sim.URL)
	assert.Equal(t, cli.ExitHeld, r.code)
	assert.Contains(t, r.stderr, fmt.Sprintf("batch big is being run by pid %d", h.run.Process.Pid))
	h.release()
	require.NoError(t, h.run.wait())
	paidExactlyOnce(t, h.sim.URL, reportLines(t, h.dir, "big"))
}

func TestMultiCountrySamplePaysThroughAllFourProviders(t *testing.T) {
	t.Parallel()
	url := startSandbox(t)
	dir := t.TempDir()
	r := bulkpay(t, dir, "run", samplePath(t, "payroll-multi-2026-11.xlsx"), "--sandbox", url)
	require.Equal(t, 0, r.code, r.stderr)
	lines := reportLines(t, dir, "payroll-multi-2026-11")
	require.Len(t, lines, 13)
	byProvider := map[string]int{}
	for _, l := range lines {
		byProvider[l["provider"]]++
		assert.NotEmpty(t, l["provider_reference"], "row %s names the provider's reference", l["row"])
	}
	assert.Equal(t, map[string]int{"campay": 3, "mycoolpay": 3, "cinetpay": 5, "camoo": 2}, byProvider)
	paidExactlyOnce(t, url, lines)
	for _, p := range payouts(t, url) {
		for _, l := range lines {
			if l["reference"] == p.ClientReference {
				assert.Equal(t, l["provider"], p.Provider)
			}
		}
	}

	r = bulkpay(t, dir, "run", samplePath(t, "payroll-multi-2026-11.xlsx"), "--sandbox", url)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "already complete")
	paidExactlyOnce(t, url, lines)

	r = bulkpay(t, dir, "balance", "--sandbox", url, "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var bal []balanceLine
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &bal))
	assert.Len(t, bal, 6, "camoo, campay MTN and Orange, cinetpay, momo, mycoolpay")
}

func TestUnpayableRowsAreRefusedAtValidation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "mixed.csv")
	require.NoError(t, os.WriteFile(path, []byte("Nom;Téléphone;Montant;Mode\nOK;677123456;1000;\nCamtel;620123456;1000;\nNigeria;+2348031234567;1000;\nVirement;699009900;1000;virement\n"), 0o600))
	r := bulkpay(t, dir, "validate", path, "--json")
	assert.Equal(t, 2, r.code)
	var v validateJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &v))
	assert.Equal(t, 1, v.Valid)
	require.Len(t, v.Errors, 3)
	assert.Contains(t, v.Errors[0].Message, "Camtel")
	assert.Contains(t, v.Errors[1].Message, "in NG")
	assert.Equal(t, "Mode", v.Errors[2].Column)
}

func TestSamePayrollUnderAnotherReferenceIsRefused(t *testing.T) {
	t.Parallel()
	skipShort(t, 5, "the repeat check is batch's TestSavePlan")
	url := startSandbox(t)
	dir := withSamples(t)
	r := bulkpay(t, dir, "run", "samples/payroll-2026-11.csv", "--sandbox", url)
	require.Equal(t, 0, r.code, r.stderr)

	r = bulkpay(t, dir, "run", "samples/payroll-2026-11.csv", "--sandbox", url, "--reference", "paie-novembre-bis")
	assert.Equal(t, cli.ExitRefused, r.code, "a repeat payment is refused by policy")
	assert.Contains(t, r.stderr, "25 row(s) of payroll-2026-11.csv were already paid or planned for period 2026-11")
	assert.Contains(t, r.stderr, "is already in batch payroll-2026-11 (row 4, succeeded")
	assert.Len(t, payouts(t, url), 25, "nothing paid twice")

	r = bulkpay(t, dir, "run", "samples/payroll-2026-11.csv", "--sandbox", url, "--reference", "payroll-2026-12")
	require.Equal(t, 0, r.code, "next month's payroll with the same people is not a repeat: %s", r.stderr)
	assert.Len(t, payouts(t, url), 50)

	r = bulkpay(t, dir, "run", "samples/payroll-2026-11.csv", "--sandbox", url, "--reference", "bonus", "--period", "2026-11", "--allow-repeat")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Len(t, payouts(t, url), 75)
}

// said is an io.Writer that closes a channel once what was written contains want.
type said struct {
	testsupport.Buffer
	want string
	once sync.Once
	ch   chan struct{}
}

func saying(want string) *said { return &said{want: want, ch: make(chan struct{})} }

func (s *said) Write(p []byte) (int, error) {
	n, err := s.Buffer.Write(p)
	if strings.Contains(s.String(), s.want) {
		s.once.Do(func() { close(s.ch) })
	}
	return n, err
}

func TestWaitForARunningBatch(t *testing.T) {
	t.Parallel()
	h := runHeld(t, 30, 2, nil) // the first run is still paying while the second starts
	errb := saying("waiting")
	second := start(t, h.dir, nil, errb, "run", h.sheetPath, "--sandbox", h.sim.URL, "--wait")
	second.until(t, errb.ch, "the second run said it waits")
	h.release()
	require.NoError(t, second.wait(), errb.String())
	require.NoError(t, h.run.wait())
	paidExactlyOnce(t, h.sim.URL, reportLines(t, h.dir, "big"))
}

func TestRetryFailedMakesNewReferencesLinkedToTheOld(t *testing.T) {
	t.Parallel()
	// the first run's payouts to +237677123456 fail at the operator
	url := startSandbox(t, "--fail-phone", "237677123456")
	dir := t.TempDir()
	path := filepath.Join(dir, "paie.csv")
	require.NoError(t, os.WriteFile(path, []byte("Nom;Téléphone;Montant\nA;677123456;1000\nB;699009900;2000\n"), 0o600))
	cfg := unpaced(t, dir, "")
	r := bulkpay(t, dir, "run", path, "--sandbox", url, "--config", cfg)
	require.Equal(t, 3, r.code, "finished with a failed item: %s", r.stderr)

	r = bulkpay(t, dir, "run", path, "--sandbox", url, "--config", cfg)
	assert.Equal(t, 3, r.code, "a rerun does not pay a failed item again")
	assert.Len(t, payouts(t, url), 2)

	r = bulkpay(t, dir, "retry", "paie", "--failed", "--sandbox", url, "--config", cfg)
	assert.Equal(t, 3, r.code, "the sandbox still fails that phone: %s", r.stderr)
	lines := reportLines(t, dir, "paie-retry-1")
	require.Len(t, lines, 1)
	old := reportLines(t, dir, "paie")
	assert.NotEqual(t, old[0]["reference"], lines[0]["reference"], "a new reference")
	assert.Equal(t, "failed", old[0]["state"], "the old item stays failed")
	assert.Len(t, payouts(t, url), 3)

	r = bulkpay(t, dir, "retry", "paie", "--failed", "--sandbox", url, "--config", cfg)
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "every failed item was already retried (1 in paie-retry-1)")
	v := bulkpay(t, dir, "verify", "paie-retry-1")
	assert.Equal(t, 0, v.code, v.stdout)
}

func TestReviewAndResolve(t *testing.T) {
	t.Parallel()
	url := startSandbox(t, "--faults", "mycoolpay.payout:hang-after")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("providers:\n  mycoolpay: {timeout: 500ms}\n"), 0o600))
	path := writeRows(t, dir, "doubt.csv", []string{providerRow("mycoolpay", 1)})
	r := bulkpay(t, dir, "run", path, "--sandbox", url, "--config", cfg)
	require.Equal(t, 4, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Need a person: 1 item(s)")
	assert.Len(t, payouts(t, url), 1, "the payout exists at the provider")

	r = bulkpay(t, dir, "review", "doubt")
	require.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "row 2  Cool 1  +237690000001")
	assert.Contains(t, r.stdout, "request: pay 1005 to 237690000001 via mycoolpay under reference")
	assert.Contains(t, r.stdout, "unknown")
	assert.NotContains(t, r.stdout, "sandbox", "no secret in the evidence")

	r = bulkpay(t, dir, "resolve", "doubt", "2", "--as", "succeeded")
	assert.Equal(t, 2, r.code, "a note is required")
	r = bulkpay(t, dir, "resolve", "doubt", "2", "--as", "succeeded", "--note", "paid per the My-CoolPay dashboard", "--by", "awa")
	require.Equal(t, 0, r.code, r.stderr)
	r = bulkpay(t, dir, "status", "doubt", "--json")
	var st statusJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &st))
	assert.Equal(t, 1, st.Counts["succeeded"])
	assert.Equal(t, 0, bulkpay(t, dir, "verify", "doubt").code)
	r = bulkpay(t, dir, "resolve", "doubt", "2", "--as", "failed", "--note", "x")
	assert.Equal(t, 1, r.code, "a decided item is final")
}

func httpPostJSON(url, body string) (*http.Response, error) {
	return http.Post(url, "application/json", strings.NewReader(body))
}
