package compattests

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// exprvarsConf reports the request variables r->uri, r->filename and
// r->path_info at each phase that evaluates ap_expr: server-level
// SetEnvIfExpr (post-read-request), <If>, a <Location>'s SetEnvIfExpr
// (header parser), Require expr (authz), RequestHeader (fixups, after
// mod_proxy's canonicalisation) and Header (output filter).
func exprvarsConf(listen, backend, dir string) string {
	return loadModules("mpm_event", "authz_core", "proxy", "proxy_http", "headers", "setenvif", "alias", "env") + fmt.Sprintf(`ServerName front.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[3]s/error.log
PidFile %[3]s/httpd.pid
DocumentRoot %[3]s/www
CustomLog %[3]s/access.log "%%U|%%f"
Alias /al %[3]s/al
ProxyPass /p http://%[2]s/back
<Directory %[3]s>
  Require all granted
</Directory>
SetEnvIfExpr "-z %%{REQUEST_FILENAME}" S_FN_EMPTY=1
SetEnvIfExpr "%%{REQUEST_URI} =~ m#/[.][.]/#" S_URI_RAW=1
SetEnvIfExpr "%%{DOCUMENT_URI} =~ m#/[.][.]/#" S_DU_RAW=1
SetEnvIfExpr "-z %%{PATH_INFO}" S_PI_EMPTY=1
RequestHeader set X-Early "expr=%%{REQUEST_URI}|%%{REQUEST_FILENAME}|%%{PATH_INFO}" early
<If "-z %%{REQUEST_FILENAME}">
  Header always set X-If-Empty 1
</If>
<If "%%{REQUEST_FILENAME} == 'proxy:http://%[2]s/back/q/a b'">
  Header always set X-If-Proxy-Decoded 1
</If>
<If "%%{REQUEST_FILENAME} =~ m#^proxy:.*[?]#">
  Header always set X-If-Proxy-Query 1
</If>
<If "%%{REQUEST_FILENAME} == '%[3]s/www/f.html'">
  Header always set X-If-File 1
</If>
<If "%%{REQUEST_URI} =~ m# #">
  Header always set X-If-Uri-Decoded 1
</If>
<If "%%{PATH_INFO} == '/ex tra'">
  Header always set X-If-Path-Info 1
</If>
RequestHeader set X-RH "expr=%%{REQUEST_URI}|%%{REQUEST_FILENAME}|%%{PATH_INFO}|%%{DOCUMENT_URI}|%%{SCRIPT_FILENAME}"
RequestHeader set X-Env "%%{S_FN_EMPTY}e|%%{S_URI_RAW}e|%%{S_DU_RAW}e|%%{S_PI_EMPTY}e|%%{D_FN}e|%%{D_PI}e"
Header always set X-H "expr=%%{REQUEST_URI}|%%{REQUEST_FILENAME}|%%{PATH_INFO}|%%{DOCUMENT_URI}|%%{SCRIPT_FILENAME}"
Header always set X-He "%%{S_FN_EMPTY}e|%%{S_URI_RAW}e|%%{S_DU_RAW}e|%%{S_PI_EMPTY}e|%%{D_FN}e|%%{D_PI}e"
<Location /p/q>
  SetEnvIfExpr "%%{REQUEST_FILENAME} == 'proxy:http://%[2]s/back/q/a b'" D_FN=decoded
  Require expr "%%{REQUEST_FILENAME} == 'proxy:http://%[2]s/back/q/a b'"
</Location>
<Location /f.html>
  SetEnvIfExpr "%%{REQUEST_FILENAME} == '%[3]s/www/f.html'" D_FN=file
  SetEnvIfExpr "%%{PATH_INFO} == '/ex tra'" D_PI=decoded
</Location>
`, listen, backend, dir)
}

// TestExprVarsDifferential compares the request variables Apache and
// oidcgate give each phase's expressions, for proxied, static, aliased,
// missing and path-info requests (the directory of each side is replaced
// by DIR).
func TestExprVarsDifferential(t *testing.T) {
	requireApache(t)
	backend, take := xHeaderBackend(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	})
	fp := startFrontPair(t, func(listen, dir string) string { return exprvarsConf(listen, backend, dir) }, func(dir string) {
		for _, d := range []string{"www/sub", "www/idx", "al"} {
			os.MkdirAll(filepath.Join(dir, d), 0o755)
		}
		os.WriteFile(filepath.Join(dir, "www/f.html"), []byte("hi\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "www/idx/index.html"), []byte("idx\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "al/a.txt"), []byte("al\n"), 0o644)
	})
	for _, target := range []string{
		"/p/a%20b/../c?x=1",
		"/p/q/a%20b?x=1",
		"/p/q/a%20c?x=1", // Require expr denies: Header sees r->filename before the fixup
		"/p/q/a%20b?",
		"/f.html",
		"/f.html/ex%20tra",
		"/f.html/",
		"/missing/x/y",
		"/al/a.txt",
		"/sub/",
		"/idx/",
		"/%7euser/a%3fb",
		"//f.html",
	} {
		t.Run(strings.ReplaceAll(target, "/", "_"), func(t *testing.T) {
			a := strings.ReplaceAll(ifexprGet(t, fp.Apache, target, nil), fp.ApacheDir, "DIR")
			aSeen := strings.ReplaceAll(take(), fp.ApacheDir, "DIR")
			o := strings.ReplaceAll(ifexprGet(t, fp.OIDCGate, target, nil), fp.OIDCGateDir, "DIR")
			oSeen := strings.ReplaceAll(take(), fp.OIDCGateDir, "DIR")
			t.Logf("apache2: %s | backend %s", a, aSeen)
			if a != o {
				t.Errorf("response:\n apache2:  %s\n oidcgate: %s", a, o)
			}
			if aSeen != oSeen {
				t.Errorf("backend saw:\n apache2:  %s\n oidcgate: %s", aSeen, oSeen)
			}
		})
	}
	// %f logs r->filename as the request ended.
	aLog, _ := os.ReadFile(filepath.Join(fp.ApacheDir, "access.log"))
	oLog, _ := os.ReadFile(filepath.Join(fp.OIDCGateDir, "access.log"))
	// Sorted: a server may log a request after the client has its
	// response and has sent the next one.
	a := sortedLines(strings.ReplaceAll(string(aLog), fp.ApacheDir, "DIR"))
	o := sortedLines(strings.ReplaceAll(string(oLog), fp.OIDCGateDir, "DIR"))
	t.Logf("apache2 access log:\n%s", a)
	if a == "" || a != o {
		t.Errorf("access logs differ:\n%s", lineDiff(a, o))
	}
	if t.Failed() {
		t.Logf("oidcgate log:\n%s", fp.OIDCGateLog.String())
	}
}

// sortedLines is s with its lines in sorted order.
func sortedLines(s string) string {
	lines := strings.Split(s, "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
