package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Version names this build: set, the version given at build time (main's
// version, -ldflags "-X main.version=v1.4.0"), else the module's version, else
// "devel", with the commit it was built from.
func Version(set string) string {
	info, ok := debug.ReadBuildInfo()
	v := set
	if v == "" {
		v = "devel"
		if ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
	}
	var rev, modified string
	if ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if modified == "true" {
			rev += ", modified"
		}
		v += " (commit " + rev + ")"
	}
	if ok {
		v += " " + info.GoVersion
	}
	return v
}

// ErrUsage is a command typed wrongly: nothing was sent. A *UsageError is one.
var ErrUsage = errors.New("a command typed wrongly")

// UsageError is a command typed wrongly: a missing argument, an unknown flag, a
// flag without its required companion. Nothing was sent, so it exits 2 like
// invalid input, but it says what to type rather than "invalid input".
type UsageError struct{ msg string }

func (e *UsageError) Error() string { return e.msg }

// Is makes a UsageError count as ErrUsage.
func (e *UsageError) Is(target error) bool { return target == ErrUsage }

// Usagef is a UsageError that says what to type.
func Usagef(format string, args ...any) error {
	return &UsageError{msg: fmt.Sprintf(format, args...)}
}

// ForPeople makes every command's mistakes readable: a wrong number of
// arguments names what is missing and prints the usage line; a file that
// cannot be opened is said once, with what to do.
func ForPeople(c *cobra.Command) {
	if c.Args == nil && c.HasSubCommands() {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			msg := fmt.Sprintf("unknown command %q", args[0])
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(s, " or "))
			}
			return Usagef("%s\nusage: %s COMMAND (see %s --help)", msg, cmd.CommandPath(), cmd.CommandPath())
		}
	} else if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return Usagef("%s\nusage: %s (see %s --help)", argProblem(cmd, args, err), cmd.UseLine(), cmd.CommandPath())
			}
			return nil
		}
	}
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error { return ExplainFile(run(cmd, args)) }
	}
	if pre := c.PersistentPreRunE; pre != nil {
		c.PersistentPreRunE = func(cmd *cobra.Command, args []string) error { return ExplainFile(pre(cmd, args)) }
	}
	for _, sub := range c.Commands() {
		ForPeople(sub)
	}
}

// argNames are the arguments a command's Use line names: "resolve BATCH ITEM
// --as ..." → BATCH, ITEM.
func argNames(cmd *cobra.Command) []string {
	var out []string
	for _, w := range strings.Fields(cmd.Use)[1:] {
		if strings.HasPrefix(w, "-") || strings.HasPrefix(w, "[") {
			break
		}
		out = append(out, w)
	}
	return out
}

func argProblem(cmd *cobra.Command, args []string, err error) string {
	names := argNames(cmd)
	switch {
	case len(args) < len(names):
		return "missing " + strings.Join(names[len(args):], " and ")
	case len(args) > len(names) && len(names) == 0:
		return fmt.Sprintf("%s takes no argument (got %q)", cmd.CommandPath(), strings.Join(args, " "))
	case len(args) > len(names):
		return fmt.Sprintf("too many arguments: %s takes %s (got %q)", cmd.CommandPath(), strings.Join(names, " "), strings.Join(args, " "))
	}
	return err.Error()
}

// FlagError says what was wrong with a flag, suggests the flag that was
// probably meant, and prints the usage line.
func FlagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	var ne *pflag.NotExistError
	if errors.As(err, &ne) && ne.GetSpecifiedName() != "" {
		if s := SuggestFlag(cmd.Flags(), ne.GetSpecifiedName()); s != "" {
			msg += fmt.Sprintf(" (did you mean --%s?)", s)
		}
	}
	return Usagef("%s\nusage: %s (see %s --help)", msg, cmd.UseLine(), cmd.CommandPath())
}

// SuggestFlag finds the flag of fs that name most likely misspells: the
// closest within two edits, else the flags that begin with name.
func SuggestFlag(fs *pflag.FlagSet, name string) string {
	best, bestD := "", 3
	var prefixed []string
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		if d := editDistance(name, f.Name); d < bestD {
			best, bestD = f.Name, d
		}
		if strings.HasPrefix(f.Name, name) {
			prefixed = append(prefixed, f.Name)
		}
	})
	if best != "" || len(prefixed) == 0 {
		return best
	}
	sort.Strings(prefixed)
	last := len(prefixed) - 1
	if last == 0 {
		return prefixed[0]
	}
	return strings.Join(prefixed[:last], ", --") + " or --" + prefixed[last]
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// fileError is an error about a file, said once and followed by what to do.
type fileError struct {
	msg string
	err error
}

func (e *fileError) Error() string { return e.msg }
func (e *fileError) Unwrap() error { return e.err }

// ExplainFile rewrites an error about a file that could not be opened or read
// so that the file and the reason are said once ("open f.xlsx: no such file or
// directory", not "open f.xlsx: open f.xlsx: ...") with what to do.
func ExplainFile(err error) error {
	var pe *fs.PathError
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	var fe *fileError
	if errors.As(err, &fe) {
		return err
	}
	msg := err.Error()
	if outer, ok := strings.CutSuffix(msg, pe.Error()); ok {
		outer = strings.TrimSuffix(outer, ": ")
		if strings.HasSuffix(outer, pe.Path) || strings.HasSuffix(outer, filepath.Base(pe.Path)) {
			msg = outer + ": " + pe.Err.Error() // the outer words already name the file
		}
	}
	switch {
	case errors.Is(pe.Err, fs.ErrNotExist):
		where := ""
		if !filepath.IsAbs(pe.Path) {
			if wd, werr := os.Getwd(); werr == nil {
				where = " (relative paths start in " + wd + ")"
			}
		}
		msg += ": check the file's name and folder" + where
	case errors.Is(pe.Err, fs.ErrPermission):
		msg += ": this user may not open it; check the file's and the folder's permissions"
	case errors.Is(pe.Err, syscall.EISDIR):
		msg += ": that is a folder; give the file inside it"
	}
	return &fileError{msg: msg, err: err}
}

// Long is a command's long help, from help/NAME.txt in texts.
func Long(texts fs.FS, name string) string {
	b, err := fs.ReadFile(texts, "help/"+name+".txt")
	if err != nil {
		panic(err) // a file missing from the build
	}
	return strings.TrimSuffix(string(b), "\n")
}
