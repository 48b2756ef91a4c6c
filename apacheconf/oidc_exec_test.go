package apacheconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOIDCExecSecret: exec: values through the reader and compiler — the
// value each directive gets, and the module's messages at file:line.
func TestOIDCExecSecret(t *testing.T) {
	root := t.TempDir()
	scripts := map[string]string{
		"bin/lines.sh":  "printf 'first line\\nsecond\\n'",
		"bin/nonl.sh":   "printf 'no newline'",
		"bin/echo.sh":   `printf '%s|' "$@"`,
		"bin/empty.sh":  "true",
		"bin/fail.sh":   "echo given; exit 7",
		"bin/silent.sh": "exit 1",
		"bin/pwd.sh":    "pwd",
	}
	for name, body := range scripts {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(root, "bin", "noexec.sh"), []byte("#!/bin/sh\necho x\n"), 0o644)
	const empty = `the output of the crypto passphrase generation command is empty (perhaps you need to pass it to bash -c "<cmd>"?)`
	for _, tc := range []struct {
		name, directive, arg string
		strict               bool
		want, err            string
	}{
		{name: "literal", directive: "OIDCCryptoPassphrase", arg: "plain", want: "plain"},
		{name: "exec alone is literal", directive: "OIDCCryptoPassphrase", arg: "exec:", want: "exec:"},
		{name: "prefix is case-sensitive", directive: "OIDCCryptoPassphrase", arg: "EXEC:/nonexistent", want: "EXEC:/nonexistent"},
		{name: "first line", directive: "OIDCCryptoPassphrase", arg: "exec:" + root + "/bin/lines.sh", want: "first line"},
		{name: "no newline", directive: "OIDCCryptoPassphrase", arg: "exec:" + root + "/bin/nonl.sh", want: "no newline"},
		{name: "server-root relative", directive: "OIDCCryptoPassphrase", arg: "exec:bin/lines.sh", want: "first line"},
		{name: "dot-dot resolved", directive: "OIDCCryptoPassphrase", arg: "exec:bin/../bin/pwd.sh", want: root + "/bin"},
		{name: "arguments", directive: "OIDCCryptoPassphrase", arg: `exec:bin/echo.sh a\ b 'c d' "" x\y`, want: "a b|c d||xy|"},
		{name: "exit status ignored", directive: "OIDCCryptoPassphrase", arg: "exec:bin/fail.sh", want: "given"},
		{name: "empty output", directive: "OIDCCryptoPassphrase", arg: "exec:bin/empty.sh", err: empty},
		{name: "silent failure", directive: "OIDCCryptoPassphrase", arg: "exec:bin/silent.sh", err: empty},
		{name: "missing", directive: "OIDCCryptoPassphrase", arg: "exec:bin/missing.sh", err: empty},
		{name: "not executable", directive: "OIDCCryptoPassphrase", arg: "exec:bin/noexec.sh", err: empty},
		{name: "only blanks", directive: "OIDCCryptoPassphrase", arg: "exec:   ", err: empty},
		{name: "key password", directive: "OIDCClientTokenEndpointKeyPassword", arg: "exec:bin/lines.sh", want: "first line"},
		{name: "key password empty", directive: "OIDCClientTokenEndpointKeyPassword", arg: "exec:bin/empty.sh", err: empty},
		{name: "client secret", directive: "OIDCClientSecret", arg: "exec:bin/lines.sh", want: "first line"},
		{name: "client secret empty (upstream's text)", directive: "OIDCClientSecret", arg: "exec:bin/empty.sh", err: `the output of the  passphrase generation command is empty`},
		{name: "client secret literal in 2.4.12.3", directive: "OIDCClientSecret", arg: "exec:bin/empty.sh", strict: true, want: "exec:bin/empty.sh"},
		{name: "passphrase strict", directive: "OIDCCryptoPassphrase", arg: "exec:bin/lines.sh", strict: true, want: "first line"},
		{name: "introspection key password (upstream)", directive: "OIDCOAuthIntrospectionEndpointKeyPassword", arg: "exec:bin/lines.sh", want: "first line"},
		{name: "introspection key password empty", directive: "OIDCOAuthIntrospectionEndpointKeyPassword", arg: "exec:bin/empty.sh", err: `the output of the  passphrase generation command is empty`},
		{name: "oauth client secret stays literal", directive: "OIDCOAuthClientSecret", arg: "exec:bin/lines.sh", want: "exec:bin/lines.sh"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(root, "main.conf")
			conf := "LoadModule auth_openidc_module modules/mod_auth_openidc.so\n# line 2\n" + tc.directive + " \"" + strings.ReplaceAll(tc.arg, `"`, `\"`) + "\"\n"
			if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
				t.Fatal(err)
			}
			tree, diags := Read(Options{File: file, ServerRoot: root, Envvars: EnvvarsOff, Strict: tc.strict})
			cfg, cd := Compile(tree, DefaultRegistry())
			diags = append(diags, cd...)
			if tc.err != "" {
				errs := diags.Errors()
				if len(errs) != 1 || errs[0].Pos.Line != 3 || !strings.HasPrefix(errs[0].Msg, tc.err) {
					t.Fatalf("errors %v, want one at line 3: %s", errs, tc.err)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags.Errors())
			}
			v, ok := cfg.Main.OIDC.Value(tc.directive)
			if !ok {
				t.Fatalf("%s not set", tc.directive)
			}
			if v.String() != tc.want {
				t.Errorf("value %q, want %q", v.String(), tc.want)
			}
			if v.Words[0] != tc.arg {
				t.Errorf("Words[0] %q, want the value as written %q", v.Words[0], tc.arg)
			}
			if v.FromExec() != (tc.want != tc.arg) {
				t.Errorf("FromExec %v", v.FromExec())
			}
		})
	}
}
