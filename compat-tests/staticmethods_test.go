package compattests

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestStaticMethodsDifferential compares how Apache's default handler
// (with mod_dir) and oidcgate answer methods other than GET, HEAD and
// POST on local paths: 405 with Allow for the methods Apache knows, 501
// (and a closed connection) for the others, an empty 200 for OPTIONS,
// whether or not the file exists; mod_dir's slash redirect first; an
// ErrorDocument's internal redirect served as a GET (without Allow), a
// text one with it.
func TestStaticMethodsDifferential(t *testing.T) {
	requireApache(t)
	conf := func(listen, dir string) string {
		return loadModules("mpm_event", "authz_core", "dir", "mime") + fmt.Sprintf(`ServerName front.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[2]s/error.log
PidFile %[2]s/httpd.pid
TypesConfig /etc/mime.types
DocumentRoot %[2]s/www
<Directory %[2]s>
  Require all granted
</Directory>
<Location /ed/>
  ErrorDocument 405 /err.html
  ErrorDocument 501 /err.html
</Location>
<Location /edt/>
  ErrorDocument 405 "nope"
</Location>
`, listen, dir)
	}
	fp := startFrontPair(t, conf, func(dir string) {
		for _, d := range []string{"www/sub", "www/idx", "www/ed", "www/edt"} {
			os.MkdirAll(filepath.Join(dir, d), 0o755)
		}
		os.WriteFile(filepath.Join(dir, "www/f.html"), []byte("hi\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "www/err.html"), []byte("error doc\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "www/ed/f.html"), []byte("ed\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "www/idx/index.html"), []byte("idx\n"), 0o644)
	})
	for _, c := range []string{
		"GET /f.html", "HEAD /f.html", "POST /f.html", "OPTIONS /f.html", "PUT /f.html", "DELETE /f.html",
		"PATCH /f.html", "PROPFIND /f.html", "MKCOL /f.html", "BASELINE-CONTROL /f.html", "FOO /f.html", "get /f.html",
		"PUT /nope", "FOO /nope", "OPTIONS /nope", "POST /nope", "PUT /f.html/extra",
		"PUT /sub", "PUT /sub/", "FOO /sub/", "OPTIONS /idx/", "DELETE /idx/", "POST /idx/",
		"PUT /ed/f.html", "FOO /ed/f.html", "PUT /edt/x",
	} {
		t.Run(c, func(t *testing.T) {
			method, target, _ := strings.Cut(c, " ")
			a := methodProbe(t, fp.Apache, method, target)
			o := methodProbe(t, fp.OIDCGate, method, target)
			t.Logf("apache2: %s", a)
			if a != o {
				t.Errorf("\n apache2:  %s\n oidcgate: %s", a, o)
			}
		})
	}
}

// methodProbe sends one request and returns the status, the Allow,
// Content-Length and Connection headers, whether a second request on the
// connection is answered, and the body.
func methodProbe(t *testing.T, addr, method, target string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: front.example\r\nContent-Length: 0\r\n\r\n", method, target)
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%s: %v", addr, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// Allow's order follows an APR hash in Apache, which can change
	// between runs: compared as a set.
	var allow []string
	for _, v := range resp.Header.Values("Allow") {
		allow = append(allow, strings.Split(v, ",")...)
	}
	sort.Strings(allow)
	out := fmt.Sprintf("%d Allow=%q Content-Length=%q close=%v body=%q", resp.StatusCode, allow,
		resp.Header.Get("Content-Length"), resp.Close, strings.ReplaceAll(string(b), addr, "ADDR"))
	if !resp.Close {
		fmt.Fprintf(c, "GET /f.html HTTP/1.1\r\nHost: front.example\r\n\r\n")
		if _, err := http.ReadResponse(br, nil); err != nil {
			out += " then closed"
		}
	}
	return out
}
