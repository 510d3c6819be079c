package server

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	xlang "golang.org/x/text/language"
)

// The languages of the pages: English and French, from the language cookie
// (the switch in every page's header), else the browser's Accept-Language.
var (
	langs   = []xlang.Tag{xlang.English, xlang.French}
	matcher = xlang.NewMatcher(langs)
)

func language(r *http.Request) string {
	var cookie string
	if c, err := r.Cookie(langCookie); err == nil {
		cookie = c.Value
	}
	_, i := xlang.MatchStrings(matcher, cookie, r.Header.Get("Accept-Language"))
	if i == 1 {
		return "fr"
	}
	return "en"
}

// setLang switches the language and goes back to the page it was asked from
// (a path of this site only).
func (s *Server) setLang(w http.ResponseWriter, r *http.Request, rq *request) {
	lang := r.PathValue("lang")
	if _, ok := catalog[lang]; !ok {
		s.fail(w, rq, http.StatusNotFound, rq.T["not_found"])
		return
	}
	c := s.cookie(langCookie, lang, 365*24*3600)
	c.HttpOnly = false
	http.SetCookie(w, c)
	back := "/"
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && strings.HasPrefix(ref.Path, "/") && !strings.HasPrefix(ref.Path, "//") {
		back = ref.Path
		if ref.RawQuery != "" {
			back += "?" + ref.RawQuery
		}
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// catalog holds every text of the pages, by language: texts/<lang>.json, one
// key to a text, claim pages included. A test checks that every key a page or
// handler uses is in both.
var catalog = loadCatalog(texts, "en", "fr")

//go:embed texts/*.json
var texts embed.FS

// loadCatalog reads each language's texts; a file that is missing or not a
// JSON object of strings is a bug of the build, so it panics.
func loadCatalog(fsys fs.FS, langs ...string) map[string]map[string]string {
	c := make(map[string]map[string]string, len(langs))
	for _, lang := range langs {
		data, err := fs.ReadFile(fsys, "texts/"+lang+".json")
		if err != nil {
			panic(fmt.Sprintf("server: the texts of %s: %v", lang, err))
		}
		var m map[string]string
		if err := json.Unmarshal(data, &m); err != nil {
			panic(fmt.Sprintf("server: the texts of %s: %v", lang, err))
		}
		c[lang] = m
	}
	return c
}
