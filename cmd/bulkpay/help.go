package main

import (
	"embed"
	"strings"
)

// helpTexts are the commands' long help texts, one file each.
//
//go:embed help/*.txt
var helpTexts embed.FS

// long is the long help of a command, from help/NAME.txt.
func long(name string) string {
	b, err := helpTexts.ReadFile("help/" + name + ".txt")
	if err != nil {
		panic(err) // a file missing from the build
	}
	return strings.TrimSuffix(string(b), "\n")
}
