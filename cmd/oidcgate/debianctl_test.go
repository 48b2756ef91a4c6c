package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runCLIEnv is runCLI with an environment.
func runCLIEnv(t *testing.T, envs map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb, func(k string) (string, bool) { v, ok := envs[k]; return v, ok })
	return code, out.String(), errb.String()
}

// debianTree writes a Debian-shaped server root: apache2.conf whose
// ErrorLog and PidFile come from envvars, as Debian's do.
func debianTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"apache2.conf": "LoadModule mpm_event_module x.so\nServerName deb.example\nPidFile ${APACHE_PID_FILE}\nErrorLog ${APACHE_LOG_DIR}/error.log\nListen 127.0.0.1:1\n",
		"envvars":      "export APACHE_PID_FILE=" + root + "/run/apache2$SUFFIX.pid\nexport APACHE_LOG_DIR=" + root + "/log$SUFFIX\n",
		"x.so":         "",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"run", "log"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestDebianCtl: under the name apache2ctl (or apachectl), oidcgate does
// what Debian's apache2ctl script does before running apache2 — it reads
// the tree in $APACHE_CONFDIR and takes the bare verbs (apache2ctl start,
// graceful, ...) — where it used to read /etc/apache2 whatever
// APACHE_CONFDIR said and answer the verbs with a usage message.
func TestDebianCtl(t *testing.T) {
	root := debianTree(t)
	conf := filepath.Join(root, "apache2.conf")
	env := map[string]string{"APACHE_CONFDIR": root}
	broken := debianTree(t)
	if err := os.WriteFile(filepath.Join(broken, "apache2.conf"), []byte("LoadModule mpm_event_module x.so\nBogusDirective x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{"configtest reads APACHE_CONFDIR", map[string]string{"APACHE_CONFDIR": broken}, []string{"apache2ctl", "configtest"}, 1, "", "line 2 of " + filepath.Join(broken, "apache2.conf")},
		{"-t reads APACHE_CONFDIR", env, []string{"apachectl", "-t", "-D", "DUMP_INCLUDES"}, 0, "(*) " + conf, ""},
		{"-S shows the tree of APACHE_CONFDIR", env, []string{"apache2ctl", "-S"}, 0, `ServerRoot: "` + root + `"`, ""},
		{"an explicit -d wins", map[string]string{"APACHE_CONFDIR": "/nonexistent/apache2"}, []string{"apache2ctl", "-d", root, "-t"}, 0, "", "Syntax OK"},
		{"apache2ctl-NAME reads /etc/apache2-NAME", nil, []string{"apache2ctl-oidcgate-test-none", "-t"}, 1, "", "/etc/apache2-oidcgate-test-none/apache2.conf"},
		{"APACHE_CONFDIR beats the NAME", env, []string{"apache2ctl-oidcgate-test-none", "-t"}, 0, "", "Syntax OK"},
		{"stop: envvars' PidFile, nothing running", env, []string{"apache2ctl", "stop"}, 0, "", "not running"},
		{"graceful-stop, nothing running", env, []string{"apache2ctl", "graceful-stop"}, 0, "", "not running"},
		{"status is answered", env, []string{"apache2ctl", "status"}, 1, "", "no mod_status page"},
		{"help lists the verbs", env, []string{"apache2ctl", "help"}, 1, "", "start|stop|restart|graceful|graceful-stop|configtest"},
		{"the apache2 binary ignores APACHE_CONFDIR", map[string]string{"APACHE_CONFDIR": root}, []string{"apache2", "-f", "/nonexistent/oidcgate.conf", "-t"}, 1, "", "/nonexistent/oidcgate.conf"},
		{"the apache2 binary takes no verbs", env, []string{"apache2", "start"}, 1, "", "Usage:"},
		{"-V names the default configuration", nil, []string{"apache2", "-V"}, 0, " -D HTTPD_ROOT=\"/etc/apache2\"\n -D DEFAULT_PIDLOG=\"/run/apache2.pid\"\n -D DEFAULT_ERRORLOG=\"logs/error_log\"\n -D AP_TYPES_CONFIG_FILE=\"mime.types\"\n -D SERVER_CONFIG_FILE=\"apache2.conf\"\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLIEnv(t, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.inStdout) || !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("%v: code %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", tt.args, code, tt.code, stdout, tt.inStdout, stderr, tt.inStderr)
			}
		})
	}
}

// TestDebianCtlStopSignalsThePidFile: `apache2ctl stop` with
// APACHE_CONFDIR finds the server through the PidFile that the tree's
// envvars name and sends it SIGTERM.
func TestDebianCtlStopSignalsThePidFile(t *testing.T) {
	root := debianTree(t)
	srv := exec.Command("sleep", "30")
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	defer srv.Process.Kill()
	if err := os.WriteFile(filepath.Join(root, "run", "apache2.pid"), []byte(strconv.Itoa(srv.Process.Pid)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLIEnv(t, map[string]string{"APACHE_CONFDIR": root}, "apache2ctl", "stop")
	if code != 0 {
		t.Fatalf("apache2ctl stop: code %d stderr %q", code, stderr)
	}
	select {
	case err := <-exited:
		if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
			t.Errorf("the server ended with %v, want SIGTERM", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("apache2ctl stop did not signal the PidFile's process")
	}
}
