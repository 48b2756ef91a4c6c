package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
)

func TestAliasPrefixLen(t *testing.T) {
	tests := []struct {
		uri, fake string
		want      int
	}{
		{"/icons/a.png", "/icons/", 7},
		{"/icons", "/icons/", 0}, // the trailing slash is required
		{"/icons/", "/icons/", 7},
		{"/icons//a", "/icons/", 8}, // a run of slashes is consumed
		{"/d", "/d", 2},
		{"/d/", "/d", 2},
		{"/d/x", "/d", 2},
		{"/dx", "/d", 0}, // segment boundary
		{"/d//x", "/d//", 4},
		{"/x", "", 0},
		{"/", "/", 1},
		{"/anything", "/", 1},
	}
	for _, tt := range tests {
		if got := aliasPrefixLen(tt.uri, tt.fake); got != tt.want {
			t.Errorf("aliasPrefixLen(%q, %q) = %d, want %d", tt.uri, tt.fake, got, tt.want)
		}
	}
}

func TestPregsub(t *testing.T) {
	tests := []struct {
		re, s, tmpl, want string
	}{
		{`^/am/([a-z.]+)/(.*)$`, "/am/y.txt/x", "/srv/$2/$1", "/srv/x/y.txt"},
		{`^/a(x)?/(.*)$`, "/a/b", "/srv/$1$2", "/srv/b"},                 // an unset group is empty
		{`^/m/.*$`, "/m/z", "/srv/&", "/srv//m/z"},                       // & is the whole match
		{`^/m/(.*)$`, "/m/z", `/srv/\$1\&`, "/srv/$1&"},                  // escaped
		{`^/m/(.*)$`, "/m/z", "/srv/$9$x", "/srv/$x"},                    // no group 9; $x literal
		{`^/m/(.*)$`, "/m/z", `/srv/a\b`, `/srv/a\b`},                    // other backslashes stay
		{`^/(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)`, "/abcdefghij", "$10", "a0"}, // one digit only
	}
	for _, tt := range tests {
		re := regexp.MustCompile(tt.re)
		if got := pregsub(tt.tmpl, tt.s, re.FindStringSubmatchIndex(tt.s)); got != tt.want {
			t.Errorf("pregsub(%q, %q) = %q, want %q", tt.tmpl, tt.s, got, tt.want)
		}
	}
}

// aliasConf is a configuration with every kind of mapping; root is the
// server root (relative targets resolve against it).
func aliasConf(root string) string {
	return `ServerRoot ` + root + `
ServerName a.example
DocumentRoot /www
Alias /icons/ /usr/share/icons/
Alias /file /srv/one.txt
Alias /d /srv/d
Alias /d/special /srv/never
Alias /gotcha/ /srv/g
Alias /rel srv/rel
AliasMatch ^/am/([a-z.]+)/(.*)$ /srv/am/$2/$1
AliasMatch ^/ab/(.)(.)/ /srv/ab/$1$2/
AliasMatch ^/fixed/ /srv/fixed.txt
ScriptAlias /cgi/ /usr/lib/cgi-bin/
<Location /la>
  Alias /srv/la
</Location>
<Location /lap>
  Alias /srv/lap
  AliasPreservePath On
</Location>
<Location /hx>
  Alias /srv/hx/%{HTTP:X-Name}
</Location>
<VirtualHost *:80>
  ServerName v.example
  Alias /d /srv/vh
</VirtualHost>
`
}

