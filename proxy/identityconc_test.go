package proxy

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestIdentityConcurrentSessions: sessions whose identity headers stay out
// of the header map (each with its own access token), sent at once over
// pooled backend connections, on the synchronous path and the fallback
// (a body), with and without a RequestHeader edit: every backend request
// carries its own session's token, once. Run with -race, it also checks
// that the shared oidc.IdentityHeaders are only read.
func TestIdentityConcurrentSessions(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		var toks, subs []string
		for k, vv := range r.Header {
			switch strings.ToLower(k) {
			case "oidc_access_token":
				toks = append(toks, vv...)
			case "oidc_claim_sub":
				subs = append(subs, vv...)
			}
		}
		fmt.Fprintf(w, "%s|%s", strings.Join(toks, ","), strings.Join(subs, ","))
	}))
	t.Cleanup(echo.Close)
	s := newOIDCSite(t, "zoe", "  Require valid-user",
		"<Location /echo>\n  ProxyPass http://"+echo.Listener.Addr().String()+"/echo\n</Location>",
		"<Location /echo/edited>\n  RequestHeader set X-Edited 1\n</Location>")
	const sessions, rounds = 4, 25
	clients := make([]*http.Client, sessions)
	tokens := make([]string, sessions)
	for i := range clients {
		clients[i] = browser(t)
		resp, body := get(t, clients[i], s.front.URL+"/echo/first", nil)
		tok, sub, _ := strings.Cut(body, "|")
		if resp.StatusCode != 200 || tok == "" || strings.Contains(tok, ",") || sub != "zoe" {
			t.Fatalf("session %d: %d %q", i, resp.StatusCode, body)
		}
		for j := 0; j < i; j++ {
			if tokens[j] == tok {
				t.Fatalf("sessions %d and %d share the access token; the test cannot tell them apart", i, j)
			}
		}
		tokens[i] = tok
	}
	var wg sync.WaitGroup
	errs := make(chan string, sessions*rounds*3)
	for i := range clients {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for n := 0; n < rounds; n++ {
				for _, tc := range []struct{ method, path string }{{"GET", "/echo/a"}, {"POST", "/echo/b"}, {"GET", "/echo/edited/c"}} {
					var body io.Reader
					if tc.method == "POST" {
						body = strings.NewReader("x=1")
					}
					req, _ := http.NewRequest(tc.method, s.front.URL+tc.path, body)
					resp, err := clients[i].Do(req)
					if err != nil {
						errs <- err.Error()
						return
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if want := tokens[i] + "|zoe"; string(b) != want {
						errs <- fmt.Sprintf("session %d %s %s: backend saw %q, want %q", i, tc.method, tc.path, b, want)
					}
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	n := 0
	for e := range errs {
		if n++; n <= 5 {
			t.Error(e)
		}
	}
}
