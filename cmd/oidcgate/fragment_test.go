package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFragmentNoMainServerNoise: a site file read on its own
// (`oidcgate lint 000-default.conf`) is not told that its main server has
// no ServerName or that <dir>/logs/ is missing — its main server is
// apache2.conf's. A whole configuration still is.
func TestFragmentNoMainServerNoise(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, "000-default.conf")
	os.WriteFile(site, []byte("<VirtualHost *:80>\nServerName a.example\nProxyPass / http://127.0.0.1:9/\n</VirtualHost>\n"), 0o644)
	for _, cmd := range []string{"lint", "configtest"} {
		code, stdout, stderr := runCLI(t, "oidcgate", cmd, site)
		out := stdout + stderr
		if code != 0 || strings.Contains(out, "AH02291") || strings.Contains(out, "no ServerName") {
			t.Errorf("%s %s: code %d\n%s", cmd, site, code, out)
		}
	}
	root, file := writeConf(t, "LoadModule mpm_event_module x.so\nListen 8080\n")
	code, _, stderr := runCLI(t, "oidcgate", "configtest", "-d", root, file)
	if code != 0 || !strings.Contains(stderr, "AH02291") || !strings.Contains(stderr, "no ServerName") {
		t.Errorf("whole configuration: code %d, want both warnings:\n%s", code, stderr)
	}
}
