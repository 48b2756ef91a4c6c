package compattests

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// aliasConf renders the Alias configuration for one front end: files under
// srv, the usual Debian pairing of each Alias with a <Directory> block and
// <Directory /> denying everything else.
func aliasConf(listen, dir, srv, backend string) string {
	return loadModules("mpm_event", "authz_core", "dir", "mime", "alias", "proxy", "proxy_http") + fmt.Sprintf(`TypesConfig /etc/mime.types
ServerName s.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[2]s/error.log
PidFile %[2]s/httpd.pid
LogFormat "%%h \"%%r\" %%>s %%b %%v %%U%%q" cmp
CustomLog %[2]s/access.log cmp
DocumentRoot %[3]s/www
DirectoryIndex index.html hidden.html home.html
<Files hidden.html>
  Require all denied
</Files>
<Directory />
  Require all denied
</Directory>
<Directory %[3]s/www>
  Require all granted
</Directory>
<Directory %[3]s/icons>
  Require all granted
</Directory>
<Directory %[3]s/d>
  Require all granted
</Directory>
<Directory %[3]s/am>
  Require all granted
</Directory>
<Directory %[3]s/main>
  Require all granted
</Directory>
<Directory %[3]s/vh>
  Require all granted
</Directory>
<Files one.txt>
  Require all granted
</Files>
<Directory %[3]s/d/absidx>
  DirectoryIndex nothing.html /file
</Directory>
<DirectoryMatch "/d/priv[0-9]+">
  Require all denied
</DirectoryMatch>
Alias /icons/ %[3]s/icons/
Alias /file %[3]s/one.txt
Alias /deny %[3]s/deny
Alias /d %[3]s/d
Alias /d/special %[3]s/icons
Alias /m %[3]s/main
AliasMatch ^/am/([a-z.]+)/(.*)$ %[3]s/am/$2/$1
ProxyPass /pp http://%[4]s/pp
Alias /pp %[3]s/d
Redirect /rd http://x.example/rd
Alias /rd %[3]s/d
<Location /rdloc>
  Require all denied
</Location>
Redirect /rdloc http://x.example/rdloc
Alias /rdloc %[3]s/d
<Location /lap>
  Alias %[3]s/d
  AliasPreservePath On
</Location>
<LocationMatch "^/lm/(?<NAME>[a-z]+)$">
  Alias %[3]s/d/%%{env:MATCH_NAME}.txt
</LocationMatch>
Redirect /relr /newpath
<Location /lr>
  Redirect "http://x.example/new%%20a b"
</Location>
<Location /lg>
  Redirect gone
</Location>
<Location /lq>
  Redirect 301 "http://x.example/q?k=v#frag"
</Location>
<Location /lrel>
  Redirect "/target%%{REQUEST_URI}"
</Location>
<Location /ldeny>
  Require all denied
  Redirect http://x.example/denied
</Location>
<Location /rr>
  RedirectRelative On
  Redirect "/np"
</Location>
Redirect /relr3 /np3
<Location /relr3>
  RedirectRelative On
</Location>
RedirectMatch ^/rm/(.*)$ /np/$1
<Location /rm>
  RedirectRelative On
</Location>
RedirectMatch ^/rma/(.*)$ http://x.example/$1
ProxyPass /lmd http://%[4]s/lmd
ProxyPassMatch ^/ppm/(.*)$ http://%[4]s/ppm/$1
Redirect /orr /
<Location /orr>
  RedirectRelative On
</Location>
<LocationMatch "^/lmd/.*x$">
  Require all denied
</LocationMatch>
<VirtualHost %[1]s>
  ServerName s.example
</VirtualHost>
<VirtualHost %[1]s>
  ServerName v.local
  AllowEncodedSlashes On
  Alias /errdoc/ %[3]s/errdoc/
  ErrorDocument 404 /errdoc/nf.html
  <Directory %[3]s/errdoc>
    Require all granted
  </Directory>
  Alias /m %[3]s/vh
  Alias /v/ %[3]s/vh/
</VirtualHost>
`, listen, dir, srv, backend)
}

