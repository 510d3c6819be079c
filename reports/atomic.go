package reports

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Reports hold names and phone numbers: their folders are 0700 and their files
// 0600, whatever the umask.
const (
	dirMode  fs.FileMode = 0o700
	fileMode fs.FileMode = 0o600
)

// mkdirPrivate creates dir (a batch's folder) and any missing parent with mode
// 0700, and makes dir itself 0700 even when an older version created it wider.
// Folders that already existed above it are left as they are: they may be the
// user's own.
func mkdirPrivate(dir string) error {
	if err := mkdirMissing(dir); err != nil {
		return err
	}
	return os.Chmod(dir, dirMode)
}

func mkdirMissing(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case err == nil && info.IsDir():
		return nil
	case err == nil:
		return fmt.Errorf("%s is not a directory", dir)
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirMissing(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, dirMode); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		return err
	}
	return os.Chmod(dir, dirMode) // the umask may take bits away, never adds any
}

// writeAtomic writes a file through a temporary file in the same directory, synced
// and then renamed over the target, so a reader never sees half a report. The
// file is 0600 and its folder 0700.
func writeAtomic(path string, write func(*os.File) error) error {
	dir := filepath.Dir(path)
	if err := mkdirPrivate(dir); err != nil {
		return fmt.Errorf("create report directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("create report: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(fileMode); err != nil {
		tmp.Close()
		return err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write report: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("publish report: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
