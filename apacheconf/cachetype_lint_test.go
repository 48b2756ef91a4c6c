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

// TestLintCacheStore: oidcgate keeps every virtual host's sessions in one
// store; lint warns at a virtual host whose store settings differ from the
// chosen ones (the main server's, else the first virtual host's that sets
// OIDCCacheType), and says nothing when they agree.
func TestLintCacheStore(t *testing.T) {
	const vh1 = "<VirtualHost *:80>\n  ServerName a\n  OIDCCacheType redis\n  OIDCRedisCacheServer r1\n</VirtualHost>\n"
	for _, tc := range []struct {
		name, conf string
		warnLine   int // 0: no warning
	}{
		{"one vhost", vh1, 0},
		{"same settings", vh1 + "<VirtualHost *:80>\n  ServerName b\n  OIDCCacheType redis\n  OIDCRedisCacheServer r1\n</VirtualHost>\n", 0},
		{"other server", vh1 + "<VirtualHost *:80>\n  ServerName b\n  OIDCCacheType redis\n  OIDCRedisCacheServer r2\n</VirtualHost>\n", 10},
		{"other type", vh1 + "<VirtualHost *:80>\n  ServerName b\n  OIDCCacheType shm\n</VirtualHost>\n", 10},
		{"vhost without its own", vh1 + "<VirtualHost *:80>\n  ServerName b\n</VirtualHost>\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, map[string]string{"main.conf": "ServerName m\nListen 80\n" + tc.conf})
			cfg, diags := Load(Options{File: filepath.Join(root, "main.conf"), ServerRoot: root, Envvars: EnvvarsOff})
			if cfg == nil {
				t.Fatal(diags)
			}
			got := LintCacheStore(cfg)
			if tc.warnLine == 0 {
				if len(got) != 0 {
					t.Errorf("unexpected warnings: %v", got)
				}
				return
			}
			if len(got) != 1 || got[0].Pos.Line != tc.warnLine || !strings.Contains(got[0].Msg, "one store, chosen by the settings at") {
				t.Errorf("want one warning at line %d, got %v", tc.warnLine, got)
			}
		})
	}
}