func TestMapFile(t *testing.T) {
	root := t.TempDir()
	cfg := loadConfig(t, aliasConf(root))
	vh := cfg.VHosts[0]
	tests := []struct {
		srv        *apacheconf.Server
		uri        string
		want       string
		status     int
		script, ok bool
	}{
		{cfg.Main, "/icons/a.png", "/usr/share/icons/a.png", 0, false, true},
		{cfg.Main, "/icons", "/www/icons", 0, false, true}, // no trailing slash: DocumentRoot
		{cfg.Main, "/file", "/srv/one.txt", 0, false, true},
		{cfg.Main, "/file/", "/srv/one.txt/", 0, false, true},
		{cfg.Main, "/d/x/y", "/srv/d/x/y", 0, false, true},
		{cfg.Main, "/d/special/x", "/srv/d/special/x", 0, false, true}, // first match wins
		{cfg.Main, "/dx", "/www/dx", 0, false, true},
		{cfg.Main, "/gotcha/f", "/srv/gf", 0, false, true}, // Apache's plain concatenation
		{cfg.Main, "/rel/x", root + "/srv/rel/x", 0, false, true},
		{cfg.Main, "/am/y.txt/x", "/srv/am/x/y.txt", 0, false, true},
		{cfg.Main, "/ab/../", "", 404, false, true}, // back-references that make up ".."
		{cfg.Main, "/ab/xy/", "/srv/ab/xy/", 0, false, true},
		{cfg.Main, "/fixed/anything", "/srv/fixed.txt", 0, false, true},
		{cfg.Main, "/cgi/x", "/usr/lib/cgi-bin/x", 0, true, true},
		{cfg.Main, "/", "/www/", 0, false, true},
		{vh, "/d/x", "/srv/vh/x", 0, false, true},     // the vhost's rules first
		{vh, "/file", "/srv/one.txt", 0, false, true}, // then the main server's
	}
	for _, tt := range tests {
		fm := mapFile(tt.srv, nil, root, tt.uri, nil)
		if fm.Filename != tt.want || fm.Status != tt.status || fm.Script != tt.script {
			t.Errorf("%s %q: got %+v, want %q status %d script %v", tt.srv.Name, tt.uri, fm, tt.want, tt.status, tt.script)
		}
	}
}

func TestMapFileLocationAlias(t *testing.T) {
	root := t.TempDir()
	cfg := loadConfig(t, aliasConf(root))
	w := NewSectionWalker(cfg.Main)
	eval := func(la *apacheconf.LocationAlias) (string, bool) { return la.Expr.Text, true }
	for uri, want := range map[string]string{
		"/la":        "/srv/la",
		"/la/x/y":    "/srv/la", // the whole Location maps to the target
		"/lap/x/y":   "/srv/lap/x/y",
		"/lap":       "/srv/lap",
		"/lap/":      "/srv/lap/",
		"/elsewhere": "/www/elsewhere",
	} {
		fm := mapFile(cfg.Main, w.WalkProxied(uri, "").Dir, root, uri, eval)
		if fm.Filename != want || fm.Status != 0 {
			t.Errorf("%q: got %+v, want %q", uri, fm, want)
		}
	}
	fail := func(*apacheconf.LocationAlias) (string, bool) { return "", false }
	if fm := mapFile(cfg.Main, w.WalkProxied("/la", "").Dir, root, "/la", fail); fm.Status != 500 {
		t.Errorf("an expression that fails: %+v, want 500 as Apache", fm)
	}
	// A value read from the request may not leave the expression's
	// literal directory.
	for value, want := range map[string]fileMapping{
		"/srv/hx/name.txt":         {Filename: "/srv/hx/name.txt"},
		"/srv/hx/../../etc/passwd": {Status: 404},
	} {
		v := func(*apacheconf.LocationAlias) (string, bool) { return value, true }
		if fm := mapFile(cfg.Main, w.WalkProxied("/hx", "").Dir, root, "/hx", v); fm != want {
			t.Errorf("<Location /hx> Alias evaluating to %q: %+v, want %+v", value, fm, want)
		}
	}
}

