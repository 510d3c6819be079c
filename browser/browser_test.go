// Package browser holds bulkpay's browser suite: scenario.mjs drives Debian's
// chromium with Playwright (playwright-core from npm) through the web app of
// `bulkpay serve`, in English and in French. TestBrowser builds bulkpay,
// starts a sandbox and the server, and runs the script with node.
package browser

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// install is what a machine needs for the suite, as .ci/run installs it.
const install = "sudo apt-get install -y chromium nodejs npm && (cd browser && npm ci)"

// Bounds: a process's first line, the whole browser scenario, a stop.
const (
	startTimeout    = 30 * time.Second
	scenarioTimeout = 5 * time.Minute
	stopTimeout     = 45 * time.Second // more than the server's ShutdownGrace
)

// TestBrowser pays two batches through the web app in a real browser, one in
// English and one in French, each with an item whose payout answer is lost
// (the sandbox never answers Camoo's cashouts) and a person resolves; then
// checks from the sandbox that each beneficiary was paid exactly once.
func TestBrowser(t *testing.T) {
	chromium, dir, bin := setUp(t)

	ledger := filepath.Join(dir, "ledger.db")
	users := map[string]string{"awa": "initiator", "bob": "approver"}
	passwords := map[string]string{}
	for name, role := range users {
		passwords[name] = addUser(t, dir, bin, ledger, name, role)
	}

	// The sandbox processes Camoo's cashouts and never answers them; the
	// config gives Camoo a short timeout, so the run soon holds an item whose
	// fate it cannot learn (Camoo cannot be asked about our reference): review.
	sb := start(t, dir, bin, regexp.MustCompile(`sandbox listening on (http://\S+)`),
		"sandbox", "--addr", "127.0.0.1:0", "--settle-delay", "200ms", "--faults", "camoo.cashout:hang-after")
	cfg := filepath.Join(dir, "bulkpay.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("poll_interval: 100ms\nproviders:\n  camoo:\n    timeout: 2s\n"), 0o600))
	srv := start(t, dir, bin, regexp.MustCompile(`serving bulkpay on (http://\S+)`),
		"serve", "--addr", "127.0.0.1:0", "--db", ledger, "--config", cfg, "--sandbox", sb.url)

	var scs []scenario
	for i, lang := range []string{"en", "fr"} {
		scs = append(scs, newScenario(t, dir, lang, i))
	}
	scsJSON, err := json.Marshal(scs)
	require.NoError(t, err)
	shots, err := filepath.Abs("out")
	require.NoError(t, err)
	require.NoError(t, os.RemoveAll(shots))

	ctx, cancel := context.WithTimeout(context.Background(), scenarioTimeout)
	defer cancel()
	node := exec.CommandContext(ctx, "node", "scenario.mjs")
	node.Env = append(os.Environ(), "BULKPAY_URL="+srv.url, "BULKPAY_SCENARIOS="+string(scsJSON), "BULKPAY_SHOTS="+shots,
		"CHROMIUM="+chromium, "BULKPAY_INITIATOR=awa", "BULKPAY_INITIATOR_PASSWORD="+passwords["awa"],
		"BULKPAY_APPROVER=bob", "BULKPAY_APPROVER_PASSWORD="+passwords["bob"])
	node.WaitDelay = 10 * time.Second
	began := time.Now()
	out, err := node.CombinedOutput()
	t.Logf("scenario (%s):\n%s", time.Since(began).Round(time.Millisecond), out)
	require.NoError(t, err, "the browser scenario failed (screenshots in %s)", shots)

	// The xlsx report each scenario downloaded: a workbook listing every row.
	for _, sc := range scs {
		f, err := excelize.OpenFile(filepath.Join(shots, sc.Lang+"-"+sc.Reference+"-reconciliation.xlsx"))
		require.NoError(t, err)
		rows, err := f.GetRows("Items")
		f.Close()
		require.NoError(t, err)
		assert.Len(t, rows, sc.Rows+1, "a header and a line per row")
		assert.Contains(t, fmt.Sprint(rows), sc.ReviewName)
	}

	// The providers' side: every row of both fixed sheets paid once.
	paid := paidByPhone(t, sb.url)
	want := map[string][]int64{}
	for _, sc := range scs {
		for phone, amount := range sc.paid {
			want[phone] = append(want[phone], amount)
		}
	}
	assert.Equal(t, want, paid, "each beneficiary paid once, their amount")

	assert.NoError(t, srv.stop(), "the server stops cleanly on SIGTERM")
}

// paidByPhone is what the sandbox at url paid, by phone: the amount of each
// payout.
func paidByPhone(t *testing.T, url string) map[string][]int64 {
	t.Helper()
	var payouts []struct {
		Phone  string `json:"phone"`
		Amount int64  `json:"amount"`
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(url + "/_sandbox/payouts")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&payouts))
	paid := map[string][]int64{}
	for _, p := range payouts {
		paid[p.Phone] = append(paid[p.Phone], p.Amount)
	}
	return paid
}

