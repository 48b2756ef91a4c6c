package compattests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDebianCtlDifferential: a copy of the Debian tree elsewhere, used as
// Debian documents it (APACHE_CONFDIR=<copy> apache2ctl ...): Debian's real
// apache2ctl script and oidcgate under the name apache2ctl must print the
// same for configtest, -S, -t -D DUMP_VHOSTS, -t -D DUMP_RUN_CFG and -t -D
// DUMP_INCLUDES (Apache's Mutex lines aside: oidcgate has no mutexes),
// the machine-name alert AH00558 included; and for a broken tree the same
// error and "Action '…' failed." lines. oidcgate read /etc/apache2
// whatever APACHE_CONFDIR said, printed no run-time configuration for
// DUMP_RUN_CFG, left -S without DocumentRoot, ErrorLog, PidFile, User and
// Group, and called itself apache2ctl in Apache's messages.
func TestDebianCtlDifferential(t *testing.T) {
	requireDebianTree(t)
	confdir := filepath.Join(t.TempDir(), "apache2-copy")
	if out, err := exec.Command("cp", "-a", "/etc/apache2", confdir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	// A site only the copy has: reading /etc/apache2 instead would show.
	site := "<VirtualHost *:80>\n\tServerName copy-only.example\n\tProxyPass /x http://127.0.0.1:9/x\n</VirtualHost>\n"
	if err := os.WriteFile(filepath.Join(confdir, "sites-enabled", "zz-copy.conf"), []byte(site), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	link := filepath.Join(bin, "apache2ctl")
	if err := os.Symlink(oidcgateBin, link); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "APACHE_CONFDIR=" + confdir}
	clean := func(s string) string {
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, "Mutex ") {
				continue
			}
			keep = append(keep, l)
		}
		return strings.Join(keep, "\n")
	}
	broken := filepath.Join(t.TempDir(), "broken")
	if err := os.Mkdir(broken, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(broken, "apache2.conf"), []byte("Include /nonexistent/oidcgate-test.conf\n"), 0o644)
	for _, args := range [][]string{{"-t"}, {"configtest"}} {
		benv := []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "APACHE_CONFDIR=" + broken}
		a, o := run(t, benv, "/usr/sbin/apache2ctl", args...), run(t, benv, link, args...)
		if a.code == 0 || a.code != o.code || a.stdout != o.stdout || a.stderr != o.stderr {
			t.Errorf("broken tree, %v:\n--- apache2ctl %d\n%s%s--- oidcgate %d\n%s%s", args, a.code, a.stdout, a.stderr, o.code, o.stdout, o.stderr)
		}
	}
	for _, args := range [][]string{
		{"configtest"},
		{"-S"},
		{"-t", "-D", "DUMP_VHOSTS"},
		{"-t", "-D", "DUMP_RUN_CFG"},
		{"-t", "-D", "DUMP_INCLUDES"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			a := run(t, env, "/usr/sbin/apache2ctl", args...)
			o := run(t, env, link, args...)
			if a.code != 0 || o.code != 0 {
				t.Fatalf("exit: apache2ctl %d (%s), oidcgate %d (%s)", a.code, a.stderr, o.code, o.stderr)
			}
			if clean(a.stdout) != clean(o.stdout) {
				t.Errorf("stdout differs\n--- apache2ctl\n%s\n--- oidcgate\n%s", a.stdout, o.stdout)
			}
			if clean(a.stderr) != clean(o.stderr) {
				t.Errorf("stderr differs\n--- apache2ctl\n%s\n--- oidcgate\n%s", a.stderr, o.stderr)
			}
			if len(args) > 1 && args[len(args)-1] != "DUMP_RUN_CFG" && !strings.Contains(o.stdout, "zz-copy.conf") {
				t.Errorf("oidcgate did not read APACHE_CONFDIR's tree:\n%s", o.stdout)
			}
		})
	}
}
