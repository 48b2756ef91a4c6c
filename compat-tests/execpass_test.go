package compattests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExecPassphraseDifferential runs "exec:" values of mod_auth_openidc's
// passphrase directives through the real `apache2 -t` (Debian's Apache with
// mod_auth_openidc 2.4.12.3) and through `oidcgate configtest --apache`,
// each in its own server root, and requires the same verdict, the same file
// and line and message, and the same record of how the program was run
// (its argv, working directory and environment, written by the program).
func TestExecPassphraseDifferential(t *testing.T) {
	requireApache(t)
	const record = `{ echo "argc=$#"; for a in "$@"; do printf '[%s]\n' "$a"; done; echo "pwd=$(pwd)"; env | sort; echo; } >> record.txt
`
	scripts := map[string]string{
		"bin/record.sh": record + "printf 'secret-%s\\nsecond line\\n' \"$#\"\n",
		"bin/cr.sh":     record + "printf 'a\\rb'\n",
		"bin/empty.sh":  record,
		"bin/fail.sh":   record + "echo given; exit 3\n",
		"bin/silent.sh": record + "exit 1\n",
		"bin/stderr.sh": record + "echo oops >&2\n",
	}
	for _, tc := range []struct{ name, conf string }{
		{"first-line", `OIDCCryptoPassphrase exec:bin/record.sh`},
		{"absolute", `OIDCCryptoPassphrase exec:ROOT/bin/record.sh`},
		{"dot-dot", `OIDCCryptoPassphrase "exec:bin/../bin/record.sh x"`},
		{"tokenizer", `OIDCCryptoPassphrase "exec:bin/record.sh a\ b 'c d' \"e f\" g\\h x\"y z\" \"\" 'q'r	tab"`},
		{"escapes", `OIDCCryptoPassphrase "exec:bin/record.sh a\\\\b \"x\\\"y\" 'p\\'q' end\\"`},
		{"carriage-return", `OIDCCryptoPassphrase exec:bin/cr.sh`},
		{"exit-status-ignored", `OIDCCryptoPassphrase exec:bin/fail.sh`},
		{"empty", `OIDCCryptoPassphrase exec:bin/empty.sh`},
		{"stderr-only", `OIDCCryptoPassphrase exec:bin/stderr.sh`},
		{"silent-failure", `OIDCCryptoPassphrase exec:bin/silent.sh`},
		{"missing", `OIDCCryptoPassphrase exec:bin/missing.sh`},
		{"not-executable", `OIDCCryptoPassphrase exec:bin/noexec.sh`},
		{"directory", `OIDCCryptoPassphrase exec:bin`},
		{"blank", `OIDCCryptoPassphrase "exec:   "`},
		{"bare-prefix", `OIDCCryptoPassphrase exec:`},
		{"upper-case", `OIDCCryptoPassphrase EXEC:bin/missing.sh`},
		{"key-password", `OIDCClientTokenEndpointKeyPassword exec:bin/record.sh`},
		{"key-password-empty", `OIDCClientTokenEndpointKeyPassword exec:bin/empty.sh`},
		// 2.4.12.3 sends this value literally; configtest --apache too
		{"client-secret-literal", `OIDCClientSecret exec:bin/empty.sh`},
		{"vhost", "<VirtualHost *:80>\nServerName v\nOIDCCryptoPassphrase exec:bin/silent.sh\n</VirtualHost>"},
		{"second-runs", "OIDCCryptoPassphrase exec:bin/record.sh\n<VirtualHost *:80>\nOIDCCryptoPassphrase \"exec:bin/record.sh vhost\"\n</VirtualHost>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var outs [2]outcome
			var codes [2]int
			var records [2]string
			for i, bin := range []string{apacheBin, oidcgateBin} {
				root := t.TempDir()
				os.Chmod(root, 0o755)
				for name, body := range scripts {
					p := filepath.Join(root, name)
					os.MkdirAll(filepath.Dir(p), 0o755)
					if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
						t.Fatal(err)
					}
				}
				os.WriteFile(filepath.Join(root, "bin", "noexec.sh"), []byte("#!/bin/sh\necho x\n"), 0o644)
				main := filepath.Join(root, "main.conf")
				conf := "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n" +
					"LoadModule auth_openidc_module /usr/lib/apache2/modules/mod_auth_openidc.so\n" +
					"ServerName localhost\nErrorLog " + root + "/error.log\n" + strings.ReplaceAll(tc.conf, "ROOT", root) + "\n"
				if err := os.WriteFile(main, []byte(conf), 0o644); err != nil {
					t.Fatal(err)
				}
				env := []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "OIDCGATE_EXEC_LEAK=visible"}
				var r result
				if bin == apacheBin {
					r = run(t, env, bin, "-d", root, "-f", main, "-t")
				} else {
					r = run(t, env, bin, "configtest", "--apache", "-d", root, "-f", main)
				}
				outs[i], codes[i] = parseOutcome(r.stderr, root), r.code
				b, _ := os.ReadFile(filepath.Join(root, "bin", "record.txt"))
				records[i] = strings.ReplaceAll(string(b), root, "ROOT")
			}
			if codes[0] != codes[1] || outs[0] != outs[1] {
				t.Errorf("apache2 -t: exit %d %+v\noidcgate:   exit %d %+v", codes[0], outs[0], codes[1], outs[1])
			}
			if records[0] != records[1] {
				t.Errorf("the program ran differently:\napache2 -t:\n%s\noidcgate:\n%s", records[0], records[1])
			}
			t.Logf("exit %d %+v\n%s", codes[0], outs[0], records[0])
		})
	}
}
