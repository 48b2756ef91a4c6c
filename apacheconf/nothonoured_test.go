package apacheconf

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestNotHonoured: the critical directives lint reports unsupported are
// also warnings for configtest and serve (a Debian port-80 virtual host's
// http-to-https RewriteRule used to disappear without a word at start-up);
// RewriteEngine Off, Apache's default, is neither critical nor notable.
func TestNotHonoured(t *testing.T) {
	tests := []struct {
		name   string
		conf   string
		status string // lint status of line 3
		exit   int
		warned []string // directives NotHonoured warns about, in order
	}{
		{"RewriteEngine Off", "<VirtualHost *:80>\nRewriteEngine Off\n</VirtualHost>\n", "ignored", 0, nil},
		{"http-to-https RewriteRule", "<VirtualHost *:80>\nRewriteEngine On\nRewriteCond %{HTTPS} off\nRewriteRule ^/?(.*) https://%{SERVER_NAME}/$1 [R=301,L]\n</VirtualHost>\n",
			"unsupported", 2, []string{"RewriteEngine", "RewriteCond", "RewriteRule"}},
		{"RemoteIPHeader", "<VirtualHost *:80>\nRemoteIPHeader X-Forwarded-For\n</VirtualHost>\n", "unsupported", 2, []string{"RemoteIPHeader"}},
		{"notable only", "<VirtualHost *:80>\nProxyErrorOverride On\n</VirtualHost>\n", "unsupported", 1, nil},
		// Debian's status.conf: no status page is less exposure, not a
		// security or routing change; other handlers are.
		{"SetHandler server-status", "<Location /server-status>\nSetHandler server-status\nRequire local\n</Location>\n", "unsupported", 1, nil},
		{"SetHandler none", "<Location /x>\nSetHandler None\n</Location>\n", "ignored", 0, nil},
		{"SetHandler to FastCGI", "<FilesMatch \\.php$>\nSetHandler \"proxy:unix:/run/php/php-fpm.sock|fcgi://localhost\"\n</FilesMatch>\n", "unsupported", 2, []string{"SetHandler"}},
		{"supported", "<VirtualHost *:80>\nRedirect permanent / https://a.example/\n</VirtualHost>\n", "supported", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, map[string]string{"main.conf": "ServerName a\n" + tt.conf})
			tree, diags := Read(Options{File: filepath.Join(root, "main.conf"), ServerRoot: root, Envvars: EnvvarsOff})
			_, cd := Compile(tree, DefaultRegistry())
			rep := Lint(tree, DefaultRegistry(), append(diags, cd...))
			status := ""
			for _, e := range rep.Entries {
				if e.Pos.Line == 3 {
					status = e.Status
				}
			}
			if status != tt.status || rep.Exit != tt.exit {
				t.Errorf("lint: status %q exit %d, want %q exit %d", status, rep.Exit, tt.status, tt.exit)
			}
			var warned []string
			for _, d := range NotHonoured(tree, DefaultRegistry()) {
				if d.Severity != SevWarning || d.Pos.Line == 0 || !strings.Contains(d.Error(), "main.conf:") || !strings.Contains(d.Msg, "not honoured") {
					t.Errorf("warning without position or wording: %s", d.Error())
				}
				warned = append(warned, d.Directive)
			}
			if strings.Join(warned, ",") != strings.Join(tt.warned, ",") {
				t.Errorf("NotHonoured warned about %v, want %v", warned, tt.warned)
			}
		})
	}
}