// aliasTree writes the files the configuration serves; old modification
// times keep the ETags strong on both sides.
func aliasTree(t *testing.T) string {
	srv := t.TempDir()
	os.Chmod(filepath.Dir(srv), 0o755)
	os.Chmod(srv, 0o755)
	old := time.Now().Add(-time.Hour)
	for name, content := range map[string]string{
		"www/index.html": "www\n", "icons/a.txt": "icon\n", "one.txt": "one\n", "deny/f.txt": "denied\n",
		"d/f.txt": "dfile content\n", "d/sub/index.html": "<p>dsub</p>\n", "d/noidx/g.txt": "g\n", "d/x[y\\z/index.html": "xyz\n", "am/x/y.txt": "amx\n",
		"main/m.txt": "main\n", "vh/v.txt": "vh\n", "errdoc/nf.html": "<p>not here</p>\n", "d/hid/hidden.html": "hidden\n", "d/hid2/hidden.html": "hidden\n", "d/hid2/home.html": "home\n", "d/priv1/p.txt": "p\n", "d/privx/p.txt": "px\n", "vh/m.txt": "vh-m\n", "secret.txt": "secret\n", "d/absidx/other.txt": "other\n",
	} {
		p := filepath.Join(srv, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
		os.Chtimes(p, old, old)
	}
	os.Symlink(filepath.Join(srv, "secret.txt"), filepath.Join(srv, "d", "link.txt"))
	return srv
}

// aliasFetch sends one request as written and returns what must be the
// same on both sides.
func aliasFetch(t *testing.T, addr, target, host string, extra []string) string {
	resp, b := rawRoundTrip(t, addr, http.MethodGet, rawGetReq(target, host, extra))
	body := string(b)
	if strings.Contains(body, "<address>") {
		body = fmt.Sprintf("<%d bytes>", len(b)) // Apache's pages name the server's address
	}
	return fmt.Sprintf("%d loc=%q type=%q etag=%q lm=%q range=%q body=%q", resp.StatusCode, resp.Header.Get("Location"),
		resp.Header.Get("Content-Type"), resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"), resp.Header.Get("Content-Range"), body)
}

// TestAliasDifferential serves the same Alias/AliasMatch configuration
// through the real Apache and oidcgate and compares, request by request,
// the status, Location, content type, validators, range and body, what the
// backend saw, and the access logs.
func TestAliasDifferential(t *testing.T) {
	requireApache(t)
	be := newBackendRecorder(t)
	backend := be.srv.Listener.Addr().String()
	srv := aliasTree(t)
	fp := startFrontPair(t, func(listen, dir string) string { return aliasConf(listen, dir, srv, backend) }, nil)
	future := "If-Modified-Since: " + time.Now().Add(24*time.Hour).UTC().Format(http.TimeFormat) + "\r\n"
	cases := []struct {
		name, target, host string
		extra              []string
	}{
		{"directory", "/d/f.txt", "s.example", nil},
		{"single-file", "/file", "s.example", nil},
		{"single-file-path-info", "/file/x", "s.example", nil},
		{"single-file-slash", "/file/", "s.example", nil},
		{"trailing-slash-required", "/icons", "s.example", nil},
		{"trailing-slash-given", "/icons/a.txt", "s.example", nil},
		{"slash-run", "/icons//a.txt", "s.example", nil},
		{"segment-boundary", "/dx", "s.example", nil},
		{"first-match-wins", "/d/special/a.txt", "s.example", nil},
		{"aliasmatch-backrefs", "/am/y.txt/x", "s.example", nil},
		{"aliasmatch-no-match", "/am/Y/x", "s.example", nil},
		{"proxypass-beats-alias", "/pp/f.txt", "s.example", nil},
		{"redirect-beats-alias", "/rd/f.txt", "s.example", nil},
		{"redirect-before-require", "/rdloc/f.txt", "s.example", nil},
		{"directory-granted-index", "/d/sub/", "s.example", nil},
		{"directory-denied", "/deny/f.txt", "s.example", nil},
		{"directory-denied-missing", "/deny/missing", "s.example", nil},
		{"directoryslash", "/d/sub", "s.example", nil},
		{"directoryslash-query", "/d/sub?q=1", "s.example", nil},
		{"directoryslash-alias-root", "/d", "s.example", nil},
		{"no-index", "/d/noidx/", "s.example", nil},
		{"index-denied", "/d/hid/", "s.example", nil},
		{"index-absolute-url", "/d/absidx/", "s.example", nil},
		{"directorymatch-denied", "/d/priv1/p.txt", "s.example", nil},
		{"directorymatch-other", "/d/privx/p.txt", "s.example", nil},
		{"index-denied-next-served", "/d/hid2/", "s.example", nil},
		{"index-denied-direct", "/d/hid/hidden.html", "s.example", nil},
		{"missing", "/d/missing", "s.example", nil},
		{"missing-deeper", "/d/missing/x", "s.example", nil},
		{"traversal-dotdot", "/d/../secret.txt", "s.example", nil},
		{"traversal-encoded-dots", "/d/%2e%2e/%2e%2e/secret.txt", "s.example", nil},
		{"traversal-encoded-slash", "/d/..%2fsecret.txt", "s.example", nil},
		{"traversal-to-docroot", "/d/%2e%2e", "s.example", nil},
		{"traversal-encoded-slash-on", "/d/..%2F..%2Fsecret.txt", "v.local", nil},
		{"encoded-slash-on-inside", "/d/sub%2F..%2Ff.txt", "v.local", nil},
		{"symlink", "/d/link.txt", "s.example", nil},
		{"range", "/d/f.txt", "s.example", []string{"Range: bytes=1-3\r\n"}},
		{"not-modified", "/d/f.txt", "s.example", []string{future}},
		{"location-preserve-path", "/lap/f.txt", "s.example", nil},
		{"location-preserve-path-index", "/lap/sub/", "s.example", nil},
		{"locationmatch-expression", "/lm/f", "s.example", nil},
		{"locationmatch-expression-missing", "/lm/nope", "s.example", nil},
		{"main-alias", "/m/m.txt", "s.example", nil},
		{"vhost-alias-first", "/m/v.txt", "v.local", nil},
		{"vhost-alias-hides-main", "/m/m.txt", "v.local", nil},
		{"vhost-inherits-main", "/d/f.txt", "v.local", nil},
		{"vhost-own-alias", "/v/v.txt", "v.local", nil},
		{"vhost-alias-absent-elsewhere", "/v/v.txt", "s.example", nil},
		{"errordocument-through-alias", "/nothing/here", "v.local", nil},
		{"errordocument-through-alias-range", "/nothing/here", "v.local", []string{"Range: bytes=0-3\r\n"}},
		{"errordocument-through-alias-conditional", "/nothing/here", "v.local", []string{"If-None-Match: *\r\n"}},
		{"if-none-match-star", "/d/f.txt", "s.example", []string{"If-None-Match: *\r\n"}},
		{"redirect-path-target-absolute", "/relr/a%20b?q=1", "s.example", nil},
		{"location-redirect-escaped", "/lr/x?y=1", "s.example", nil},
		{"location-redirect-gone", "/lg/x", "s.example", nil},
		{"location-redirect-own-query", "/lq?z=1", "s.example", nil},
		{"location-redirect-expression", "/lrel/ab", "s.example", nil},
		{"location-redirect-before-require", "/ldeny/x", "s.example", nil},
		{"redirectrelative-location", "/rr?q=1", "s.example", nil},
		{"redirectrelative-server-rule", "/relr3/x", "s.example", nil},
		{"redirectmatch-relative-backslash", "/rm/%5Cevil.example", "s.example", nil},
		{"redirectmatch-relative-escaped", "/rm/a%3Fb%23c%20d", "s.example", nil},
		{"redirectmatch-absolute-escaped", "/rma/a%3Fb%23c%20d?q=1", "s.example", nil},
		{"redirectmatch-absolute-percent", "/rma/100%25", "s.example", nil},
		{"redirectmatch-escape-set", "/rma/%21%22%24%26%27%28%29%2A%2B%2C%3A%3B%3C%3D%3E%40%5B%5C%5D%5E%60%7B%7C%7D%7E%C3%A9", "s.example", nil},
		{"redirect-escape-set", "/relr/%21%22%23%24%25%26%27%28%29%2A%2B%2C%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E%60%7B%7C%7D%7E%C3%A9", "s.example", nil},
		{"location-redirect-expression-escape-set", "/lrel/%21%22%24%26%27%28%29%2A%2B%2C%3A%3B%3C%3D%3E%40%5B%5C%5D%5E%60%7B%7C%7D%7E%C3%A9", "s.example", nil},
		{"redirectmatch-newline", "/rma/a%0Ab", "s.example", nil},
		// Apache answers "Location: //evil.example" here (a config to
		// avoid: "Redirect /x /" with RedirectRelative On); oidcgate does
		// the same rather than guess which hosts are meant.
		{"redirectrelative-root-target", "/orr/evil.example", "s.example", nil},
		{"proxypassmatch-newline", "/ppm/a%0Ab", "s.example", nil},
		{"proxypassmatch-space", "/ppm/a%20b%3F", "s.example", nil},
		{"proxypassmatch-hash-percent", "/ppm/x%23y/100%25?q=1", "s.example", nil},
		{"locationmatch-newline-denied", "/lmd/%0Ax", "s.example", nil},
		{"locationmatch-newline-proxied", "/lmd/%0Ay", "s.example", nil},
		{"directoryslash-escaped", "/d/x%5By%5Cz", "s.example", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := aliasFetch(t, fp.Apache, c.target, c.host, c.extra)
			aSeen := be.take()
			o := aliasFetch(t, fp.OIDCGate, c.target, c.host, c.extra)
			oSeen := be.take()
			t.Logf("apache2: %s %s", a, norm0(aSeen))
			if a != o {
				t.Errorf("\n apache2:  %s\n oidcgate: %s", a, o)
			}
			if a, o := norm0(aSeen), norm0(oSeen); a != o {
				t.Errorf("backend saw:\n apache2:  %s\n oidcgate: %s", a, o)
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	aLog, _ := os.ReadFile(filepath.Join(fp.ApacheDir, "access.log"))
	oLog, _ := os.ReadFile(filepath.Join(fp.OIDCGateDir, "access.log"))
	aLines, oLines := strings.Split(string(aLog), "\n"), strings.Split(string(oLog), "\n")
	sort.Strings(aLines)
	sort.Strings(oLines)
	if len(aLines) < len(cases) {
		t.Errorf("apache2 wrote %d log lines for %d requests", len(aLines), len(cases))
	}
	if a, o := strings.Join(aLines, "\n"), strings.Join(oLines, "\n"); a != o {
		t.Errorf("access logs differ:\n apache2:\n%s\n oidcgate:\n%s", a, o)
	}
	if t.Failed() {
		t.Logf("oidcgate log:\n%s", fp.OIDCGateLog.String())
	}
}
