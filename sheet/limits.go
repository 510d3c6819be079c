package sheet

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"bulkpay/batch"
)

// Limits bound what reading one sheet may cost, whatever the file holds. A zero
// field takes its default (DefaultLimits).
type Limits struct {
	MaxFileBytes   int64 // the file on disk
	MaxRows        int   // non-blank rows below the header
	MaxRecordBytes int   // one row's text, counting 16 bytes per cell
	MaxCellBytes   int   // one cell's text
	MaxNameRunes   int   // a beneficiary's name
	MaxErrors      int   // row errors kept; the rest are counted in Result.MoreErrors

	// xlsx: the uncompressed size of every part together and of one worksheet or
	// shared-strings part, the number of parts and of shared strings.
	MaxUnzipBytes    int64
	MaxPartBytes     int64
	MaxMemPartBytes  int64 // one part read whole into memory (styles, workbook, media...)
	MaxMemTotalBytes int64 // every part read whole into memory, together
	MaxParts         int
	MaxSharedStrings int
	// XML elements of the parts excelize decodes whole (styles, workbook,
	// theme...), each costing a few hundred bytes once decoded.
	MaxPartElements  int
	MaxTotalElements int
}

// DefaultLimits hold any real payroll with room to spare and keep a hostile
// file's cost to well under 200 MB of memory.
var DefaultLimits = Limits{
	MaxFileBytes:     256 << 20,
	MaxRows:          200_000,
	MaxRecordBytes:   1 << 20,
	MaxCellBytes:     32 << 10,
	MaxNameRunes:     200,
	MaxErrors:        1000,
	MaxUnzipBytes:    512 << 20,
	MaxPartBytes:     256 << 20,
	MaxMemPartBytes:  8 << 20,
	MaxMemTotalBytes: 16 << 20,
	MaxParts:         10_000,
	MaxSharedStrings: 1_000_000,
	MaxPartElements:  100_000,
	MaxTotalElements: 120_000,
}

// xmlInMemory is excelize's UnzipXMLSizeLimit: a worksheet or shared-strings part
// up to this size is decoded in memory, a larger one is unpacked to a temporary
// file and streamed from there.
const xmlInMemory = 1 << 20

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	set64 := func(v *int64, def int64) {
		if *v <= 0 {
			*v = def
		}
	}
	set := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	set64(&l.MaxFileBytes, d.MaxFileBytes)
	set(&l.MaxRows, d.MaxRows)
	set(&l.MaxRecordBytes, d.MaxRecordBytes)
	set(&l.MaxCellBytes, d.MaxCellBytes)
	set(&l.MaxNameRunes, d.MaxNameRunes)
	set(&l.MaxErrors, d.MaxErrors)
	set64(&l.MaxUnzipBytes, d.MaxUnzipBytes)
	set64(&l.MaxPartBytes, d.MaxPartBytes)
	set64(&l.MaxMemPartBytes, d.MaxMemPartBytes)
	set64(&l.MaxMemTotalBytes, d.MaxMemTotalBytes)
	set(&l.MaxParts, d.MaxParts)
	set(&l.MaxSharedStrings, d.MaxSharedStrings)
	set(&l.MaxPartElements, d.MaxPartElements)
	set(&l.MaxTotalElements, d.MaxTotalElements)
	return l
}

// InputError says why a file cannot be read as a sheet at all: what it is, its
// size, its shape. Row is the spreadsheet row it concerns, 0 for the whole file.
// errors.Is(err, ErrFormat) holds for every InputError.
type InputError struct {
	File string // the file's base name
	Row  int
	Msg  string // what is wrong and what to do
}

func (e *InputError) Error() string {
	if e.Row > 0 {
		return fmt.Sprintf("%s, row %d: %s", e.File, e.Row, e.Msg)
	}
	return e.File + ": " + e.Msg
}

func (e *InputError) Is(target error) bool { return target == ErrFormat }

func inputErr(path string, row int, format string, args ...any) *InputError {
	return &InputError{File: filepath.Base(path), Row: row, Msg: fmt.Sprintf(format, args...)}
}

// interrupted is the error of a read stopped by its context (Ctrl-C, SIGTERM).
func interrupted(path string) error {
	return fmt.Errorf("reading %s stopped: %w; nothing was sent", filepath.Base(path), batch.ErrInterrupted)
}

// size writes a byte count for people: 512 bytes, 32 KiB, 2.0 GiB.
func size(n int64) string {
	switch {
	case n < 1<<10:
		return strconv.FormatInt(n, 10) + " bytes"
	case n < 1<<20:
		return trimZero(float64(n)/(1<<10)) + " KiB"
	case n < 1<<30:
		return trimZero(float64(n)/(1<<20)) + " MiB"
	default:
		return trimZero(float64(n)/(1<<30)) + " GiB"
	}
}

func trimZero(f float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(f, 'f', 1, 64), ".0")
}

// count writes a whole number with spaces between thousands: 200 000.
func count(n int) string { return batch.Money(int64(n)) }

// shorten keeps an error's value readable: at most 60 characters of it.
func shorten(s string) string {
	const keep = 60
	if len(s) <= keep {
		return s
	}
	cut := keep
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%s in all)", s[:cut], size(int64(len(s))))
}
