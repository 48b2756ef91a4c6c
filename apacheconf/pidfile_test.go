package apacheconf

import (
	"path/filepath"
	"testing"
)

func TestPidFileResolution(t *testing.T) {
	root := t.TempDir()
	for conf, want := range map[string]string{
		"ServerName a\nPidFile /run/x.pid\n":                                "/run/x.pid",
		"ServerName a\nPidFile x.pid\n":                                     filepath.Join(root, "logs/x.pid"),
		"ServerName a\nDefaultRuntimeDir " + root + "\nPidFile run/x.pid\n": filepath.Join(root, "run/x.pid"),
		"ServerName a\n": "",
	} {
		cfg, _ := compileInRoot(t, root, conf)
		if cfg.PidFile != want {
			t.Errorf("%q: PidFile %q, want %q", conf, cfg.PidFile, want)
		}
	}
}
