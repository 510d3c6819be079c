// Package sheettest writes large payroll sheets for benchmarks.
package sheettest
