//go:build linux

package sheet

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/internal/testsupport/campaign"
)

// maxRSS is what reading any one sheet may take at its peak.
const maxRSS = 200 << 20

// childRead is what the child process reports of its read.
type childRead struct {
	Err        string
	Valid      int
	Errors     int
	MoreErrors int
	PeakRSS    int64 // VmHWM, bytes
}

// TestChildRead is not a test: TestHostileInputsBoundedMemory runs the test
// binary again with BULKPAY_CHILD_READ set to a file, to read it in a process of
// its own whose peak memory can be measured.
func TestChildRead(t *testing.T) {
	path := os.Getenv("BULKPAY_CHILD_READ")
	if path == "" {
		t.Skip("only run as a child of TestHostileInputsBoundedMemory")
	}
	res, err := Read(t.Context(), path, Options{}, func(batch.Row) error { return nil })
	out := childRead{Valid: res.Valid, Errors: len(res.Errors), MoreErrors: res.MoreErrors, PeakRSS: peakRSS(t)}
	if err != nil {
		out.Err = err.Error()
	}
	b, _ := json.Marshal(out)
	fmt.Printf("\nCHILD %s\n", b)
}

// peakRSS is this process's peak resident memory (VmHWM). The child measures it
// itself: its rusage would count the parent's peak too, as the child starts as
// a vfork of the parent.
func peakRSS(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	require.NoError(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			require.NoError(t, err)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// readInChild reads path in a child process and returns what it found and its
// peak resident memory in bytes.
func readInChild(t *testing.T, path string) (childRead, int64) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestChildRead$", "-test.count=1")
	cmd.Env = append(os.Environ(), "BULKPAY_CHILD_READ="+path)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var got childRead
	found := false
	for _, line := range strings.Split(string(out), "\n") {
		if b, ok := strings.CutPrefix(line, "CHILD "); ok {
			require.NoError(t, json.Unmarshal([]byte(b), &got))
			found = true
		}
	}
	require.True(t, found, "%s", out)
	return got, got.PeakRSS
}

// TestHostileInputsBoundedMemory builds the inputs that once took gigabytes (a
// csv of endless rows or one endless field, a file larger than any sheet, a zip
// bomb, a workbook of duplicate rows, a huge cell, millions of shared strings)
// and checks that each ends in its error, each within maxRSS of peak memory, and
// that the largest sheets allowed are read within it too.
func TestHostileInputsBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a few hundred MB of test files; slow")
	}
	dir := t.TempDir()
	bigCSV := func(name string, fill func(w *bufio.Writer)) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		require.NoError(t, err)
		w := bufio.NewWriterSize(f, 1<<20)
		fill(w)
		require.NoError(t, w.Flush())
		require.NoError(t, f.Close())
		return p
	}
	row := func(i int) string { return fmt.Sprintf("Bénéficiaire %d;%s;%d\n", i, phone(i), 1000+i) }
	cases := []struct {
		name    string
		make    func() string
		wantErr string // "" for a sheet that must read without error
		valid   int
	}{
		{"csv with more rows than allowed", func() string {
			return bigCSV("rows.csv", func(w *bufio.Writer) {
				w.WriteString("Nom;Téléphone;Montant\n")
				for i := 0; i < 250_000; i++ {
					w.WriteString(row(i))
				}
			})
		}, "row 200002: the sheet has more than 200 000 rows", 0},
		{"csv of one endless quoted field", func() string {
			return bigCSV("field.csv", func(w *bufio.Writer) {
				w.WriteString("Nom;Téléphone;Montant\n\"")
				for i := 0; i < 1_000_000; i++ {
					w.WriteString("la même ligne, encore et encore\n")
				}
			})
		}, "row 2: the row holds more than 1 MiB of text", 0},
		{"csv of one endless line", func() string {
			return bigCSV("line.csv", func(w *bufio.Writer) {
				w.WriteString("Nom;Téléphone;Montant\n")
				for i := 0; i < 1_000_000; i++ {
					w.WriteString("abcdefghijklmnopqrstuvwxyz;0123456789")
				}
			})
		}, "row 2: the row holds more than 1 MiB of text", 0},
		{"a file larger than any sheet", func() string {
			p := filepath.Join(dir, "huge.csv")
			f, err := os.Create(p)
			require.NoError(t, err)
			require.NoError(t, f.Truncate(2<<30)) // sparse: takes no disk
			require.NoError(t, f.Close())
			return p
		}, "is 2 GiB; bulkpay reads sheets of up to 256 MiB", 0},
		{"xlsx zip bomb", func() string {
			dup := inlineRow(2, "Jean Mbarga", "677123456", "150000")
			return writeZip(t, dir, "bomb.xlsx", xlsxParts([]string{"Paie"}, []func(io.Writer) error{
				rows(payHeader, 12_000_000, func(int) string { return dup })}, nil))
		}, "unpacks to more than 512 MiB", 0},
		{"xlsx of duplicate rows within the unpacked limit", func() string {
			return writeZip(t, dir, "dups.xlsx", xlsxParts([]string{"Paie"}, []func(io.Writer) error{
				rows(payHeader, 300_000, func(i int) string { return inlineRow(i+2, "Jean Mbarga", "677123456", "150000") })}, nil))
		}, "the sheet has more than 200 000 rows", 0},
		{"xlsx with a 50 MB cell", func() string {
			return writeZip(t, dir, "cell.xlsx", xlsxParts([]string{"Paie"}, []func(io.Writer) error{
				rows(payHeader, 1, func(int) string { return inlineRow(2, strings.Repeat("A", 50<<20), "677123456", "1000") })}, nil))
		}, "near row 2 has a run of text longer than 1 MiB", 0},
		{"xlsx with 5 million shared strings", func() string {
			sst := func(w io.Writer) error {
				bw := bufio.NewWriter(w)
				bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
				for i := 0; i < 5_000_000; i++ {
					fmt.Fprintf(bw, "<si><t>s%d</t></si>", i)
				}
				bw.WriteString(`</sst>`)
				return bw.Flush()
			}
			return writeZip(t, dir, "sst5m.xlsx", xlsxParts([]string{"Paie"}, []func(io.Writer) error{rows(payHeader, 0, nil)}, sst))
		}, "has more than 1 000 000 shared strings", 0},
		{"xlsx of 200 000 rows over a million shared strings", func() string {
			const n = 200_000
			sst := func(w io.Writer) error {
				bw := bufio.NewWriter(w)
				bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
				bw.WriteString(`<si><t>Nom</t></si><si><t>Téléphone</t></si><si><t>Montant</t></si>`)
				for i := 0; i < n; i++ {
					fmt.Fprintf(bw, "<si><t>Bénéficiaire numéro %d</t></si><si><t>%s</t></si>", i, phone(i))
				}
				for i := 2*n + 3; i < 999_990; i++ { // padding, as workbooks full of notes have
					fmt.Fprintf(bw, "<si><t>note %d</t></si>", i)
				}
				bw.WriteString(`</sst>`)
				return bw.Flush()
			}
			sheet := rows(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>`, n, func(i int) string {
				return fmt.Sprintf(`<row r="%d"><c r="A%d" t="s"><v>%d</v></c><c r="B%d" t="s"><v>%d</v></c><c r="C%d"><v>%d</v></c></row>`,
					i+2, i+2, 3+2*i, i+2, 4+2*i, i+2, 1000+i)
			})
			return writeZip(t, dir, "sst.xlsx", xlsxParts([]string{"Paie"}, []func(io.Writer) error{sheet}, sst))
		}, "", 200_000},
		{"xlsx with 8 MiB of styles", func() string {
			parts := xlsxParts([]string{"Paie"}, []func(io.Writer) error{rows(payHeader, 1, func(int) string { return inlineRow(2, "Jean", "677123456", "1000") })}, nil)
			parts = append(parts, part{"xl/styles.xml", func(w io.Writer) error {
				bw := bufio.NewWriter(w)
				bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>`)
				for i := 0; i < (8<<20-200)/5; i++ {
					bw.WriteString("<xf/>")
				}
				bw.WriteString(`</cellXfs></styleSheet>`)
				return bw.Flush()
			}})
			return writeZip(t, dir, "styles.xlsx", parts)
		}, "its part xl/styles.xml holds more than 100 000 XML elements", 0},
		{"xlsx with 2 MiB of tiny shared strings", func() string {
			sst := func(w io.Writer) error {
				bw := bufio.NewWriter(w)
				bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
				bw.WriteString(`<si><t>Nom</t></si><si><t>Téléphone</t></si><si><t>Montant</t></si><si><t>Jean</t></si><si><t>677123456</t></si>`)
				for i := 0; i < (xmlInMemory-400)/17; i++ {
					bw.WriteString("<si><t>a</t></si>")
				}
				bw.WriteString(`</sst>`)
				return bw.Flush()
			}
			sheet := rows(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>`, 1, func(i int) string {
				return `<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c><c r="C2"><v>1000</v></c></row>`
			})
			return writeZip(t, dir, "sstmem.xlsx", xlsxParts([]string{"Paie"}, []func(io.Writer) error{sheet}, sst))
		}, "", 1},
		{"xlsx at every limit at once", func() string {
			// 200 000 rows, 1 MiB of tiny shared strings (decoded in memory),
			// 12 MiB of pictures, and all the elements allowed in styles and theme.
			const n = 200_000
			sst := func(w io.Writer) error {
				bw := bufio.NewWriter(w)
				bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
				bw.WriteString(`<si><t>Nom</t></si><si><t>Téléphone</t></si><si><t>Montant</t></si>`)
				for i := 0; i < (xmlInMemory-300)/17; i++ {
					bw.WriteString("<si><t>a</t></si>")
				}
				bw.WriteString(`</sst>`)
				return bw.Flush()
			}
			sheet := rows(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>`, n, func(i int) string {
				return inlineRow(i+2, fmt.Sprintf("Bénéficiaire numéro %d", i), phone(i), strconv.Itoa(1000+i))
			})
			elems := func(name, open, elem, close string, count int) part {
				return part{name, func(w io.Writer) error {
					bw := bufio.NewWriter(w)
					bw.WriteString(open)
					for i := 0; i < count; i++ {
						bw.WriteString(elem)
					}
					bw.WriteString(close)
					return bw.Flush()
				}}
			}
			picture := func(w io.Writer) error { _, err := w.Write(make([]byte, 6<<20)); return err }
			parts := append(xlsxParts([]string{"Paie"}, []func(io.Writer) error{sheet}, sst),
				elems("xl/styles.xml", `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>`, `<xf/>`, `</cellXfs></styleSheet>`, 99_990),
				elems("xl/theme/theme1.xml", `<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:themeElements><a:fontScheme><a:majorFont>`,
					`<a:font script="x" typeface="y"/>`, `</a:majorFont></a:fontScheme></a:themeElements></a:theme>`, 19_900),
				part{"xl/media/image1.png", picture}, part{"xl/media/image2.png", picture})
			return writeZip(t, dir, "all.xlsx", parts)
		}, "", 200_000},
		{"csv of 200 000 valid rows", func() string {
			return bigCSV("valid.csv", func(w *bufio.Writer) {
				w.WriteString("Nom;Téléphone;Montant\n")
				for i := 0; i < 200_000; i++ {
					w.WriteString(row(i))
				}
			})
		}, "", 200_000},
	}
	// tens of seconds of a core each to build and read: with the full campaigns only
	full := map[string]bool{"xlsx zip bomb": true, "xlsx of duplicate rows within the unpacked limit": true,
		"xlsx of 200 000 rows over a million shared strings": true, "xlsx at every limit at once": true}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if full[tc.name] {
				campaign.RequireFull(t, "a sheet at the limits")
			}
			path := tc.make()
			got, rss := readInChild(t, path)
			t.Logf("%s: peak RSS %.1f MiB; %+v", filepath.Base(path), float64(rss)/(1<<20), got)
			if tc.wantErr == "" {
				assert.Empty(t, got.Err)
				assert.Equal(t, tc.valid, got.Valid)
			} else {
				assert.Contains(t, got.Err, tc.wantErr)
			}
			assert.LessOrEqual(t, got.Errors, DefaultLimits.MaxErrors)
			assert.Less(t, rss, int64(maxRSS), "peak RSS %d MiB", rss>>20)
			os.Remove(path)
		})
	}
}
