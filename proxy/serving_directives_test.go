package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDirectorySlash: On (the default) redirects a directory without its
// slash, Off answers 404 (registry: DirectorySlash supported).
func TestDirectorySlash(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		conf string
		want int
	}{
		{"", 301},
		{"DirectorySlash On\n", 301},
		{"DirectorySlash Off\n", 404},
		{"<Directory " + root + ">\nDirectorySlash Off\n</Directory>\n", 404},
	} {
		cfg := loadConfig(t, "ServerName a\nDocumentRoot "+root+"\n"+tc.conf)
		front := httptest.NewServer(NewSite(cfg, nil, nil))
		resp, err := client.Get(front.URL + "/d")
		front.Close()
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%q: GET /d = %d, want %d", tc.conf, resp.StatusCode, tc.want)
		}
	}
}

// TestTraceEnable: TraceEnable Off answers TRACE with Apache's 405 and
// empty Allow header (measured on Apache 2.4.71) on proxied and local
// paths; On (the default) lets TRACE through to the backend.
func TestTraceEnable(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Backend", r.Method)
	}))
	defer backend.Close()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "f.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	const body405 = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>405 Method Not Allowed</title>\n</head><body>\n<h1>Method Not Allowed</h1>\n<p>The requested method TRACE is not allowed for this URL.</p>\n</body></html>\n"
	for _, tc := range []struct {
		conf, path string
		want       int
		backend    bool
	}{
		{"", "/p/x", 200, true},
		{"TraceEnable On\n", "/p/x", 200, true},
		{"TraceEnable Off\n", "/p/x", 405, false},
		{"TraceEnable Off\n", "/f.txt", 405, false},
		{"<VirtualHost *>\nServerName a\nDocumentRoot " + root + "\nTraceEnable Off\nProxyPass /p " + backend.URL + "/\n</VirtualHost>\n", "/p/x", 405, false},
	} {
		cfg := loadConfig(t, "ServerName a\nDocumentRoot "+root+"\nProxyPass /p "+backend.URL+"/\n"+tc.conf)
		front := httptest.NewServer(NewSite(cfg, nil, nil))
		req, _ := http.NewRequest(http.MethodTrace, front.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			front.Close()
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		front.Close()
		if resp.StatusCode != tc.want || (resp.Header.Get("X-Backend") != "") != tc.backend {
			t.Errorf("%q TRACE %s: %d backend %q, want %d backend %v", tc.conf, tc.path, resp.StatusCode, resp.Header.Get("X-Backend"), tc.want, tc.backend)
		}
		if tc.want == 405 {
			if v, ok := resp.Header["Allow"]; !ok || len(v) != 1 || v[0] != "" {
				t.Errorf("%q: Allow %q, want one empty value", tc.conf, v)
			}
			if string(b) != body405 {
				t.Errorf("%q: body %q", tc.conf, b)
			}
		}
	}
}

