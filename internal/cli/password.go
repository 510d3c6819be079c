package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"bulkpay/batch"
	"bulkpay/identity"
)

// NewPassword reads a new password for name and hashes it: from the terminal
// without echo, twice (prompts on prompt), when in is one; else the first
// line of in. Never from argv. A password the two readings differ on, or
// too short or too long, is invalid input (batch.ErrInvalid).
func NewPassword(in io.Reader, prompt io.Writer, name string) (string, error) {
	var pw string
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		first, err := readHidden(f, prompt, fmt.Sprintf("Password for %s: ", name))
		if err != nil {
			return "", err
		}
		again, err := readHidden(f, prompt, "Again: ")
		if err != nil {
			return "", err
		}
		if !identity.Equal(first, again) {
			return "", fmt.Errorf("%w: the two passwords differ", batch.ErrInvalid)
		}
		pw = first
	} else {
		line, err := bufio.NewReader(io.LimitReader(in, identity.MaxPassword+2)).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("read password from stdin: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	hash, err := identity.HashPassword(pw)
	if err != nil {
		return "", fmt.Errorf("%w: %v", batch.ErrInvalid, err)
	}
	return hash, nil
}

// readHidden reads a line from the terminal f without echo, after label.
func readHidden(f *os.File, prompt io.Writer, label string) (string, error) {
	fmt.Fprint(prompt, label)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(prompt)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return string(b), nil
}
