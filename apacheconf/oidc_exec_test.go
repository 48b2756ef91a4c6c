package apacheconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOIDCExecPassphrase: "OIDCCryptoPassphrase exec:COMMAND" runs the
// command while the configuration is read and uses its first output line,
// as mod_auth_openidc 2.4.12.3 does; an empty output (also a program that
// cannot run) refuses the configuration with the module's message
// (measured: apache2 -t). oidcgate used "exec:…" itself as the passphrase.
func TestOIDCExecPassphrase(t *testing.T) {
	const empty = `the output of the crypto passphrase generation command is empty (perhaps you need to pass it to bash -c "<cmd>"?)`
	tests := []struct {
		name, arg, want, err string
	}{
		{"echo", `"exec:/bin/echo s3cret"`, "s3cret", ""},
		{"first line only, no environment", `"exec:/bin/sh -c \"echo line1-$HOME; echo line2\""`, "line1-", ""},
		{"CR ends the line", `"exec:bin/cr"`, "a", ""},
		{"ServerRoot-relative program", `"exec:bin/secret"`, "from-root", ""},
		{"runs in its own directory", `"exec:bin/pwd"`, "BIN", ""},
		{"empty output", `exec:/bin/echo`, "", empty},
		{"failing program", `exec:/bin/false`, "", empty},
		{"missing program", `exec:/nonexistent/oidcgate-test`, "", empty},
		{"literal", `plain-passphrase`, "plain-passphrase", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.Mkdir(filepath.Join(root, "bin"), 0o755); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(root, "bin", "secret"), []byte("#!/bin/sh\necho from-root\n"), 0o755)
			os.WriteFile(filepath.Join(root, "bin", "pwd"), []byte("#!/bin/sh\n/bin/pwd\n"), 0o755)
			os.WriteFile(filepath.Join(root, "bin", "cr"), []byte("#!/bin/sh\nprintf 'a\\rb\\n'\n"), 0o755)
			cfg, diags := compileInRoot(t, root, "OIDCCryptoPassphrase "+tt.arg+"\n")
			var errs []string
			for _, d := range diags.Errors() {
				errs = append(errs, d.Msg)
			}
			if tt.err != "" {
				if len(errs) != 1 || errs[0] != tt.err {
					t.Errorf("errors %q, want %q", errs, tt.err)
				}
				return
			}
			if len(errs) != 0 {
				t.Fatalf("errors %q", errs)
			}
			v, _ := cfg.Main.OIDC.Value("OIDCCryptoPassphrase")
			want := strings.ReplaceAll(tt.want, "BIN", filepath.Join(root, "bin"))
			if v.String() != want {
				t.Errorf("passphrase %q, want %q", v.String(), want)
			}
		})
	}
}
