package proxy

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
)

// TestPrefetchBody: a chunked body that ends within mod_proxy_http's
// prefetch is sent with its length; a longer one streams whole; a
// decoding error in the prefetched part is reported before the backend.
func TestPrefetchBody(t *testing.T) {
	long := strings.Repeat("x", proxyPrefetch+10)
	badErr := errors.New("invalid byte in chunk length")
	for _, tc := range []struct {
		name     string
		body     io.Reader
		length   int64
		wantLen  int64
		wantBody string
		wantErr  error
	}{
		{name: "short", body: strings.NewReader("hello"), length: -1, wantLen: 5, wantBody: "hello"},
		{name: "empty", body: strings.NewReader(""), length: -1, wantLen: 0, wantBody: ""},
		{name: "long", body: strings.NewReader(long), length: -1, wantLen: -1, wantBody: long},
		{name: "exactly the prefetch", body: strings.NewReader(long[:proxyPrefetch]), length: -1, wantLen: -1, wantBody: long[:proxyPrefetch]},
		{name: "bad", body: io.MultiReader(strings.NewReader("hel"), iotest.ErrReader(badErr)), length: -1, wantLen: -1, wantErr: badErr},
		{name: "with length", body: strings.NewReader("hello"), length: 5, wantLen: 5, wantBody: "hello"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", io.NopCloser(tc.body))
			r.ContentLength = tc.length
			cb := prefetchBody(r)
			if tc.wantErr != nil {
				if cb == nil || !errors.Is(cb.err, tc.wantErr) {
					t.Fatalf("error %v, want %v", cb, tc.wantErr)
				}
				return
			}
			if cb != nil && cb.err != nil {
				t.Fatalf("unexpected error %v", cb.err)
			}
			if r.ContentLength != tc.wantLen {
				t.Errorf("ContentLength %d, want %d", r.ContentLength, tc.wantLen)
			}
			b, err := io.ReadAll(r.Body)
			if err != nil || string(b) != tc.wantBody {
				t.Errorf("body %d bytes (%v), want %d", len(b), err, len(tc.wantBody))
			}
		})
	}
	// A late error is recorded for the proxy's error handler.
	r := httptest.NewRequest("POST", "/", io.NopCloser(io.MultiReader(strings.NewReader(long), iotest.ErrReader(badErr))))
	r.ContentLength = -1
	cb := prefetchBody(r)
	if cb == nil || cb.err != nil {
		t.Fatalf("prefetch: %v", cb)
	}
	if _, err := io.ReadAll(r.Body); !errors.Is(err, badErr) || !errors.Is(cb.err, badErr) {
		t.Errorf("late error %v, recorded %v", err, cb.err)
	}
}

// TestClientBodyStatus: a chunk size over what a number holds is 413,
// any other decoding error 400.
func TestClientBodyStatus(t *testing.T) {
	for msg, want := range map[string]int{
		"http chunk length too large":  http.StatusRequestEntityTooLarge,
		"invalid byte in chunk length": http.StatusBadRequest,
		"malformed chunked encoding":   http.StatusBadRequest,
		"unexpected EOF":               http.StatusBadRequest,
	} {
		if got := clientBodyStatus(errors.New(msg)); got != want {
			t.Errorf("%q: %d, want %d", msg, got, want)
		}
	}
}
