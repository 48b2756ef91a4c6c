package apacheconf

import (
	"path/filepath"
	"strings"
	"testing"
)

// OIDCCacheType file is reported (kept in memory); redis and memcache are
// honoured.
func TestLintOIDCCacheType(t *testing.T) {
	for _, tt := range []struct {
		conf, status string
		exit         int
	}{
		{"OIDCCacheType file\n", "unsupported", 1},
		{"OIDCCacheType redis\nOIDCRedisCacheServer 127.0.0.1\n", "supported", 0},
		{"OIDCCacheType memcache\nOIDCMemCacheServers 127.0.0.1\nOIDCCacheEncrypt Off\n", "supported", 0},
	} {
		root := t.TempDir()
		writeFiles(t, root, map[string]string{"main.conf": "ServerName a\n" + tt.conf})
		tree, diags := Read(Options{File: filepath.Join(root, "main.conf"), ServerRoot: root, Envvars: EnvvarsOff})
		rep := Lint(tree, DefaultRegistry(), diags)
		for _, e := range rep.Entries {
			if strings.EqualFold(e.Directive, "OIDCCacheType") && (e.Status != tt.status || tt.status == "unsupported" && !strings.Contains(e.Why, "in memory")) {
				t.Errorf("%q: %s %q", tt.conf, e.Status, e.Why)
			}
		}
		if rep.Exit != tt.exit {
			t.Errorf("%q: exit %d, want %d (%+v)", tt.conf, rep.Exit, tt.exit, rep.Entries)
		}
	}
}