// scenario is one language's run of scenario.mjs (the JSON it reads).
type scenario struct {
	Lang           string           `json:"lang"`
	Reference      string           `json:"reference"`
	Period         string           `json:"period"`
	Errors         string           `json:"errors"` // a sheet with bad cells
	Bad            []badCell        `json:"bad"`    // the cells the error table must name
	Fixed          string           `json:"fixed"`  // the same sheet, fixed
	Rows           int              `json:"rows"`
	Providers      map[string]int   `json:"providers"` // items per provider
	ReviewProvider string           `json:"reviewProvider"`
	ReviewRow      int              `json:"reviewRow"`
	ReviewName     string           `json:"reviewName"`
	paid           map[string]int64 // the amount paid to each phone (as the sandbox lists it)
}

type badCell struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Value  string `json:"value"`
}

// newScenario writes lang's two sheets (csv, headers in that language): eight
// beneficiaries, the last one paid in cash at a Camoo point; the sheet with
// errors has a phone and an amount no one can pay. Phones and amounts differ
// between languages, so the second batch repeats nothing of the first.
func newScenario(t *testing.T, dir, lang string, n int) scenario {
	t.Helper()
	header := map[string]string{"en": "Name,Phone,Amount,Mode", "fr": "Nom,Téléphone,Montant,Mode"}[lang]
	cols := strings.Split(header, ",")
	names := []string{"Jean-Pierre Mbarga", "Aïcha Bello", "Emmanuel Fotso", "Christelle Ngo Biyong",
		"Samuel Ndjock", "Brigitte Atangana", "Hervé Tchinda", "Mireille Essomba"}
	prefixes := []string{"677", "699", "650", "655", "678", "691", "672", "696"} // MTN and Orange, Cameroon
	sc := scenario{Lang: lang, Reference: fmt.Sprintf("paie-%s-2026-%d", lang, 11+n), Period: fmt.Sprintf("2026-%d", 11+n),
		Rows: len(names), Providers: map[string]int{"campay": len(names) - 1, "camoo": 1}, ReviewProvider: "camoo",
		ReviewRow: len(names) + 1, ReviewName: names[len(names)-1], paid: map[string]int64{}}
	var fixed, bad strings.Builder
	fixed.WriteString(header + "\n")
	bad.WriteString(header + "\n")
	for i, name := range names {
		row := i + 2 // the header is row 1
		phone := fmt.Sprintf("%s %d%d 0%d %02d", prefixes[i], n+1, n+1, i, 10+i)
		francs := int64(100000 + 10000*i + 1000*n)
		amount := fmt.Sprint(francs)
		mode := ""
		if i == len(names)-1 {
			mode = "cashout"
		}
		fmt.Fprintf(&fixed, "%s,%s,%s,%s\n", name, phone, amount, mode)
		sc.paid["237"+strings.ReplaceAll(phone, " ", "")] = francs
		switch i {
		case 1:
			phone = "12345"
			sc.Bad = append(sc.Bad, badCell{row, cols[1], phone})
		case 4:
			amount = "15O000"
			sc.Bad = append(sc.Bad, badCell{row, cols[2], amount})
		}
		fmt.Fprintf(&bad, "%s,%s,%s,%s\n", name, phone, amount, mode)
	}
	sc.Errors = filepath.Join(dir, sc.Reference+"-errors.csv")
	sc.Fixed = filepath.Join(dir, sc.Reference+".csv")
	require.NoError(t, os.WriteFile(sc.Errors, []byte(bad.String()), 0o600))
	require.NoError(t, os.WriteFile(sc.Fixed, []byte(fixed.String()), 0o600))
	return sc
}

