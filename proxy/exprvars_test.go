package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestExprVarsPhases checks REQUEST_URI, REQUEST_FILENAME, PATH_INFO,
// DOCUMENT_URI and SCRIPT_FILENAME as each phase sees them (values
// measured on Apache 2.4, see compat-tests/exprvars_test.go): the raw path
// at post-read-request, r->filename as mod_proxy's translation sets it
// (decoded, no query) until its fixup re-encodes it with the query, and
// the directory walk's file and path info for local files.
func TestExprVarsPhases(t *testing.T) {
	be := newRecorder(t)
	addr := be.srv.Listener.Addr().String()
	docs := t.TempDir()
	os.WriteFile(filepath.Join(docs, "f.html"), []byte("hi\n"), 0o644)
	cfg := loadConfig(t, `ServerName front.example
DocumentRoot `+docs+`
<Directory `+docs+`>
  Require all granted
</Directory>
ProxyPass /p http://`+addr+`/back
RequestHeader set X-Early "expr=%{REQUEST_URI}|%{REQUEST_FILENAME}" early
RequestHeader set X-RH "expr=%{REQUEST_URI}|%{REQUEST_FILENAME}|%{PATH_INFO}"
Header always set X-H "expr=%{REQUEST_URI}|%{REQUEST_FILENAME}|%{PATH_INFO}|%{DOCUMENT_URI}|%{SCRIPT_FILENAME}"
<If "%{REQUEST_FILENAME} == 'proxy:http://`+addr+`/back/a b'">
  Header always set X-If decoded
</If>
<Location /p/deny>
  Require expr "%{REQUEST_FILENAME} == 'nothing'"
</Location>
`)
	front := httptest.NewServer(NewSite(cfg, nil, nil))
	defer front.Close()
	be0 := "proxy:http://" + addr + "/back"
	for _, c := range []struct {
		target, h, iff, early, rh string
	}{
		{"/p/a%20b?x=1", "/p/a b|" + be0 + "/a%20b?x=1||/p/a b|" + be0 + "/a%20b?x=1", "decoded", "/p/a%20b|", "/p/a b|" + be0 + "/a%20b?x=1|"},
		{"/p/./a%20b", "/p/a b|" + be0 + "/a%20b||/p/a b|" + be0 + "/a%20b", "decoded", "/p/./a%20b|", "/p/a b|" + be0 + "/a%20b|"},
		{"/p/deny/x%20y?q", "/p/deny/x y|" + be0 + "/deny/x y||/p/deny/x y|" + be0 + "/deny/x y", "", "", ""},
		{"/f.html", "/f.html|" + docs + "/f.html||/f.html|" + docs + "/f.html", "", "", ""},
		{"/f.html/a%20b", "/f.html/a b|" + docs + "/f.html|/a b|/f.html/a b|" + docs + "/f.html", "", "", ""},
		{"/no/x/y", "/no/x/y|" + docs + "/no|/x/y|/no/x/y|" + docs + "/no", "", "", ""},
	} {
		t.Run(c.target, func(t *testing.T) {
			conn, err := net.Dial("tcp", front.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(conn, "GET "+c.target+" HTTP/1.1\r\nHost: front.example\r\nConnection: close\r\n\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("X-H"); got != c.h {
				t.Errorf("Header expr: %q, want %q", got, c.h)
			}
			if got := resp.Header.Get("X-If"); got != c.iff {
				t.Errorf("<If>: %q, want %q", got, c.iff)
			}
			r, _ := be.got()
			early, rh := "", ""
			if r != nil {
				early, rh = r.Header.Get("X-Early"), r.Header.Get("X-RH")
			}
			if early != c.early || rh != c.rh {
				t.Errorf("backend saw X-Early %q X-RH %q, want %q %q", early, rh, c.early, c.rh)
			}
			if (strings.HasPrefix(c.target, "/p/") && !strings.HasPrefix(c.target, "/p/deny")) != (r != nil) {
				t.Errorf("proxied: %v", r != nil)
			}
		})
	}
}
