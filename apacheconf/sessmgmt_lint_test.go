package apacheconf

import (
	"path/filepath"
	"strings"
	"testing"
)

// The response type, request objects and access-token binding: what lint
// says about each value.
func TestLintResponseTypeAndBinding(t *testing.T) {
	for _, tt := range []struct {
		conf, directive, status string
		critical                bool
		why                     string
		exit                    int
	}{
		{"OIDCResponseType code\n", "OIDCResponseType", "supported", false, "code", 0},
		{"OIDCResponseType \"code id_token\"\n", "OIDCResponseType", "unsupported", true, "set OIDCResponseType code", 2},
		{"OIDCResponseType id_token\n", "OIDCResponseType", "unsupported", true, "implicit and hybrid", 2},
		{"OIDCRequestObject {\"request_object_type\":\"request\"}\n", "OIDCRequestObject", "unsupported", true, "request objects", 2},
		{"OIDCOAuthAccessTokenBindingPolicy disabled\n", "OIDCOAuthAccessTokenBindingPolicy", "ignored", false, "disabled", 0},
		{"OIDCOAuthAccessTokenBindingPolicy required\n", "OIDCOAuthAccessTokenBindingPolicy", "unsupported", true, "Token Binding", 2},
		{"OIDCProviderCheckSessionIFrame https://op.example/check\n", "OIDCProviderCheckSessionIFrame", "supported", false, "Session Management", 0},
		{"OIDCPassCookies a b\n", "OIDCPassCookies", "supported", false, "Cookie header", 0},
		{"OIDCProviderVerifyCertFiles " + "cert.pem" + "\n", "OIDCProviderVerifyCertFiles", "supported", false, "besides", 0},
	} {
		root := t.TempDir()
		writeFiles(t, root, map[string]string{"main.conf": "ServerName a\n" + tt.conf, "cert.pem": "x"})
		tree, diags := Read(Options{File: filepath.Join(root, "main.conf"), ServerRoot: root, Envvars: EnvvarsOff})
		rep := Lint(tree, DefaultRegistry(), diags)
		found := false
		for _, e := range rep.Entries {
			if strings.EqualFold(e.Directive, tt.directive) {
				found = true
				if e.Status != tt.status || e.Critical != tt.critical || !strings.Contains(e.Why, tt.why) {
					t.Errorf("%q: %s critical=%v %q", tt.conf, e.Status, e.Critical, e.Why)
				}
			}
		}
		if !found {
			t.Errorf("%q: no entry", tt.conf)
		}
		if rep.Exit != tt.exit {
			t.Errorf("%q: exit %d, want %d", tt.conf, rep.Exit, tt.exit)
		}
	}
}
