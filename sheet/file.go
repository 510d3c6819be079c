package sheet

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// openRegular opens a sheet file for reading, refusing anything that is not a
// regular file (a directory, a named pipe, a device such as /dev/zero) before it
// can block or stream forever, and a file larger than the limit. The file is
// opened without blocking, so a pipe put in its place after the check cannot
// hang the read either.
func openRegular(path string, lim Limits) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, openErr(path, err)
	}
	if err := regular(path, fi, lim); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, openErr(path, err)
	}
	if fi, err = f.Stat(); err != nil {
		f.Close()
		return nil, openErr(path, err)
	}
	if err := regular(path, fi, lim); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func openErr(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return inputErr(path, 0, "no such file: check the path and the file name")
	case errors.Is(err, fs.ErrPermission):
		return inputErr(path, 0, "permission denied: bulkpay may not read this file; check its permissions")
	}
	return inputErr(path, 0, "cannot be opened (%v)", err)
}

// regular refuses what is not a regular file or is too large to be a sheet.
func regular(path string, fi fs.FileInfo, lim Limits) error {
	m := fi.Mode()
	switch {
	case m.IsDir():
		return inputErr(path, 0, "is a directory, not a sheet: give the path of an .xlsx or .csv file")
	case m&fs.ModeNamedPipe != 0:
		return inputErr(path, 0, "is a named pipe (FIFO), not a regular file: bulkpay reads sheets from files only; save the sheet to a file first")
	case m&fs.ModeDevice != 0:
		return inputErr(path, 0, "is a device, not a regular file: bulkpay reads sheets from files only; give the path of an .xlsx or .csv file")
	case m&fs.ModeSocket != 0:
		return inputErr(path, 0, "is a socket, not a regular file: bulkpay reads sheets from files only; give the path of an .xlsx or .csv file")
	case !m.IsRegular():
		return inputErr(path, 0, "is not a regular file: bulkpay reads sheets from files only; give the path of an .xlsx or .csv file")
	case fi.Size() > lim.MaxFileBytes:
		return inputErr(path, 0, "is %s; bulkpay reads sheets of up to %s: split it into smaller sheets", size(fi.Size()), size(lim.MaxFileBytes))
	}
	return nil
}