// TestServerAdminInErrorPage: ServerAdmin appears HTML-escaped in the 500
// page, the virtual host's own or else the main server's (body measured
// on Apache 2.4.71 with Redirect 500).
func TestServerAdminInErrorPage(t *testing.T) {
	for _, tc := range []struct{ conf, want string }{
		{"", " [no address given] to inform"},
		{"ServerAdmin \"a<b&c@x\"\n", " a&lt;b&amp;c@x to inform"},
		{"ServerAdmin main@x\n<VirtualHost *>\nServerName a\nServerAdmin vh@x\nRedirect 500 /five\n</VirtualHost>\n", " vh@x to inform"},
		{"ServerAdmin main@x\n<VirtualHost *>\nServerName a\nRedirect 500 /five\n</VirtualHost>\n", " main@x to inform"},
	} {
		cfg := loadConfig(t, "ServerName a\nRedirect 500 /five\n"+tc.conf)
		front := httptest.NewServer(NewSite(cfg, nil, nil))
		resp, err := http.Get(front.URL + "/five")
		if err != nil {
			front.Close()
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		front.Close()
		if resp.StatusCode != 500 || !strings.Contains(string(b), "<p>Please contact the server administrator at \n"+tc.want) {
			t.Errorf("%q: %d %q", tc.conf, resp.StatusCode, b)
		}
	}
}

// TestKeepAlive: KeepAlive Off closes the client connection after each
// response (Connection: close), per virtual host; KeepAliveTimeout sets
// the server's idle timeout. (410: a status that does not drop the
// connection by itself.)
func TestKeepAlive(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(410)
	}))
	defer backend.Close()
	for _, tc := range []struct {
		conf  string
		close bool
	}{
		{"", false},
		{"KeepAlive On\n", false},
		{"KeepAlive Off\n", true},
		{"<VirtualHost *>\nServerName a\nKeepAlive Off\nRedirect gone /five\n</VirtualHost>\n", true},
		{"KeepAlive Off\nProxyPass /five " + backend.URL + "/\n", true},
	} {
		cfg := loadConfig(t, "ServerName a\nRedirect gone /five\n"+tc.conf)
		front := httptest.NewServer(NewSite(cfg, nil, nil))
		resp, err := http.Get(front.URL + "/five")
		if err != nil {
			front.Close()
			t.Fatal(err)
		}
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		front.Close()
		if resp.Close != tc.close || resp.StatusCode != 410 {
			t.Errorf("%q: %d, connection closed %v, want %v", tc.conf, resp.StatusCode, resp.Close, tc.close)
		}
	}
	if d := idleTimeout(loadConfig(t, "ServerName a\nKeepAliveTimeout 7\n")); d != 7*time.Second {
		t.Errorf("KeepAliveTimeout 7: idle timeout %v", d)
	}
	if d := idleTimeout(loadConfig(t, "ServerName a\nKeepAliveTimeout 300ms\n")); d != 300*time.Millisecond {
		t.Errorf("KeepAliveTimeout 300ms: idle timeout %v", d)
	}
	if d := idleTimeout(loadConfig(t, "ServerName a\n")); d != 0 {
		t.Errorf("unset: idle timeout %v", d)
	}
}

// TestSetEnvIfExpr: SetEnvIfExpr's ap_expr is evaluated per request and
// sets (or unsets) its variables, which env= conditions then see; a rule
// whose values use $0-$9 back-references is not evaluated (lint reports
// it).
func TestSetEnvIfExpr(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Saw-Foo", r.Header.Get("X-Foo"))
		w.Header().Set("X-Saw-Ref", r.Header.Get("X-Ref"))
		w.Header().Set("X-Saw-Gone", r.Header.Get("X-Gone"))
	}))
	defer backend.Close()
	cfg := loadConfig(t, "ServerName a\nSetEnvIf X-In . GONE=1\n"+
		"SetEnvIfExpr \"%{REQUEST_URI} =~ m#^/x# && %{HTTP:X-In} == 'yes'\" FOO=bar !GONE\n"+
		"SetEnvIfExpr \"%{REQUEST_URI} =~ m#^/(x)#\" REF=$1\n"+
		"RequestHeader set X-Foo %{FOO}e env=FOO\nRequestHeader set X-Ref %{REF}e env=REF\nRequestHeader set X-Gone %{GONE}e env=GONE\n"+
		"ProxyPass / "+backend.URL+"/\n")
	front := httptest.NewServer(NewSite(cfg, nil, nil))
	defer front.Close()
	for _, tc := range []struct{ path, in, foo, gone string }{
		{"/x/1", "yes", "bar", ""},
		{"/x/1", "no", "", "1"},
		{"/y", "yes", "", "1"},
	} {
		req, _ := http.NewRequest("GET", front.URL+tc.path, nil)
		req.Header.Set("X-In", tc.in)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("X-Saw-Foo"); got != tc.foo {
			t.Errorf("%s X-In %s: backend saw X-Foo %q, want %q", tc.path, tc.in, got, tc.foo)
		}
		if got := resp.Header.Get("X-Saw-Gone"); got != tc.gone {
			t.Errorf("%s X-In %s: backend saw X-Gone %q, want %q (!GONE unsets)", tc.path, tc.in, got, tc.gone)
		}
		if got := resp.Header.Get("X-Saw-Ref"); got != "" {
			t.Errorf("%s: a back-reference rule was evaluated: X-Ref %q", tc.path, got)
		}
	}
}