// setUp skips t under -short, and unless chromium, node and playwright-core
// are installed (fails it when BULKPAY_BROWSER=require); otherwise it builds
// bulkpay into a temporary directory. It returns chromium's path, the
// directory and the binary.
func setUp(t *testing.T) (chromium, dir, bin string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("browser suite skipped under -short (go test ./browser -run %s runs it)", t.Name())
	}
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	var missing []string
	if _, err := os.Stat(chromium); err != nil {
		missing = append(missing, chromium)
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "playwright-core", "package.json")); err != nil {
		missing = append(missing, "browser/node_modules/playwright-core")
	}
	if len(missing) > 0 {
		if os.Getenv("BULKPAY_BROWSER") == "require" {
			t.Fatalf("browser suite required (BULKPAY_BROWSER=require) but %s missing; install with: %s", strings.Join(missing, ", "), install)
		}
		t.Skipf("browser suite skipped: %s missing; install with: %s", strings.Join(missing, ", "), install)
	}

	require.NoError(t, dependOn(".."))
	dir = t.TempDir()
	bin = filepath.Join(dir, "bulkpay")
	out, err := exec.Command("go", "build", "-o", bin, "bulkpay/cmd/bulkpay").CombinedOutput()
	require.NoError(t, err, "build bulkpay: %s", out)
	return chromium, dir, bin
}

// addUser adds name with role to the ledger through bin (bulkpay users add)
// and returns the password it was given.
func addUser(t *testing.T, dir, bin, ledger, name, role string) string {
	t.Helper()
	pw := password(t)
	cmd := exec.Command(bin, "users", "add", name, "--role", role, "--db", ledger)
	cmd.Dir, cmd.Stdin = dir, strings.NewReader(pw+"\n")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "users add %s: %s", name, out)
	return pw
}

// dependOn stats every source file of the module under root (Go, the web
// app's templates and static files, the scenario and its lock file): the
// test's outcome depends on the program it builds and the script it runs,
// none of which the test binary holds, and go test reuses a cached result
// only while the files a test looked at are unchanged.
func dependOn(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "out" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".go", ".html", ".css", ".js", ".mjs", ".json", ".mod", ".sum":
			_, err = os.Stat(p)
		}
		return err
	})
}

func password(t *testing.T) string {
	b := make([]byte, 18)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(b)
}

// proc is a bulkpay process the test started: its URL, from the line it
// prints first, and its output, shown when the test fails.
type proc struct {
	cmd      *exec.Cmd
	url      string
	exited   chan struct{} // closed when the process has exited, with err
	err      error
	stopOnce sync.Once
	stopErr  error
	mu       sync.Mutex
	out      bytes.Buffer
}

// start runs bin with args in dir and waits (bounded) for the line matching
// re, whose first group is its URL. The process is stopped when the test ends.
func start(t *testing.T, dir, bin string, re *regexp.Regexp, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), exited: make(chan struct{})}
	p.cmd.Dir = dir
	pr, pw := io.Pipe()
	p.cmd.Stdout, p.cmd.Stderr = pw, pw
	require.NoError(t, p.cmd.Start())
	go func() { p.err = p.cmd.Wait(); pw.Close(); close(p.exited) }()
	found := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(pr)
		for lines.Scan() {
			p.mu.Lock()
			p.out.WriteString(lines.Text() + "\n")
			p.mu.Unlock()
			if m := re.FindStringSubmatch(lines.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, pr)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			p.mu.Lock()
			t.Logf("bulkpay %s:\n%s", args[0], p.out.String())
			p.mu.Unlock()
		}
	})
	select {
	case p.url = <-found:
	case <-p.exited:
		t.Fatalf("bulkpay %s exited before serving: %v", args[0], p.err)
	case <-time.After(startTimeout):
		t.Fatalf("bulkpay %s did not say where it serves within %s", args[0], startTimeout)
	}
	return p
}

// stop sends SIGTERM and waits for the exit, for at most stopTimeout; then
// kills the process. It returns how the process ended.
func (p *proc) stop() error {
	p.stopOnce.Do(func() { p.stopErr = p.terminate() })
	return p.stopErr
}

func (p *proc) terminate() error {
	select {
	case <-p.exited:
		return p.err
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-p.exited:
		return p.err
	case <-time.After(stopTimeout):
		p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("did not stop within %s of SIGTERM: killed", stopTimeout)
	}
}
