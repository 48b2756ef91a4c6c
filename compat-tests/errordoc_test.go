package compattests

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// errorDocConf renders a configuration whose ErrorDocuments are local
// URLs: a static file, a proxied URL and a missing file.
func errorDocConf(listen, backend, dir string) string {
	return loadModules("mpm_event", "authz_core", "proxy", "proxy_http", "headers", "env", "mime", "alias") + fmt.Sprintf(`TypesConfig /etc/mime.types
ServerName t.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[3]s/error.log
PidFile %[3]s/httpd.pid
DocumentRoot %[3]s/www
<Directory %[3]s/www>
  Require all granted
</Directory>
SetEnv MYVAR hello
ErrorDocument 404 /err.html
ErrorDocument 403 /be/err
ErrorDocument 410 /nothere.html
ProxyPass /be http://%[2]s/be
RequestHeader set X-RS "%%{REDIRECT_STATUS}e|%%{REDIRECT_MYVAR}e|%%{MYVAR}e"
<Location /forbidden>
  Require all denied
</Location>
Redirect gone /gone
`, listen, backend, dir)
}

// docResponse is what a client sees of one response.
type docResponse struct {
	status int
	ctype  string
	body   string
}

func fetchDoc(t *testing.T, addr, method, target string) docResponse {
	t.Helper()
	body := ""
	extra := ""
	if method == "POST" {
		body = "a=b"
		extra = "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n"
	}
	resp, b := rawRoundTrip(t, addr, method, method+" "+target+" HTTP/1.1\r\nHost: t.example\r\nConnection: close\r\n"+extra+"\r\n"+body)
	return docResponse{resp.StatusCode, resp.Header.Get("Content-Type"), string(b)}
}

// TestErrorDocumentDifferential: ErrorDocument with a local URL is an
// internal redirect in Apache — a file keeps the error status, a proxied
// document answers with the backend's status, the environment is renamed
// to REDIRECT_*, a POST is redirected as a GET, and a missing document
// gives the default page with Apache's "Additionally" note.
func TestErrorDocumentDifferential(t *testing.T) {
	requireApache(t)
	var mu sync.Mutex
	var lastRS, lastMethod string
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		lastRS, lastMethod = r.Header.Get("X-RS"), r.Method
		mu.Unlock()
		io.WriteString(w, "backend error page for "+r.URL.Path)
	}))
	defer be.Close()
	take := func() string {
		mu.Lock()
		defer mu.Unlock()
		s := lastMethod + " " + lastRS
		lastRS, lastMethod = "", ""
		return s
	}
	backend := be.Listener.Addr().String()
	fp := startFrontPair(t, func(listen, dir string) string { return errorDocConf(listen, backend, dir) }, func(dir string) {
		os.MkdirAll(filepath.Join(dir, "www"), 0o755)
		os.WriteFile(filepath.Join(dir, "www", "err.html"), []byte("<h1>custom</h1>\n"), 0o644)
	})
	aAddr, oAddr := fp.Apache, fp.OIDCGate
	for _, tc := range []struct{ method, target string }{
		{"GET", "/missing?x=1"},
		{"HEAD", "/missing"},
		{"GET", "/forbidden/a?q=2"},
		{"POST", "/forbidden/a"},
		{"GET", "/gone"},
		{"GET", "/err.html"},
	} {
		a := fetchDoc(t, aAddr, tc.method, tc.target)
		aBackend := take()
		o := fetchDoc(t, oAddr, tc.method, tc.target)
		oBackend := take()
		if a != o {
			t.Errorf("%s %s:\n apache   %d %q %q\n oidcgate %d %q %q", tc.method, tc.target, a.status, a.ctype, a.body, o.status, o.ctype, o.body)
		}
		if aBackend != oBackend {
			t.Errorf("%s %s: backend saw %q from Apache, %q from oidcgate", tc.method, tc.target, aBackend, oBackend)
		}
	}
	if t.Failed() {
		t.Logf("oidcgate log:\n%s", fp.OIDCGateLog.String())
	}
}
