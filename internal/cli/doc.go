// Package cli is the command line's plumbing for people: mistakes said with
// what to type, file errors said once, --wait's optional duration, the version.
package cli
