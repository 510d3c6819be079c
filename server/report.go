package server

import (
	"net/http"
	"os"
	"path"
	"path/filepath"
	"time"

	"bulkpay/reports"
)

// reportFiles maps a download's name to the file reports writes and its type.
var reportFiles = map[string][2]string{
	"report.xlsx": {"reconciliation.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	"report.csv":  {"reconciliation.csv", "text/csv; charset=utf-8"},
	"report.json": {"summary.json", "application/json"},
}

// report writes the batch's reports from the ledger (as `bulkpay report`)
// into a private temporary folder and sends the one asked for.
func (s *Server) report(w http.ResponseWriter, r *http.Request, rq *request) {
	b, _, ok := s.loadBatch(w, r, rq)
	if !ok {
		return
	}
	f := reportFiles[path.Base(r.URL.Path)]
	tmp, err := os.MkdirTemp("", "bulkpay-report-")
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	defer os.RemoveAll(tmp)
	dir, err := reports.FromLedger(r.Context(), s.opt.Store, b, tmp)
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	body, err := os.Open(filepath.Join(dir, f[0]))
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	defer body.Close()
	s.opt.Log.Info("report downloaded", "batch", b.Reference, "user", rq.User.Name, "file", f[0])
	w.Header().Set("Content-Type", f[1])
	w.Header().Set("Content-Disposition", `attachment; filename="`+reports.Dir("", b)+"-"+f[0]+`"`)
	http.ServeContent(w, r, "", time.Time{}, body) // no modification time: a report changes as the batch does
}
