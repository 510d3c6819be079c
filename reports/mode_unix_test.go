//go:build unix

package reports

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Not parallel: the umask belongs to the whole process.
func TestReportsArePrivateWhateverTheUmask(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })

	mode := func(path string) fs.FileMode {
		t.Helper()
		info, err := os.Stat(path)
		require.NoError(t, err)
		return info.Mode().Perm()
	}
	checkFiles := func(dir string) {
		t.Helper()
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		require.NotEmpty(t, entries)
		for _, e := range entries {
			assert.Equal(t, fs.FileMode(0o600).String(), mode(filepath.Join(dir, e.Name())).String(), e.Name())
		}
	}

	t.Run("new folders", func(t *testing.T) {
		root := filepath.Join(t.TempDir(), "out", "bulkpay-reports")
		dir, err := WriteAll(root, fixture())
		require.NoError(t, err)
		assert.Equal(t, fs.FileMode(0o700).String(), mode(filepath.Dir(root)).String(), "a missing parent is created private")
		assert.Equal(t, fs.FileMode(0o700).String(), mode(root).String())
		assert.Equal(t, fs.FileMode(0o700).String(), mode(dir).String())
		checkFiles(dir)
	})

	t.Run("folders left wide by an older version", func(t *testing.T) {
		root := t.TempDir()
		require.NoError(t, os.Chmod(root, 0o755))
		dir := Dir(root, fixture().Batch)
		require.NoError(t, os.Mkdir(dir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "reconciliation.csv"), []byte("old"), 0o644))
		_, err := WriteAll(root, fixture())
		require.NoError(t, err)
		assert.Equal(t, fs.FileMode(0o755).String(), mode(root).String(), "a folder the user chose is left as it is")
		assert.Equal(t, fs.FileMode(0o700).String(), mode(dir).String(), "the batch's folder is made private")
		checkFiles(dir)
	})
}
