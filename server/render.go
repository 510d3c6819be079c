package server

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"bulkpay/batch"
	"bulkpay/identity"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// page is what every template gets.
type page struct {
	T       map[string]string
	Lang    string
	User    identity.User
	CSRF    string
	Sandbox bool
	Message string    // why an action was refused, above the page
	Until   time.Time // a time the message ends with (a lock's end), when not zero
	Path    string
	Data    any
	Brand   string // a public page's organisation, in place of the app's name and menu
	Refresh int    // reload the page after this many seconds (a payout in progress)
}

var funcs = template.FuncMap{
	"money":  money,
	"profit": profitText,
	"when":   when,
	"state": func(t map[string]string, s batch.State) string {
		if v, ok := t["state_"+string(s)]; ok {
			return v
		}
		return string(s)
	},
	"count": func(c batch.Counts, s batch.State) int { return c[s] },
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12]
		}
		return s
	},
	"is": func(r identity.Role, name string) bool { return string(r) == name },
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
}

// money writes an amount as people write it: 4 679 000 FCFA (the CFA franc
// is written FCFA).
func money(amount int64, currency string) string {
	switch currency {
	case "XAF", "XOF":
		currency = "FCFA"
	}
	return strings.TrimSpace(batch.Money(amount) + " " + currency)
}

// when writes a time in UTC; the page's script shows it in the reader's zone.
func when(t time.Time) template.HTML {
	if t.IsZero() {
		return ""
	}
	u := t.UTC()
	return template.HTML(`<time datetime="` + u.Format(time.RFC3339) + `">` + u.Format("2006-01-02 15:04 UTC") + `</time>`)
}

// parsePages parses each page with the layout.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, err
		}
		out[base] = t
	}
	return out, nil
}

// render writes a page: the layout around the named template, with msg
// (a refusal) above it.
func (s *Server) render(w http.ResponseWriter, rq *request, status int, name, msg string, data any) {
	p := page{T: rq.T, Lang: rq.Lang, User: rq.User, CSRF: rq.Session.CSRF, Sandbox: s.Sandbox(), Message: msg, Data: data}
	if l, ok := data.(lockedUntil); ok {
		p.Until = l.Until
	}
	if v, ok := data.(claimView); ok {
		p.Brand = v.Org
		if msg != "" {
			p.Until = v.Until
		}
		if v.State == "claimed" && v.Progress == "in_progress" {
			p.Refresh = 3
		}
	}
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.opt.Log.Error("render page", "page", name, "err", err)
		http.Error(w, rq.T["internal"], http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail answers with a page saying what went wrong.
func (s *Server) fail(w http.ResponseWriter, rq *request, status int, msg string) {
	s.render(w, rq, status, "error.html", msg, nil)
}

// internal answers 500 without the error's text (it may name files): the log
// has it.
func (s *Server) internal(w http.ResponseWriter, rq *request, err error) {
	s.opt.Log.Error("request failed", "user", rq.User.Name, "err", err)
	s.fail(w, rq, http.StatusInternalServerError, rq.T["internal"])
}

// static serves the embedded script and style sheet.
func (s *Server) static(w http.ResponseWriter, r *http.Request, rq *request) {
	name := r.PathValue("file")
	body, err := staticFS.ReadFile("static/" + name)
	if err != nil {
		s.fail(w, rq, http.StatusNotFound, rq.T["not_found"])
		return
	}
	switch path.Ext(name) {
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(body)
}
