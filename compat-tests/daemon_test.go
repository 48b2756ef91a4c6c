package compattests

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestApachectlStartDetaches: Debian's apache2.service is Type=forking with
// ExecStart=apachectl start, so `apachectl start` must return once the
// server listens and leave it running (systemd waits for the command to
// exit), as the real one does; `apachectl stop` then stops it through the
// PidFile. oidcgate served in the foreground instead, so the unit's start
// would hang until systemd killed it. A start that cannot bind fails with
// a non-zero status for both.
func TestApachectlStartDetaches(t *testing.T) {
	requireApache(t)
	link := filepath.Join(t.TempDir(), "apache2ctl")
	if err := os.Symlink(oidcgateBin, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, ctl string }{{"apache2", "/usr/sbin/apache2ctl"}, {"oidcgate", link}} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			os.Chmod(root, 0o755)
			addr := freePort(t)
			files := map[string]string{
				"apache2.conf": loadModules("mpm_event", "authz_core", "alias") + fmt.Sprintf("ServerName start.example\nListen %s\nUser nobody\nGroup nogroup\n"+
					"PidFile ${APACHE_PID_FILE}\nErrorLog ${APACHE_LOG_DIR}/error.log\nRedirect /x http://elsewhere.example/\n", addr),
				"envvars": "export APACHE_PID_FILE=" + root + "/run/apache2.pid\nexport APACHE_RUN_DIR=" + root + "/run\nexport APACHE_LOCK_DIR=" + root + "/lock\n" +
					"export APACHE_LOG_DIR=" + root + "/log\nexport APACHE_RUN_USER=nobody\nexport APACHE_RUN_GROUP=nogroup\n",
			}
			for name, content := range files {
				if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, d := range []string{"run", "lock", "log"} {
				os.Mkdir(filepath.Join(root, d), 0o755)
			}
			env := []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "APACHE_CONFDIR=" + root, "APACHE_STARTED_BY_SYSTEMD=true"}
			start := run(t, env, tc.ctl, "start") // run gives it 30 s
			if start.code != 0 {
				t.Fatalf("%s start: exit %d\n%s%s", tc.name, start.code, start.stdout, start.stderr)
			}
			pid := readPid(t, filepath.Join(root, "run", "apache2.pid"))
			defer syscall.Kill(pid, syscall.SIGKILL)
			if st, loc := rawGet(t, addr, "/x", "start.example", nil); st != 302 || loc != "http://elsewhere.example/" {
				t.Errorf("after start: %d %q", st, loc)
			}
			// A second server on the same address cannot bind.
			busy := filepath.Join(root, "busy")
			os.Mkdir(busy, 0o755)
			os.WriteFile(filepath.Join(busy, "apache2.conf"), []byte(strings.Replace(files["apache2.conf"], "${APACHE_PID_FILE}", busy+"/pid", 1)), 0o644)
			os.WriteFile(filepath.Join(busy, "envvars"), []byte(files["envvars"]), 0o644)
			if r := run(t, []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "APACHE_CONFDIR=" + busy, "APACHE_STARTED_BY_SYSTEMD=true"}, tc.ctl, "start"); r.code == 0 {
				t.Errorf("%s start on a busy address: exit 0\n%s", tc.name, r.stderr)
			}
			if stop := run(t, env, tc.ctl, "stop"); stop.code != 0 {
				t.Errorf("%s stop: exit %d %s", tc.name, stop.code, stop.stderr)
			}
			for i := 0; syscall.Kill(pid, 0) == nil; i++ {
				if i == 100 {
					t.Fatalf("%s: pid %d still running 10 s after stop", tc.name, pid)
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
}

// readPid waits (bounded) for a PID file and returns its process id.
func readPid(t *testing.T, file string) int {
	t.Helper()
	for range 100 {
		if b, err := os.ReadFile(file); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
				return pid
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no PID in %s", file)
	return 0
}
