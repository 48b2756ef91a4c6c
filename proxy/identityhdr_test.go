package proxy

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oidcgate/oidcgate/oidc"
)

// TestIdentityHeadersOutOfMap: from a session's second request on, its
// identity headers stay out of the request's header map
// (identityhdr.go); the backend, the access log's %{…}i and Require
// expr's %{HTTP:…} must see them exactly as when they were in it, on
// every way a request leaves the fast path.
func TestIdentityHeadersOutOfMap(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "access.log")
	noReuse := newRecorder(t) // behind a worker without h1Transport
	s := newOIDCSite(t, "zoe", "  Require valid-user",
		`LogFormat "%U|%{OIDC_CLAIM_email}i|%{oidc_claim_email}i|%{OIDC_CLAIM_email}e|%{Oidc_Claim_Email}i" idlog`,
		"CustomLog "+logFile+" idlog",
		"<Location /expr>\n  <RequireAll>\n    Require valid-user\n    Require expr \"%{HTTP:OIDC_CLAIM_email} == 'zoe@example.com'\"\n  </RequireAll>\n</Location>",
		"<Location /exprno>\n  <RequireAll>\n    Require valid-user\n    Require expr \"%{HTTP:oidc_claim_email} == 'x@example.com'\"\n  </RequireAll>\n</Location>",
		"<Location /edited>\n  RequestHeader edit OIDC_CLAIM_email \"@example\\.com$\" \"@edited.example\"\n</Location>",
		"<Location /missing>\n  ProxyPass !\n  ErrorDocument 404 /public/err\n</Location>",
		"<Location /public>\n  AuthType None\n  Require all granted\n</Location>",
		"<Location /noreuse>\n  ProxyPass http://"+noReuse.srv.Listener.Addr().String()+"/noreuse disablereuse=On\n</Location>")
	c := browser(t)
	if resp, _ := get(t, c, s.front.URL+"/app/login", nil); resp.StatusCode != 200 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	s.be.got()
	for _, tc := range []struct {
		name, method, path string
		hdr                map[string]string
		status             int
		backendPath        string
		email              string // at the backend; "" when not proxied
		be                 *recorder
	}{
		{name: "GET", method: "GET", path: "/app/a", status: 200, backendPath: "/app/a", email: "zoe@example.com"},
		{name: "GET again", method: "GET", path: "/app/b", status: 200, backendPath: "/app/b", email: "zoe@example.com"},
		{name: "spoofed in another spelling", method: "GET", path: "/app/c", hdr: map[string]string{"oidc-claim-email": "m@evil", "Oidc_Claim_Email": "m@evil"},
			status: 200, backendPath: "/app/c", email: "zoe@example.com"},
		{name: "POST with a body (http.Transport)", method: "POST", path: "/app/post", status: 200, backendPath: "/app/post", email: "zoe@example.com"},
		{name: "another transport (disablereuse)", method: "GET", path: "/noreuse/x", status: 200, backendPath: "/noreuse/x", email: "zoe@example.com", be: noReuse},
		{name: "Require expr reads it", method: "GET", path: "/expr/x", status: 200, backendPath: "/expr/x", email: "zoe@example.com"},
		{name: "Require expr denies on it", method: "GET", path: "/exprno/x", status: 401},
		{name: "RequestHeader edits it", method: "GET", path: "/edited/x", status: 200, backendPath: "/edited/x", email: "zoe@edited.example"},
		// A proxied ErrorDocument answers with the backend's status.
		{name: "ErrorDocument request carries it", method: "GET", path: "/missing/x", status: 200, backendPath: "/public/err", email: "zoe@example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body *strings.Reader
			if tc.method == "POST" {
				body = strings.NewReader("a=1")
			}
			var req *http.Request
			if body != nil {
				req, _ = http.NewRequest(tc.method, s.front.URL+tc.path, body)
			} else {
				req, _ = http.NewRequest(tc.method, s.front.URL+tc.path, nil)
			}
			req.Header.Set("Accept", "text/html")
			for k, v := range tc.hdr {
				req.Header[k] = []string{v}
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			be := s.be
			if tc.be != nil {
				be = tc.be
			}
			r, uri := be.got()
			if tc.backendPath == "" {
				if r != nil {
					t.Fatalf("proxied %s", uri)
				}
				return
			}
			if r == nil || !strings.HasPrefix(uri, tc.backendPath) {
				t.Fatalf("backend got %q, want %s", uri, tc.backendPath)
			}
			n := 0
			for k, vv := range r.Header {
				if strings.EqualFold(strings.ReplaceAll(k, "-", "_"), "oidc_claim_email") {
					n += len(vv)
					if vv[0] != tc.email {
						t.Errorf("backend %s: %q, want %q", k, vv, tc.email)
					}
				}
			}
			if n != 1 {
				t.Errorf("backend got %d email headers, want 1: %v", n, r.Header)
			}
			if got := r.Header.Values("OIDC_CLAIM_sub"); len(got) != 1 || got[0] != "zoe" {
				t.Errorf("OIDC_CLAIM_sub %q", got)
			}
		})
	}
	// The access log: every %{…}i spelling finds the header, as Apache's
	// case-insensitive table does; the edited value where RequestHeader
	// edited it.
	want := map[string]string{
		"/app/b":     "/app/b|zoe@example.com|zoe@example.com|zoe@example.com|zoe@example.com",
		"/app/c":     "/app/c|zoe@example.com|zoe@example.com|zoe@example.com|zoe@example.com",
		"/expr/x":    "/expr/x|zoe@example.com|zoe@example.com|zoe@example.com|zoe@example.com",
		"/edited/x":  "/edited/x|zoe@edited.example|zoe@edited.example|zoe@example.com|zoe@edited.example",
		"/exprno/x":  "/exprno/x|zoe@example.com|zoe@example.com|zoe@example.com|zoe@example.com",
		"/missing/x": "/missing/x|zoe@example.com|zoe@example.com|zoe@example.com|zoe@example.com",
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(logFile)
		got := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			got[strings.SplitN(l, "|", 2)[0]] = l
		}
		missing := ""
		for k, w := range want {
			if g := got[strings.SplitN(w, "|", 2)[0]]; g != w && k != "" {
				missing += "\n  got  " + g + "\n  want " + w
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("access log:%s\nwhole log:\n%s", missing, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestKeepIdentityForwardingNames: identity headers named like a header
// that forwarding handles (OIDCAuthNHeader X-Forwarded-User is fine,
// OIDCAuthNHeader Via is not) go into the header map at once.
func TestKeepIdentityForwardingNames(t *testing.T) {
	for _, tc := range []struct {
		names []string
		kept  bool
	}{
		{[]string{"OIDC_CLAIM_sub", "X-Forwarded-User"}, true},
		{[]string{"OIDC_CLAIM_sub", "Via"}, false},
		{[]string{"x-forwarded-for"}, false},
		{[]string{"Cookie"}, false},
	} {
		r, _ := http.NewRequest("GET", "http://x/", nil)
		st := &reqState{}
		r = r.WithContext(context.WithValue(r.Context(), reqStateKey{}, st))
		vals := make([]string, len(tc.names))
		for i := range vals {
			vals[i] = "v"
		}
		keepIdentity(r, oidc.NewIdentityHeaders(tc.names, vals))
		if (st.identity != nil) != tc.kept {
			t.Errorf("%v: kept out of the map %v, want %v", tc.names, st.identity != nil, tc.kept)
		}
		for _, n := range tc.names {
			if _, inMap := r.Header[n]; inMap == tc.kept {
				t.Errorf("%v: %s in the map %v", tc.names, n, inMap)
			}
		}
	}
}

// TestIdentityNamedByConnection: identity headers the client's
// Connection header names do not reach the backend, in any spelling, as
// Apache's ap_proxy_clear_connection removes them (measured:
// compat-tests TestIdentityHeadersSpoofDifferential) — whether the
// identity stays out of the header map or is in it, and whatever the
// transport. Before, a deferred identity was written regardless, and one
// in the map lost only its canonically spelled names (X-Remote-User).
func TestIdentityNamedByConnection(t *testing.T) {
	noReuse := newRecorder(t)
	s := newOIDCSite(t, "zoe", "  Require valid-user\n  OIDCAuthNHeader X-Remote-User",
		"<Location /edited>\n  RequestHeader set X-Edited 1\n</Location>",
		"<Location /noreuse>\n  ProxyPass http://"+noReuse.srv.Listener.Addr().String()+"/noreuse disablereuse=On\n</Location>")
	c := browser(t)
	if resp, _ := get(t, c, s.front.URL+"/app/login", nil); resp.StatusCode != 200 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	s.be.got()
	for _, path := range []string{"/app/a", "/edited/a", "/noreuse/a"} {
		for _, conn := range []string{"X-Remote-User", "OIDC_CLAIM_email", "keep-alive, oidc_claim_email , x-remote-user", "Oidc-Claim-Email"} {
			t.Run(path+" "+conn, func(t *testing.T) {
				resp, _ := get(t, c, s.front.URL+path, map[string]string{"Connection": conn})
				if resp.StatusCode != 200 {
					t.Fatalf("status %d", resp.StatusCode)
				}
				be := s.be
				if strings.HasPrefix(path, "/noreuse") {
					be = noReuse
				}
				r, _ := be.got()
				if r == nil {
					t.Fatal("not proxied")
				}
				named := map[string]bool{}
				for _, tok := range strings.Split(conn, ",") {
					named[strings.ToLower(strings.TrimSpace(tok))] = true
				}
				for _, n := range []string{"X-Remote-User", "OIDC_CLAIM_email", "OIDC_CLAIM_sub"} {
					got := ""
					for k, vv := range r.Header {
						if strings.EqualFold(k, n) {
							got = vv[0]
						}
					}
					if want := !named[strings.ToLower(n)]; (got != "") != want {
						t.Errorf("%s at the backend: %q, want present %v", n, got, want)
					}
				}
			})
		}
	}
}

// TestIdentityBearerSpoofAndConnection: on the bearer paths (oauth20, and
// auth-openidc with a token), whose validated token's identity headers
// stay out of the header map from the first request on, a client's
// headers named like them (any case, repeated) never reach the backend,
// and those its Connection header names are removed.
func TestIdentityBearerSpoofAndConnection(t *testing.T) {
	be := newRecorder(t)
	addr := be.srv.Listener.Addr().String()
	cfg := loadConfig(t, `ServerName api.example
OIDCOAuthVerifySharedKeys `+rsSecret+`
OIDCOAuthVerifyIssuer https://as.example
OIDCOAuthVerifyAudience api
<Location /api>
  AuthType oauth20
  Require valid-user
  OIDCAuthNHeader X-Remote-User
  ProxyPass http://`+addr+`/api
</Location>
<Location /mixed>
  AuthType auth-openidc
  Require valid-user
  OIDCAuthNHeader X-Remote-User
  ProxyPass http://`+addr+`/mixed
</Location>
`)
	site := NewSite(cfg, nil, slog.New(slog.DiscardHandler))
	t.Cleanup(site.Close)
	front := httptest.NewServer(site)
	t.Cleanup(front.Close)
	tok := apiToken(t, "read")
	for _, path := range []string{"/api/x", "/mixed/x"} {
		for _, tc := range []struct {
			name string
			hdr  http.Header
			want map[string]string // lower-cased name: value at the backend ("" absent)
		}{
			{"plain", nil, map[string]string{"oidc_claim_sub": "svc-1", "x-remote-user": "svc-1", "oidc_access_token": tok}},
			{"spoofed, repeated, any case", http.Header{"OIDC_CLAIM_sub": {"evil", "evil2"}, "oidc_claim_sub": {"evil3"}, "X-Remote-User": {"evil"},
				"x-REMOTE-user": {"evil"}, "OIDC_CLAIM_nosuch": {"evil"}, "OIDC_ACCESS_TOKEN": {"evil"}},
				map[string]string{"oidc_claim_sub": "svc-1", "x-remote-user": "svc-1", "oidc_access_token": tok, "oidc_claim_nosuch": ""}},
			{"Connection names them", http.Header{"Connection": {"oidc_claim_sub, X-Remote-User"}},
				map[string]string{"oidc_claim_sub": "", "x-remote-user": "", "oidc_access_token": tok}},
		} {
			t.Run(path+" "+tc.name, func(t *testing.T) {
				req, _ := http.NewRequest("GET", front.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				for k, v := range tc.hdr {
					req.Header[k] = v
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("status %d", resp.StatusCode)
				}
				r, _ := be.got()
				if r == nil {
					t.Fatal("not proxied")
				}
				for n, want := range tc.want {
					var got []string
					for k, vv := range r.Header {
						if strings.ToLower(k) == n {
							got = append(got, vv...)
						}
					}
					if want == "" && len(got) != 0 || want != "" && (len(got) != 1 || got[0] != want) {
						t.Errorf("%s at the backend: %q, want %q", n, got, want)
					}
				}
			})
		}
	}
}

// TestH1IdentityRetriedOnce: a request retried on a new connection after
// the backend closed the reused one, and a request h1Transport hands to
// its fallback, carry each identity header once — never again from the
// map the first attempt filled.
func TestH1IdentityRetriedOnce(t *testing.T) {
	var mu sync.Mutex
	var got [][]string
	be := newRawBackend(t, func(conn, n int, r *http.Request, w io.Writer) bool {
		mu.Lock()
		got = append(got, r.Header.Values("OIDC_CLAIM_sub"))
		mu.Unlock()
		if conn == 0 && n == 1 {
			return false // read the second request, no answer, close
		}
		io.WriteString(w, okResponse)
		return true
	})
	tr := newTestH1(time.Second)
	defer tr.CloseIdleConnections()
	id := oidc.NewIdentityHeaders([]string{"OIDC_CLAIM_sub"}, []string{"zoe"})
	for i, method := range []string{"GET", "GET", "POST", "GET"} {
		var body io.Reader
		if method == "POST" {
			body = strings.NewReader("a=1")
		}
		req, _ := http.NewRequest(method, be.url("/x"), body)
		req = req.WithContext(context.WithValue(req.Context(), reqStateKey{}, &reqState{identity: id}))
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 5 { // the second request twice
		t.Fatalf("backend read %d requests, want 5: %q", len(got), got)
	}
	for i, v := range got {
		if len(v) != 1 || v[0] != "zoe" {
			t.Errorf("request %d at the backend: OIDC_CLAIM_sub %q", i, v)
		}
	}
}