func TestStorageName(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "d/sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "d/f.txt"), []byte("x"), 0o644)
	for in, want := range map[string]string{
		"d/f.txt":        "d/f.txt",
		"d/f.txt/":       "d/f.txt",   // the file; "/" is PATH_INFO
		"d/f.txt/x/y":    "d/f.txt",   // the file; "/x/y" is PATH_INFO
		"d/missing/x/y":  "d/missing", // the first missing component
		"d/sub/":         "d/sub/",    // exists
		"d/sub/missing":  "d/sub/missing",
		"nothere/at/all": "nothere",
	} {
		if got := storageName(filepath.Join(dir, in) + map[bool]string{true: "/"}[strings.HasSuffix(in, "/")]); got != filepath.Join(dir, want)+map[bool]string{true: "/"}[strings.HasSuffix(want, "/")] {
			t.Errorf("storageName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAliasServe runs requests through a site: the target's Directory
// sections decide access, a Redirect answers before them, ProxyPass wins
// over Alias, a ScriptAlias target is never served as source.
func TestAliasServe(t *testing.T) {
	srv := t.TempDir()
	for name, content := range map[string]string{"open/f.txt": "open\n", "open/sub/index.html": "idx\n", "shut/f.txt": "shut\n", "one.txt": "one\n", "cgi/run.sh": "#!/bin/sh\necho secret\n"} {
		p := filepath.Join(srv, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
		old := time.Now().Add(-time.Hour)
		os.Chtimes(p, old, old)
	}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "backend "+r.URL.Path) }))
	defer backend.Close()
	cfg := loadConfig(t, `ServerName a.example
<Directory />
  Require all denied
</Directory>
<Directory `+srv+`/open>
  Require all granted
</Directory>
<Directory `+srv+`/cgi>
  Require all granted
</Directory>
<Files one.txt>
  Require all granted
</Files>
<Location /shut-redirect>
  Require all denied
</Location>
Alias /open `+srv+`/open
Alias /shut `+srv+`/shut
Alias /one `+srv+`/one.txt
Alias /shut-redirect `+srv+`/open
Redirect /shut-redirect http://x.example/moved
ProxyPass /proxied `+backend.URL+`/p
Alias /proxied `+srv+`/open
ScriptAlias /cgi/ `+srv+`/cgi/
Redirect /relp /np
<Location /lg>
  Redirect gone
</Location>
<Location /lr>
  Require all denied
  Redirect "http://x.example/a b"
</Location>
<Location /rr>
  RedirectRelative On
  Redirect /np
</Location>
`)
	front := httptest.NewServer(NewSite(cfg, nil, nil))
	defer front.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		path, status, location, body string
	}{
		{"/open/f.txt", "200", "", "open\n"},
		{"/open/sub", "301", "/open/sub/", ""},
		{"/open/sub/", "200", "", "idx\n"},
		{"/open/missing", "404", "", ""},
		{"/shut/f.txt", "403", "", ""},   // <Directory /> Require all denied
		{"/shut/missing", "403", "", ""}, // access is checked before existence
		{"/one", "200", "", "one\n"},     // <Files> on the target's name
		{"/one/x", "404", "", ""},        // PATH_INFO: the file's sections, then 404
		{"/shut-redirect/x", "302", "http://x.example/moved/x", ""},
		{"/proxied/x", "200", "", "backend /p/x"},
		{"/cgi/run.sh", "500", "", ""},
		{"/cgi/none.sh", "404", "", ""},
		{"/relp/x?q=1", "302", "/np/x?q=1", ""}, // made absolute (the front's URL stripped here)
		{"/lg/x", "410", "", ""},
		{"/lr/x?q=1", "302", "http://x.example/a%20b?q=1", ""}, // before Require, escaped, query added
		{"/rr/x", "302", "/np", ""},
		{"/open/%2e%2e/shut/f.txt", "403", "", ""}, // normalised to /shut/f.txt
		{"/open/%2e%2e/%2e%2e/etc/passwd", "400", "", ""},
	}
	for _, tt := range tests {
		resp, err := client.Get(front.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		loc := strings.TrimPrefix(resp.Header.Get("Location"), front.URL)
		if tt.path == "/rr/x" && resp.Header.Get("Location") != "/np" {
			t.Errorf("RedirectRelative On: Location %q, want /np as written", resp.Header.Get("Location"))
		}
		if tt.path == "/relp/x?q=1" && !strings.HasPrefix(resp.Header.Get("Location"), "http://") {
			t.Errorf("RedirectRelative Off: Location %q, want an absolute URL", resp.Header.Get("Location"))
		}
		if got := resp.Status[:3]; got != tt.status || loc != tt.location || tt.body != "" && string(b) != tt.body {
			t.Errorf("%s: %s %q %q, want %s %q %q", tt.path, got, loc, b, tt.status, tt.location, tt.body)
		}
		if strings.Contains(string(b), "secret") {
			t.Errorf("%s: the script's source was served", tt.path)
		}
	}
}

func TestEscapeRedirect(t *testing.T) {
	for in, want := range map[string]string{
		"http://x.example/new%20a b":  "http://x.example/new%2520a%20b", // Apache 2.4.71: % escaped too
		"http://x.example/q?k=v#frag": "http://x.example/q?k=v#frag",    // query and fragment as written
		"/p#a b":                      "/p#a b",
		"/a b?c d":                    "/a%20b?c d",
	} {
		if got := escapeRedirect(in); got != want {
			t.Errorf("escapeRedirect(%q) = %q, want %q", in, got, want)
		}
	}
	for u, want := range map[string]bool{"http://x": true, "a+b-c.d:x": true, "/p": false, ":x": false, "ht tp://x": false, "x": false} {
		if isURL(u) != want {
			t.Errorf("isURL(%q) != %v", u, want)
		}
	}
}
