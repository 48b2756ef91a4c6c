package apacheconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const debianEnvvars = `# envvars - default environment variables for apache2ctl
unset HOME
if [ "${APACHE_CONFDIR##/etc/apache2-}" != "${APACHE_CONFDIR}" ] ; then
	SUFFIX="-${APACHE_CONFDIR##/etc/apache2-}"
else
	SUFFIX=
fi
export APACHE_RUN_USER=www-data
export APACHE_RUN_GROUP=www-data
export APACHE_PID_FILE=/var/run/apache2$SUFFIX/apache2.pid
export APACHE_RUN_DIR=/var/run/apache2$SUFFIX
export APACHE_LOCK_DIR=/var/lock/apache2$SUFFIX
export APACHE_LOG_DIR=/var/log/apache2$SUFFIX
export LANG=C
export LANG
`

func TestEnvvars(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "envvars")
	if err := os.WriteFile(p, []byte(debianEnvvars), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"APACHE_LOG_DIR": "/from/env"}
	lookup, diags := loadEnvvars(p, "/etc/apache2-two", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if len(diags) != 1 || diags[0].Severity != SevInfo {
		t.Fatalf("diags = %v", diags)
	}
	for name, want := range map[string]string{
		"APACHE_RUN_USER": "www-data",
		"APACHE_PID_FILE": "/var/run/apache2-two/apache2.pid",
		"APACHE_RUN_DIR":  "/var/run/apache2-two",
		"APACHE_LOG_DIR":  "/from/env", // the process environment wins
		"LANG":            "C",
	} {
		if got, ok := lookup(name); !ok || got != want {
			t.Errorf("%s = %q, %v; want %q", name, got, ok, want)
		}
	}
	if _, ok := lookup("SUFFIX"); ok {
		t.Error("SUFFIX is internal to the file and must not leak")
	}
}

func TestEnvvarsAutoOnlyForDebianLayout(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"envvars":      "export APACHE_LOG_DIR=/var/log/apache2\n",
		"apache2.conf": "LoadModule mpm_event_module x.so\nServerName a\nDefine LOG ${APACHE_LOG_DIR}\n",
		"other.conf":   "LoadModule mpm_event_module x.so\nServerName a\nDefine LOG ${APACHE_LOG_DIR}\n",
	})
	for _, tt := range []struct {
		file string
		mode EnvvarsMode
		want string
	}{
		{"apache2.conf", EnvvarsAuto, "/var/log/apache2"},
		{"other.conf", EnvvarsAuto, "${APACHE_LOG_DIR}"},
		{"other.conf", EnvvarsOn, "/var/log/apache2"},
		{"apache2.conf", EnvvarsOff, "${APACHE_LOG_DIR}"},
	} {
		tree, _ := Read(Options{File: tt.file, ServerRoot: root, Envvars: tt.mode})
		if got := tree.Vars["LOG"]; got != tt.want {
			t.Errorf("%s mode %d: LOG = %q, want %q", tt.file, tt.mode, got, tt.want)
		}
	}
}

// TestRelativeServerRootWildcardInclude: with a relative server root
// (-d dir), wildcard Includes are matched from the working directory, not
// from "/" (they used to match nothing and configtest said Syntax OK).
func TestRelativeServerRootWildcardInclude(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"main.conf":         "Include conf.d/*.conf\nIncludeOptional opt/*.conf\n",
		"conf.d/a.conf":     "ServerName a.example\n",
		"opt/b.conf":        "ServerAdmin b@example.com\n",
		"conf.d/skip.conf~": "Nonsense\n",
	})
	t.Chdir(filepath.Dir(root))
	cfg, diags := Load(Options{File: "main.conf", ServerRoot: filepath.Base(root), Envvars: EnvvarsOff})
	if cfg == nil {
		t.Fatal(diags)
	}
	var got []string
	for _, f := range cfg.Tree.Files {
		got = append(got, filepath.Base(f.Path))
	}
	if strings.Join(got, ",") != "main.conf,a.conf,b.conf" {
		t.Errorf("included %v", got)
	}
}

// TestEnvvarsTrailingSlash: "-d /etc/apache2/" (as tab completion writes
// it) still finds Debian's envvars next to apache2.conf.
func TestEnvvarsTrailingSlash(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"apache2.conf": "ServerName a\nDefaultRuntimeDir ${APACHE_RUN_DIR}\n",
		"envvars":      "export APACHE_RUN_DIR=" + root + "\n",
	})
	_, diags := Load(Options{ServerRoot: root + "/", Envvars: EnvvarsAuto})
	for _, d := range diags {
		if strings.Contains(d.Msg, "APACHE_RUN_DIR") && strings.Contains(d.Msg, "not defined") {
			t.Errorf("envvars not read with a trailing slash: %s", d.Msg)
		}
	}
}
