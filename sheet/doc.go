// Package sheet reads a beneficiary spreadsheet (xlsx or csv) into validated rows
// and a list of row errors, each naming its row, column and value.
package sheet
