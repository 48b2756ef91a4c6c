package apacheconf

import (
	"path/filepath"
	"testing"
)

// TestLintServingDirectives: the serving directives decided in the
// serving issue, with the values common configs (Debian's security.conf,
// 000-default.conf) spell out, and the values oidcgate cannot honour.
func TestLintServingDirectives(t *testing.T) {
	tests := []struct {
		line   string
		status string
		exit   int
	}{
		{"ProxyRequests Off", "ignored", 0},
		{"ProxyRequests On", "unsupported", 2},
		{"ServerTokens OS", "ignored", 0},
		{"ServerSignature Off", "supported", 0},
		{"UseCanonicalName Off", "supported", 0},
		{"UseCanonicalName On", "supported", 0},
		{"UseCanonicalName DNS", "unsupported", 1},
		{"UseCanonicalPhysicalPort Off", "ignored", 0},
		{"UseCanonicalPhysicalPort On", "unsupported", 1},
		{"ServerSignature On", "supported", 0},
		{"ServerSignature EMail", "supported", 0},
		{"TraceEnable On", "supported", 0},
		{"TraceEnable Off", "supported", 0},
		{"KeepAlive On", "supported", 0},
		{"KeepAlive Off", "supported", 0},
		{"KeepAliveTimeout 5", "supported", 0},
		{"MaxKeepAliveRequests 100", "supported", 0},
		{"MaxConnectionsPerChild 0", "ignored", 0},
		{"NameVirtualHost *:80", "ignored", 0},
		{"Options -Indexes +FollowSymLinks", "ignored", 0},
		{"Options Indexes FollowSymLinks", "ignored", 0},
		{"Options None", "unsupported", 1},
		{"Options -FollowSymLinks", "unsupported", 1},
		{"Options SymLinksIfOwnerMatch", "unsupported", 1},
		{"Options FollowSymLinks SymLinksIfOwnerMatch", "unsupported", 1},
		{"Options +SymLinksIfOwnerMatch", "unsupported", 1},
		{"Options -SymLinksIfOwnerMatch", "ignored", 0},
		{"Options All", "ignored", 0},
		{"Options Indexes", "unsupported", 1},
		{"HttpProtocolOptions Strict", "ignored", 0},
		{"HttpProtocolOptions Unsafe", "unsupported", 1},
		{"LimitRequestBody 0", "supported", 0},
		{"LimitRequestBody 1024", "supported", 0},
		{"StrictHostCheck Off", "ignored", 0},
		{"StrictHostCheck On", "unsupported", 2},
		{"Alias /x /tmp", "supported", 0},
		{"ScriptAlias /cgi-bin/ /usr/lib/cgi-bin/", "unsupported", 2},
		{"ServerAdmin root@localhost", "supported", 0},
		{"SetEnvIfExpr \"-T 1\" X=1", "supported", 0},
		{"DirectorySlash Off", "supported", 0},
		{"Error \"boom <here>\"", "supported", 2},
		{"Port 80", "supported", 2},
		{"ProxyPassInterpolateEnv Off", "ignored", 0},
		{"ProxyPassInterpolateEnv On", "unsupported", 2},
		{"ProxyErrorOverride Off", "ignored", 0},
		{"ProxyErrorOverride On", "unsupported", 1},
	}
	for _, tt := range tests {
		tt := tt
		root := t.TempDir()
		writeFiles(t, root, map[string]string{"main.conf": "ServerName a\n" + tt.line + "\n"})
		tree, diags := Read(Options{File: filepath.Join(root, "main.conf"), ServerRoot: root, Envvars: EnvvarsOff})
		_, cd := Compile(tree, DefaultRegistry())
		rep := Lint(tree, DefaultRegistry(), append(diags, cd...))
		var got string
		for _, e := range rep.Entries {
			if e.Pos.Line == 2 {
				got = e.Status
			}
		}
		if got != tt.status || rep.Exit != tt.exit {
			t.Errorf("%q: status %q exit %d, want %q exit %d (%+v %+v)", tt.line, got, rep.Exit, tt.status, tt.exit, rep.Entries, rep.Diagnostics)
		}
	}
}

// TestErrorAndPortRefuse: Error and Port refuse the configuration with
// Apache's messages (apache2 -t, 2.4.71).
func TestErrorAndPortRefuse(t *testing.T) {
	for line, want := range map[string]string{
		"Error \"boom <here>\"": "boom <here>",
		"Error boom here":       "boom here",
		"Port 80":               "Port was replaced with Listen in Apache 2.0",
		"<IfDefine !NOPE>\nError needs it\n</IfDefine>": "needs it",
	} {
		root := t.TempDir()
		writeFiles(t, root, map[string]string{"main.conf": "ServerName a\nErrorLog /dev/stderr\n" + line + "\n"})
		tree, diags := Read(Options{File: filepath.Join(root, "main.conf"), ServerRoot: root, Envvars: EnvvarsOff})
		_, cd := Compile(tree, DefaultRegistry())
		var got []string
		for _, d := range append(diags, cd...) {
			if d.Severity == SevError {
				got = append(got, d.Msg)
			}
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("%q: errors %q, want [%q]", line, got, want)
		}
	}
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"main.conf": "ServerName a\nErrorLog /dev/stderr\n<IfDefine NOPE>\nError never\n</IfDefine>\n"})
	tree, diags := Read(Options{File: filepath.Join(root, "main.conf"), ServerRoot: root, Envvars: EnvvarsOff})
	_, cd := Compile(tree, DefaultRegistry())
	for _, d := range append(diags, cd...) {
		if d.Severity == SevError {
			t.Errorf("Error in a false guard: %v", d)
		}
	}
}
