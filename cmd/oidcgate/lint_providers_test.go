package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLintMetadataDir: lint reads OIDCMetadataDir and says which provider
// files cannot be used or are not fully honoured, at the directive.
func TestLintMetadataDir(t *testing.T) {
	md := t.TempDir()
	os.WriteFile(filepath.Join(md, "op.example.provider"), []byte(`{"issuer":"https://op.example","authorization_endpoint":"https://op.example/a"}`), 0o600)
	os.WriteFile(filepath.Join(md, "op.example.conf"), []byte(`{"token_binding_policy":"required"}`), 0o600)
	conf := "LoadModule mpm_event_module x.so\nLoadModule auth_openidc_module x.so\nServerName a.example\nListen 8080\n" +
		"OIDCMetadataDir " + md + "\nOIDCRedirectURI /redirect_uri\nOIDCCryptoPassphrase p\n"
	root, file := writeConf(t, conf)
	code, stdout, _ := runCLI(t, "oidcgate", "lint", "-d", root, file)
	for _, want := range []string{"main.conf:5: warning: unusable provider: " + filepath.Join(md, "op.example.client") + ": absent, and the provider has no registration_endpoint",
		"main.conf:5: warning: " + filepath.Join(md, "op.example.conf") + `: "token_binding_policy" is not honoured by oidcgate`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("lint lacks %q (code %d):\n%s", want, code, stdout)
		}
	}
}

// TestLintMetadataDirWithoutAllowList: with OIDCMetadataDir and no
// OIDCDiscoverIssuersAllowed, lint says that visitors choose what the
// server fetches; an allow list silences it.
func TestLintMetadataDirWithoutAllowList(t *testing.T) {
	md := t.TempDir()
	base := "LoadModule mpm_event_module x.so\nLoadModule auth_openidc_module x.so\nServerName a.example\nListen 8080\n" +
		"OIDCMetadataDir " + md + "\nOIDCRedirectURI /redirect_uri\nOIDCCryptoPassphrase p\n"
	const want = "main.conf:5: warning: any visitor can make the server fetch"
	for _, tc := range []struct {
		name, extra string
		warn        bool
	}{
		{"no allow list", "", true},
		{"allow list", "<IfModule oidcgate.c>\nOIDCDiscoverIssuersAllowed ^https://op\\.example$\n</IfModule>\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, file := writeConf(t, base+tc.extra)
			code, stdout, _ := runCLI(t, "oidcgate", "lint", "-d", root, file)
			if got := strings.Contains(stdout, want); got != tc.warn {
				t.Errorf("warning present = %v, want %v (code %d):\n%s", got, tc.warn, code, stdout)
			}
		})
	}
}
