//go:build unix

package sheet

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRefusesWhatIsNotARegularFile: a pipe used to block forever and /dev/zero
// to stream until memory ran out; each is now refused before it is opened.
func TestRefusesWhatIsNotARegularFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pay.csv")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	folder := filepath.Join(dir, "pay.xlsx")
	require.NoError(t, os.Mkdir(folder, 0o700))
	link := filepath.Join(dir, "zero.csv")
	require.NoError(t, os.Symlink("/dev/zero", link))
	cases := []struct {
		name, path, want string
	}{
		{"named pipe", fifo, "pay.csv: is a named pipe (FIFO), not a regular file: bulkpay reads sheets from files only; save the sheet to a file first"},
		{"directory named .xlsx", folder, "pay.xlsx: is a directory, not a sheet: give the path of an .xlsx or .csv file"},
		{"link to /dev/zero named .csv", link, "zero.csv: is a device, not a regular file"},
		{"/dev/zero", "/dev/zero", "zero: is a device, not a regular file"},
		{"missing file", filepath.Join(dir, "absent.xlsx"), "absent.xlsx: no such file: check the path and the file name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadAll(t.Context(), tc.path, Options{})
			require.ErrorIs(t, err, ErrFormat)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
