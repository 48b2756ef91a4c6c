package compattests

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNoServerNameDifferential: Debian's stock tree sets ServerName
// nowhere (apache2.conf, 000-default.conf), so Apache names the servers
// after the machine (AH00558). The backend's X-Forwarded-Server and the
// access log's %v must carry that name as with Apache — oidcgate sent an
// empty X-Forwarded-Server and logged an empty %v. A virtual host with a
// wildcard address takes the main server's (the machine's) name; one on
// an IP address the reverse DNS name of the address.
func TestNoServerNameDifferential(t *testing.T) {
	requireApache(t)
	be := newBackendRecorder(t)
	backend := be.srv.Listener.Addr().String()
	aAddr, oAddr := freePort(t), freePort(t)
	aWild, oWild := freePort(t), freePort(t)
	aDir, oDir := t.TempDir(), t.TempDir()
	conf := func(listen, wild, dir string) string {
		return loadModules("mpm_event", "authz_core", "proxy", "proxy_http") + fmt.Sprintf(`Listen %[1]s
Listen %[4]s
User nobody
Group nogroup
ErrorLog %[3]s/error.log
PidFile %[3]s/httpd.pid
LogFormat "%%v %%m %%U %%>s" cmp
CustomLog %[3]s/access.log cmp
<VirtualHost %[1]s>
	ServerAdmin webmaster@localhost
	ProxyPass /api http://%[2]s/api
</VirtualHost>
<VirtualHost *:%[5]s>
	ProxyPass /api http://%[2]s/api
</VirtualHost>
`, listen, backend, dir, wild, wild[strings.LastIndexByte(wild, ':')+1:])
	}
	aConf, oConf := filepath.Join(aDir, "site.conf"), filepath.Join(oDir, "site.conf")
	for _, d := range []string{aDir, oDir} {
		os.Chmod(d, 0o755)
	}
	os.WriteFile(aConf, []byte(conf(aAddr, aWild, aDir)), 0o644)
	os.WriteFile(oConf, []byte(conf(oAddr, oWild, oDir)), 0o644)
	apache := exec.Command(apacheBin, "-d", aDir, "-f", aConf, "-DFOREGROUND")
	apache.Env = []string{"PATH=/usr/sbin:/usr/bin:/bin"}
	apache.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := apache.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { syscall.Kill(-apache.Process.Pid, syscall.SIGTERM); apache.Wait() }()
	og := exec.Command(oidcgateBin, "serve", "-d", oDir, "-f", oConf)
	og.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := og.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { og.Process.Signal(syscall.SIGTERM); og.Wait() }()
	waitListening(t, aAddr)
	waitListening(t, oAddr)

	// forwardedServer requests /api/x and returns the X-Forwarded-Server
	// the backend got.
	forwardedServer := func(addr string) string {
		if st, _ := rawGet(t, addr, "/api/x", addr, nil); st != 200 {
			t.Fatalf("%s: status %d", addr, st)
		}
		s := be.take()
		if s == nil {
			t.Fatalf("%s: not proxied", addr)
		}
		for _, h := range s.Headers {
			if v, ok := strings.CutPrefix(h, "X-Forwarded-Server: "); ok {
				return v
			}
		}
		return ""
	}
	ipName, wildName := forwardedServer(aAddr), forwardedServer(aWild)
	if ipName == "" || wildName == "" {
		t.Fatalf("apache2 sent X-Forwarded-Server %q and %q", ipName, wildName)
	}
	if got := forwardedServer(oAddr); got != ipName {
		t.Errorf("IP virtual host: X-Forwarded-Server: apache2 %q, oidcgate %q", ipName, got)
	}
	if got := forwardedServer(oWild); got != wildName {
		t.Errorf("wildcard virtual host: X-Forwarded-Server: apache2 %q, oidcgate %q", wildName, got)
	}
	// Each line is written once its response is done: compare them sorted.
	sorted := func(s string) string {
		l := strings.Split(strings.TrimSpace(s), "\n")
		sort.Strings(l)
		return strings.Join(l, "\n")
	}
	want := sorted(ipName + " GET /api/x 200\n" + wildName + " GET /api/x 200\n")
	for _, f := range []string{filepath.Join(aDir, "access.log"), filepath.Join(oDir, "access.log")} {
		var got []byte
		for range 50 { // the lines are written when the responses are done
			if got, _ = os.ReadFile(f); strings.Count(string(got), "\n") >= 2 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if sorted(string(got)) != want {
			t.Errorf("%s: %q, want %q", f, got, want)
		}
	}
	// No DocumentRoot: Apache serves its compiled-in one (Debian's
	// /var/www/html, where the apache2 package puts its default page).
	get := func(addr, path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, path := range []string{"/index.html", "/nothing-here.html"} {
		ast, abody := get(aAddr, path)
		ost, obody := get(oAddr, path)
		if ast != ost || (ast == 200 && abody != obody) {
			t.Errorf("GET %s without DocumentRoot: apache2 %d (%d bytes), oidcgate %d (%d bytes)", path, ast, len(abody), ost, len(obody))
		}
	}
	if st, body := get(oAddr, "/index.html"); st != 200 || !strings.Contains(body, "Apache2 Debian Default Page") {
		t.Errorf("GET /index.html without DocumentRoot: oidcgate %d, want Debian's default page", st)
	}
}
