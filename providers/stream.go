package providers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// EntryTooLarge is the error of EachJSON when one value of the answer is
// longer than the limit: a hostile or broken answer, never silently cut.
type EntryTooLarge struct{ Limit int64 }

func (e *EntryTooLarge) Error() string {
	return fmt.Sprintf("an entry of the answer is larger than %d bytes, not read", e.Limit)
}

// EachJSON reads a JSON object from body and calls fn with each element of
// its array at key, decoded into a new E, in order, as the elements arrive:
// however long the array, one element is held at a time. No element, nor any
// other value of the object, may be longer than limit bytes (MaxAnswer when
// 0), counting the comma or colon and the spaces before it: such a value is
// an *EntryTooLarge error. An object with key null has no elements; one
// without key is not the answer asked for (an error, never an empty list,
// so that a history nobody read is not taken for one without payouts). An
// error of fn stops the reading and is returned as it is; any other error
// says the answer is cut off or not such an object, and Stream makes it the
// request's *Error.
func EachJSON[E any](body io.Reader, key string, limit int64, fn func(E) error) error {
	if limit <= 0 {
		limit = MaxAnswer
	}
	w := &window{r: body, limit: limit}
	var fnErr error
	err := eachJSON(w, key, func(e E) error {
		fnErr = fn(e)
		return fnErr
	})
	if err == nil || fnErr != nil {
		return err
	}
	return &unreadable{err: err, cut: w.err != nil || errors.Is(err, io.ErrUnexpectedEOF)}
}

func eachJSON[E any](w *window, key string, fn func(E) error) error {
	dec := json.NewDecoder(w)
	w.dec = dec
	if err := delim(dec, '{'); err != nil {
		return err
	}
	// the window is marked after each value read, before the decoder looks
	// for the next one, so that it has its whole limit
	w.mark()
	found := false
	for dec.More() {
		w.mark()
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		w.mark()
		if name != key {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
			w.mark()
			continue
		}
		found = true
		tok, err = dec.Token()
		if err != nil {
			return err
		}
		w.mark()
		if tok == nil { // null: no elements
			continue
		}
		if tok != json.Delim('[') {
			return fmt.Errorf("%w: %q is not an array", errShape, key)
		}
		for dec.More() {
			w.mark()
			var e E
			if err := dec.Decode(&e); err != nil {
				return err
			}
			w.mark()
			if err := fn(e); err != nil {
				return err
			}
		}
		if err := delim(dec, ']'); err != nil {
			return err
		}
		w.mark()
	}
	if err := delim(dec, '}'); err != nil {
		return err
	}
	if !found { // another answer than the one asked for: not an empty list
		return fmt.Errorf("%w: no %q in the answer", errShape, key)
	}
	return nil
}

// unreadable is an answer EachJSON could not read: cut off, not the JSON
// expected, or holding a value longer than its limit.
type unreadable struct {
	err error
	cut bool // the answer ended early, or its reading failed
}

func (u *unreadable) Error() string { return u.err.Error() }
func (u *unreadable) Unwrap() error { return u.err }

// errShape is JSON that is not what EachJSON reads.
var errShape = errors.New("not the JSON expected")

// delim reads the next token, which must be d.
func delim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("%w: expected %q, found %v", errShape, d, tok)
	}
	return nil
}

// window reads from r at most limit bytes beyond the decoder's position at
// the last mark: the decoder may read ahead, but never hold more than one
// value of limit bytes (and what follows it in the same read).
type window struct {
	r     io.Reader
	dec   *json.Decoder
	limit int64
	read  int64 // bytes read from r
	base  int64 // the decoder's offset at the last mark
	err   error // r's error other than io.EOF: the answer could not be read
}

func (w *window) mark() { w.base = w.dec.InputOffset() }

func (w *window) Read(p []byte) (int, error) {
	room := w.base + w.limit - w.read
	if room <= 0 {
		w.err = &EntryTooLarge{Limit: w.limit}
		return 0, w.err
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := w.r.Read(p)
	w.read += int64(n)
	if err != nil && err != io.EOF {
		w.err = err
	}
	return n, err
}
