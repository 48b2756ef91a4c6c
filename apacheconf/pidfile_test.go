package apacheconf

import (
	"path/filepath"
	"testing"
)

// TestPidFileResolution: a relative PidFile is under ServerRoot, with or
// without DefaultRuntimeDir (measured on Debian's Apache 2.4.71 with
// apache2 -k start: PidFile x.pid wrote <root>/x.pid, not <root>/logs/x.pid;
// with DefaultRuntimeDir rt, PidFile run/x.pid wrote <root>/run/x.pid).
func TestPidFileResolution(t *testing.T) {
	root := t.TempDir()
	for conf, want := range map[string]string{
		"ServerName a\nPidFile /run/x.pid\n":                                   "/run/x.pid",
		"ServerName a\nPidFile x.pid\n":                                        filepath.Join(root, "x.pid"),
		"ServerName a\nDefaultRuntimeDir " + root + "/rt\nPidFile run/x.pid\n": filepath.Join(root, "run/x.pid"),
		"ServerName a\n": "",
	} {
		cfg, _ := compileInRoot(t, root, conf)
		if cfg.PidFile != want {
			t.Errorf("%q: PidFile %q, want %q", conf, cfg.PidFile, want)
		}
	}
}
