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
