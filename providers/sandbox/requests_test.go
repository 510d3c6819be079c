package sandbox

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMostInWindow(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	req := func(p string, ms int) Request {
		return Request{Provider: p, At: t0.Add(time.Duration(ms) * time.Millisecond)}
	}
	tests := []struct {
		name string
		reqs []Request
		most int
		from int
	}{
		{"none", nil, 0, -1},
		{"one", []Request{req("campay", 5)}, 1, 5},
		{"a window's end is out", []Request{req("campay", 0), req("campay", 999), req("campay", 1000)}, 2, 0},
		{"the busiest second, in any order", []Request{req("campay", 1900), req("campay", 100), req("campay", 1200), req("campay", 1500), req("campay", 2300)}, 3, 1200},
		{"other providers apart", []Request{req("camoo", 0), req("camoo", 1), req("campay", 2)}, 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			most, from := MostInWindow(tt.reqs, "campay", time.Second)
			assert.Equal(t, tt.most, most)
			if tt.from >= 0 {
				assert.Equal(t, t0.Add(time.Duration(tt.from)*time.Millisecond), from)
			}
		})
	}
}

func TestRequestLogKeepsWhatArrived(t *testing.T) {
	t.Parallel()
	srv, err := New(Options{})
	require.NoError(t, err)
	defer srv.Close()
	for _, path := range []string{"/campay/api/token/", "/camoo/v1/payment/x", "/_sandbox/payouts"} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	}
	got := srv.Requests()
	require.Len(t, got, 2, "the admin endpoints are not a provider's requests")
	assert.Equal(t, "campay", got[0].Provider)
	assert.Equal(t, "/campay/api/token/", got[0].Path)
	assert.Equal(t, "camoo", got[1].Provider)
}
