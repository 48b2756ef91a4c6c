package proxy

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"
)

func TestRenderLog(t *testing.T) {
	cfg := loadConfig(t, `ServerName v.example
LogFormat "%h \"%r\" %>s %b \"%{User-Agent}i\" %{Content-Type}o %400,501{X-A}i %!200{X-B}i %U%q %{NOPE}e" f
CustomLog /dev/null f
`)
	f := cfg.Main.Log.Formats["f"]
	r := httptest.NewRequest("GET", "/a%20b?x=1", nil)
	r.RemoteAddr = "192.0.2.7:5555"
	r.Header.Set("User-Agent", "ua \"quoted\" \\ \x01")
	r.Header.Set("X-A", "a")
	r.Header.Set("X-B", "b")
	resp := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
	rec := &logRecord{r: r, srv: cfg.Main, status: 404, bytes: 0, respHdr: resp, start: time.Unix(0, 0), uri: "/a b"}
	got := renderLog(f.Items, rec)
	want := `192.0.2.7 "GET /a%20b?x=1 HTTP/1.1" 404 - "ua \"quoted\" \\ \x01" text/html - b /a b?x=1 -`
	if got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

func TestLenientPath(t *testing.T) {
	for in, want := range map[string]string{"/x/../../etc": "/etc", "/app/a%2Fb": "/app/a/b", "/a//b/./c/": "/a/b/c/", "/%41": "/A", "/d/..%2fx": "/d/../x", "/d/%2e%2e/x": "/x"} {
		if got := LenientPath(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

// TestPipedCustomLog: "|$cmd" runs through /bin/sh -c with the lines on
// its standard input; a reload shares the running program; closing the
// last site stops it.
func TestPipedCustomLog(t *testing.T) {
	out := t.TempDir() + "/piped.log"
	cfg := loadConfig(t, `ServerName v.example
LogFormat "%>s %U" short
CustomLog "|$cat > `+out+`" short
`)
	l := cfg.Main.Log.Access[0]
	if !l.Pipe || !l.Shell || l.Target != "cat > "+out {
		t.Fatalf("compiled %+v", l)
	}
	a, b := newAccessLogs(), newAccessLogs() // a site and its reload
	r := httptest.NewRequest("GET", "/x", nil)
	a.log(&logRecord{r: r, srv: cfg.Main, status: 200, uri: "/x", start: time.Now()})
	b.log(&logRecord{r: r, srv: cfg.Main, status: 404, uri: "/y", start: time.Now()})
	if a.writer(l) != b.writer(l) {
		t.Error("a reload starts a second program")
	}
	a.close()
	b.log(&logRecord{r: r, srv: cfg.Main, status: 502, uri: "/z", start: time.Now()})
	b.close() // the last holder: input closed, program waited for
	got, _ := os.ReadFile(out)
	if string(got) != "200 /x\n404 /y\n502 /z\n" {
		t.Errorf("piped log %q", got)
	}
}

// TestCustomLogExpr: expr= is evaluated when the request is logged, with
// REQUEST_STATUS [obs: Apache 2.4.71 with this line logs "503 /b/x -" and
// "404 /nope -" for GET /ok.txt, /b/x, /nope with X-T: y and /nope2
// without].
func TestCustomLogExpr(t *testing.T) {
	out := t.TempDir() + "/errors_only.log"
	cfg := loadConfig(t, `ServerName v.example
CustomLog `+out+` "%>s %U %{X-A}o" "expr=%{REQUEST_STATUS} -ge 400 && %{HTTP:X-T} == 'y'"
`)
	a := newAccessLogs()
	for _, tc := range []struct {
		path   string
		status int
		xt     string
	}{{"/ok.txt", 200, "y"}, {"/b/x", 503, "y"}, {"/nope", 404, "y"}, {"/nope2", 404, ""}} {
		r := httptest.NewRequest("GET", tc.path, nil)
		if tc.xt != "" {
			r.Header.Set("X-T", tc.xt)
		}
		a.log(&logRecord{r: r, srv: cfg.Main, status: tc.status, uri: tc.path, start: time.Now(), respHdr: http.Header{}})
	}
	a.close()
	got, _ := os.ReadFile(out)
	if string(got) != "503 /b/x -\n404 /nope -\n" {
		t.Errorf("%q", got)
	}
}
