package proxy

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// recorder is a loopback backend that records what it receives.
type recorder struct {
	mu   sync.Mutex
	last *http.Request
	uri  string
	srv  *httptest.Server
}

func newRecorder(t testing.TB) *recorder {
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.last, rec.uri = r, r.RequestURI
		rec.mu.Unlock()
		if r.URL.Path == "/app/redirect" {
			w.Header().Set("Location", "http://"+r.Host+"/app/target?x=1")
			w.WriteHeader(http.StatusFound)
			return
		}
		w.Header().Set("X-Backend", "yes")
		io.WriteString(w, "backend:"+r.RequestURI)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (rec *recorder) got() (*http.Request, string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	r, u := rec.last, rec.uri
	rec.last, rec.uri = nil, ""
	return r, u
}

func TestPipeline(t *testing.T) {
	be := newRecorder(t)
	addr := be.srv.Listener.Addr().String()
	cfg := loadConfig(t, `ServerName front.example
ProxyPass /app/health !
ProxyPass /app http://`+addr+`/app
ProxyPassReverse /app http://`+addr+`/app
ProxyPass /slash/ http://`+addr+`/noslash
ProxyPassMatch "^/img/(.*)\.png$" http://`+addr+`/png/$1
ProxyPass /down http://127.0.0.1:1/
<Location /hdr>
  ProxyPass http://`+addr+`/hdr
  RequestHeader set X-Missing "%{NOPE}e"
  RequestHeader append X-App a1
  Header set X-Front yes
</Location>
<Location /keep>
  ProxyPass http://`+addr+`/keep
  ProxyPreserveHost On
</Location>
<Location /deny>
  ProxyPass http://`+addr+`/deny
  Require all denied
</Location>
<Location /local>
  ProxyPass http://`+addr+`/local
  Require ip 127.0.0.1
</Location>
<Location /loc>
  ProxyPass http://`+addr+`/inloc
</Location>
<Location /loc/sub>
  ProxyPass !
</Location>
`)
	front := httptest.NewServer(NewSite(cfg, nil, nil))
	defer front.Close()
	get := func(path string, hdr map[string]string) *http.Response {
		t.Helper()
		conn, err := net.Dial("tcp", front.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		req := "GET " + path + " HTTP/1.1\r\nHost: front.example:8080\r\nConnection: close\r\n"
		for k, v := range hdr {
			req += k + ": " + v + "\r\n"
		}
		io.WriteString(conn, req+"\r\n")
		resp, err := http.ReadResponse(bufioReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Header.Set("X-Test-Body", string(body))
		return resp
	}
	tests := []struct {
		path, wantURI string
		status        int
		hdr           map[string]string
	}{
		{"/app/x?q=%20a+b", "/app/x?q=%20a+b", 200, nil},
		{"/app//x/../y/%41%2e%7e%20%3F?q=%20a+b", "/app/y/A.~%20%3F?q=%20a+b", 200, nil}, // §m 11
		{"/appx", "", 404, nil},                 // segment boundary
		{"/app/health", "", 404, nil},           // ! exclusion before the rule
		{"/slash/abc", "/noslashabc", 200, nil}, // trailing-slash quirk [obs]
		{"/slash", "", 404, nil},
		{"/img/a/b.png", "/png/a/b", 200, nil},
		{"/a%2Fb", "", 404, nil}, // AllowEncodedSlashes Off
		{"/x/../../etc", "", 400, nil},
		{"/down/x", "", 503, nil}, // backend refused [obs]
		{"/deny/x", "", 403, nil},
		{"/local/x", "/local/x", 200, nil},
		{"/loc/x", "/inloc/x", 200, nil}, // §e example 3
		{"/loc/sub/y", "", 404, nil},
	}
	for _, tt := range tests {
		resp := get(tt.path, tt.hdr)
		_, uri := be.got()
		if resp.StatusCode != tt.status || uri != tt.wantURI {
			t.Errorf("GET %s: status %d, backend saw %q; want %d, %q", tt.path, resp.StatusCode, uri, tt.status, tt.wantURI)
		}
	}

	// Headers the backend sees (§g "Request headers sent to the backend").
	get("/app/h", map[string]string{"X-Forwarded-For": "1.2.3.4"})
	r, _ := be.got()
	if r.Host != addr || r.Header.Get("X-Forwarded-For") != "1.2.3.4, 127.0.0.1" || r.Header.Get("X-Forwarded-Host") != "front.example:8080" ||
		r.Header.Get("X-Forwarded-Server") != "front.example" || r.Header.Get("X-Forwarded-Proto") != "" {
		t.Errorf("forwarded headers: Host %q, %v", r.Host, r.Header)
	}
	get("/keep/x", nil)
	if r, _ := be.got(); r.Host != "front.example:8080" {
		t.Errorf("ProxyPreserveHost: Host %q", r.Host)
	}
	resp := get("/hdr/x", map[string]string{"X-App": "a0"})
	r, _ = be.got()
	if r.Header.Get("X-Missing") != "(null)" || r.Header.Get("X-App") != "a0, a1" || resp.Header.Get("X-Front") != "yes" || resp.Header.Get("X-Backend") != "yes" {
		t.Errorf("mod_headers: request %v, response %v", r.Header, resp.Header)
	}
	// ProxyPassReverse uses the client's Host, port included [obs].
	resp = get("/app/redirect", nil)
	if loc := resp.Header.Get("Location"); loc != "http://front.example:8080/app/target?x=1" {
		t.Errorf("ProxyPassReverse: Location %q", loc)
	}
	// Apache's own 404 page.
	resp = get("/nothing", nil)
	if body := resp.Header.Get("X-Test-Body"); !strings.Contains(body, "<title>404 Not Found</title>") {
		t.Errorf("404 body %q", body)
	}
}

// TestExcludedPathStillRedirects: "ProxyPass /moved !" only stops
// proxying; a Redirect for the path still answers (Apache: 302).
func TestExcludedPathStillRedirects(t *testing.T) {
	be := newRecorder(t)
	cfg := loadConfig(t, "ServerName front.example\nProxyPass /moved !\nProxyPass / http://"+be.srv.Listener.Addr().String()+"/\nRedirect /moved http://x.example/new\n")
	site := NewSite(cfg, nil, nil)
	defer site.Close()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "http://front.example/moved/a", nil)
	site.ServeHTTP(rec, req)
	if rec.Code != 302 || rec.Header().Get("Location") != "http://x.example/new/a" {
		t.Errorf("excluded path with a Redirect: %d %q", rec.Code, rec.Header().Get("Location"))
	}
}
