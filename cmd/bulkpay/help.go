package main

import (
	"embed"

	"bulkpay/internal/cli"
)

// helpTexts are the commands' long help texts, one file each.
//
//go:embed help/*.txt
var helpTexts embed.FS

// long is the long help of a command, from help/NAME.txt.
func long(name string) string { return cli.Long(helpTexts, name) }
