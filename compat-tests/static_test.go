package compattests

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestStaticDifferential serves the same DocumentRoot through the real
// Apache and oidcgate and compares status, Location, Content-Type, body,
// ETag and Last-Modified, plus a conditional request.
func TestStaticDifferential(t *testing.T) {
	requireApache(t)
	www := t.TempDir()
	// Apache's workers run as nobody: every directory on the way must be
	// traversable.
	os.Chmod(www, 0o755)
	os.Chmod(filepath.Dir(www), 0o755)
	for name, content := range map[string]string{"index.html": "<h1>hi</h1>\n", "a.txt": "plain\n", "sub/index.html": "subidx\n", "noidx/file.txt": "x\n", "denied.txt": "no\n"} {
		p := filepath.Join(www, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
		// Old enough for strong ETags on both sides (a file changed within
		// the last second gets a weak one, which would make this timing-bound).
		old := time.Now().Add(-time.Hour)
		os.Chtimes(p, old, old)
	}
	conf := func(listen, dir string) string {
		return loadModules("mpm_event", "authz_core", "dir", "mime") + fmt.Sprintf(`TypesConfig /etc/mime.types
ServerName s.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[2]s/error.log
PidFile %[2]s/httpd.pid
DocumentRoot %[3]s
DirectoryIndex index.html
<Directory />
  Require all denied
</Directory>
<Directory %[3]s>
  Require all granted
</Directory>
<Files "denied.txt">
  Require all denied
</Files>
`, listen, dir, www)
	}
	aAddr, oAddr := freePort(t), freePort(t)
	aDir, oDir := t.TempDir(), t.TempDir()
	aConf, oConf := filepath.Join(aDir, "s.conf"), filepath.Join(oDir, "s.conf")
	os.WriteFile(aConf, []byte(conf(aAddr, aDir)), 0o644)
	os.WriteFile(oConf, []byte(conf(oAddr, oDir)), 0o644)
	apache := exec.Command(apacheBin, "-d", aDir, "-f", aConf, "-DFOREGROUND")
	apache.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := apache.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { syscall.Kill(-apache.Process.Pid, syscall.SIGTERM); apache.Wait() }()
	og := exec.Command(oidcgateBin, "serve", "-d", oDir, "-f", oConf)
	og.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} // dies with the test binary
	if err := og.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { og.Process.Signal(syscall.SIGTERM); og.Wait() }()
	waitListening(t, aAddr)
	waitListening(t, oAddr)

	client := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	fetch := func(addr, path string, hdr map[string]string) string {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		req.Host = "s.example"
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			return "error: " + err.Error()
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return fmt.Sprintf("%d loc=%q type=%q etag=%q lm=%q body=%d:%q", resp.StatusCode, resp.Header.Get("Location"),
			resp.Header.Get("Content-Type"), resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"), len(b), b[:min(len(b), 20)])
	}
	etag := ""
	for _, c := range []struct {
		path string
		hdr  map[string]string
	}{
		{"/", nil}, {"/index.html", nil}, {"/a.txt", nil}, {"/sub", nil}, {"/sub?x=1", nil}, {"/sub/", nil},
		{"/noidx/", nil}, {"/noidx/file.txt", nil}, {"/missing", nil}, {"/denied.txt", nil},
		{"/a.txt", map[string]string{"Range": "bytes=1-3"}},
	} {
		a, o := fetch(aAddr, c.path, c.hdr), fetch(oAddr, c.path, c.hdr)
		if a != o {
			t.Errorf("%s %v:\n apache2:  %s\n oidcgate: %s", c.path, c.hdr, a, o)
		}
		if c.path == "/index.html" {
			req, _ := http.NewRequest("GET", "http://"+aAddr+"/index.html", nil)
			if resp, err := client.Do(req); err == nil {
				etag = resp.Header.Get("ETag")
				resp.Body.Close()
			}
		}
	}
	// The same ETag is valid on both: If-None-Match gives 304 from each.
	cond := map[string]string{"If-None-Match": etag}
	if a, o := fetch(aAddr, "/index.html", cond), fetch(oAddr, "/index.html", cond); a != o {
		t.Errorf("conditional:\n apache2:  %s\n oidcgate: %s", a, o)
	}
}
