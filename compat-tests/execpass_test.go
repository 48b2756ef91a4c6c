package compattests

import (
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/oidcgate/oidcgate/internal/devop"
	"github.com/oidcgate/oidcgate/internal/execline"
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
		// upstream's directive: unknown to 2.4.12.3, and to configtest --apache
		{"introspection-key-password", `OIDCOAuthIntrospectionEndpointKeyPassword exec:bin/record.sh`},
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

// TestExecPassphraseEndToEnd: the exec'd OIDCCryptoPassphrase is the key
// that seals the state cookie. Three oidcgate instances behind one
// balancer differ only in their passphrase: A runs a program (ServerRoot-
// relative) that prints "shared-secret" and a second line; B has
// "shared-secret" written literally; C the program's second line. A login
// started on A is refused by C (the state cookie does not open) and
// completed by B. Reloads run the program again: one whose program prints
// nothing is refused (A keeps its passphrase), a good one takes the new
// line.
func TestExecPassphraseEndToEnd(t *testing.T) {
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "backend:"+r.URL.Path)
	}))
	t.Cleanup(be.Close)
	lbLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	front := "http://" + lbLn.Addr().String()
	opLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + opLn.Addr().String()
	op, err := devop.New(devop.Options{Issuer: issuer, Users: devop.DemoUsers(), AutoLogin: "zoe",
		Logger:  slog.New(slog.DiscardHandler),
		Clients: []devop.Client{{ID: "client1", Secret: "s3cret", RedirectURIs: []string{front + "/redirect_uri"}}}})
	if err != nil {
		t.Fatal(err)
	}
	opSrv := &httptest.Server{Listener: opLn, Config: &http.Server{Handler: op}}
	opSrv.Start()
	t.Cleanup(opSrv.Close)

	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "bin"), 0o755)
	if err := os.WriteFile(filepath.Join(dir, "bin", "pass.sh"), []byte("#!/bin/sh\nprintf 'shared-secret\\nsecond-line\\n'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "oidcgate.conf")
	if err := os.WriteFile(conf, []byte(`ServerName 127.0.0.1
Listen ${OIDCGATE_LISTEN}
ErrorLog /dev/stderr
OIDCProviderMetadataURL `+issuer+`/.well-known/openid-configuration
OIDCClientID client1
OIDCClientSecret s3cret
OIDCRedirectURI /redirect_uri
OIDCCryptoPassphrase "${OIDCGATE_PASS}"
<Location />
  AuthType openid-connect
  Require valid-user
  ProxyPass `+be.URL+`/
</Location>
<Location /redirect_uri>
  ProxyPass !
</Location>
`), 0o644); err != nil {
		t.Fatal(err)
	}
	passes := []string{"exec:bin/pass.sh", "shared-secret", "second-line"}
	const A, B, C = 0, 1, 2
	var inst [3]string
	var logs [3]*lockedBuffer
	var cmds [3]*exec.Cmd
	for i, pass := range passes {
		inst[i], logs[i], cmds[i] = startOIDCGateInstance(t, dir, conf, "OIDCGATE_PASS="+pass)
	}
	var target atomic.Int32
	lb := &http.Server{Handler: &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(&url.URL{Scheme: "http", Host: inst[target.Load()]})
		r.Out.Host = r.In.Host
	}}}
	go lb.Serve(lbLn)
	t.Cleanup(func() { lb.Shutdown(context.Background()) })

	c := browserClient(t, false)
	target.Store(A)
	resp, _ := fetch(t, c, front+"/app/start")
	authz := resp.Header.Get("Location")
	if resp.StatusCode != 302 || !strings.HasPrefix(authz, issuer) {
		t.Fatalf("A: %d %q, want a redirect to the provider\nA: %s", resp.StatusCode, authz, logs[A])
	}
	resp, _ = fetch(t, c, authz)
	callback := resp.Header.Get("Location")
	if !strings.HasPrefix(callback, front+"/redirect_uri?") {
		t.Fatalf("provider: %d %q", resp.StatusCode, callback)
	}
	sessionCookie := func() bool {
		for _, k := range c.Jar.Cookies(mustURL(front)) {
			if k.Name == "mod_auth_openidc_session" {
				return true
			}
		}
		return false
	}
	// C: the second line is not the passphrase (C drops the cookie it
	// cannot open; the browser of this test keeps a copy for B)
	stateCookies := c.Jar.Cookies(mustURL(front))
	target.Store(C)
	resp, _ = fetch(t, c, callback)
	if resp.StatusCode != 400 || sessionCookie() || !logSays(logs[C], "state cookie could not be decrypted") {
		t.Fatalf("C: %d %q, want 400 for a state cookie it cannot open\nC: %s", resp.StatusCode, resp.Header.Get("Location"), logs[C])
	}
	// B: the literal first line is
	c.Jar.SetCookies(mustURL(front), stateCookies)
	target.Store(B)
	resp, _ = fetch(t, c, callback)
	if resp.StatusCode != 302 || resp.Header.Get("Location") != front+"/app/start" || !sessionCookie() {
		t.Fatalf("B: %d %q, want the redirect back to /app/start with a session\nB: %s", resp.StatusCode, resp.Header.Get("Location"), logs[B])
	}
	resp, body := fetch(t, c, front+"/app/start")
	if resp.StatusCode != 200 || body != "backend:/app/start" {
		t.Fatalf("B after login: %d %q", resp.StatusCode, body)
	}

	// loginVia starts a login on instance from and completes it on to.
	loginVia := func(from, to int32, path string) (int, string) {
		c := browserClient(t, false)
		target.Store(from)
		resp, _ := fetch(t, c, front+path)
		resp, _ = fetch(t, c, resp.Header.Get("Location"))
		target.Store(to)
		resp, _ = fetch(t, c, resp.Header.Get("Location"))
		return resp.StatusCode, resp.Header.Get("Location")
	}
	// reloadA rewrites A's program and reloads A, waiting for the log line.
	reloadA := func(script, logLine string) {
		if err := os.WriteFile(filepath.Join(dir, "bin", "pass.sh"), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
			t.Fatal(err)
		}
		n := strings.Count(logs[A].String(), logLine)
		cmds[A].Process.Signal(syscall.SIGHUP)
		for i := 0; strings.Count(logs[A].String(), logLine) == n; i++ {
			if i == 200 {
				t.Fatalf("A did not log %q after SIGHUP:\n%s", logLine, logs[A])
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
	// A reload whose program prints nothing is refused: A keeps the old
	// passphrase.
	reloadA("true\n", "reload refused")
	if !strings.Contains(logs[A].String(), "the output of the crypto passphrase generation command is empty") {
		t.Errorf("A's refused reload does not say why:\n%s", logs[A])
	}
	if code, loc := loginVia(A, B, "/app/refused"); code != 302 || loc != front+"/app/refused" {
		t.Fatalf("A after a refused reload, completed on B: %d %q\nA: %s", code, loc, logs[A])
	}
	// A good reload runs the program again: its new line is A's passphrase.
	reloadA("echo second-line\n", "configuration reloaded")
	if code, loc := loginVia(A, C, "/app/reloaded"); code != 302 || loc != front+"/app/reloaded" {
		t.Fatalf("A after a reload, completed on C: %d %q\nA: %s\nC: %s", code, loc, logs[A], logs[C])
	}
	if code, _ := loginVia(A, B, "/app/old"); code != 400 {
		t.Fatalf("A after a reload, completed on B (the old passphrase): %d, want 400", code)
	}

	for i, l := range logs {
		if strings.Contains(l.String(), "shared-secret") || i == A && strings.Contains(l.String(), "second-line") {
			t.Errorf("instance %d logged the passphrase:\n%s", i, l)
		}
	}
}

// TestExecPassphraseApacheValue measures which part of the program's
// output the real mod_auth_openidc 2.4.12.3 takes as OIDCCryptoPassphrase:
// its state cookie (JWE dir/A256GCM keyed with SHA-256 of the passphrase in
// 2.4.12.3) must open with the key of exactly the value internal/execline
// returns for the same output — the first line, cut at '\r' or '\n'.
func TestExecPassphraseApacheValue(t *testing.T) {
	requireApache(t)
	for _, tc := range []struct{ name, printf, want string }{
		{"crlf", `first\r\nsecond\n`, "first"},
		{"no-newline", `only`, "only"},
		{"blanks-kept", `  two words \n`, "  two words "},
		{"second-line-ignored", `one\ntwo\n`, "one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := startFrontPair(t, func(listen, dir string) string {
				return "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n" +
					"LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n" +
					"LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so\n" +
					"LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so\n" +
					"LoadModule auth_openidc_module /usr/lib/apache2/modules/mod_auth_openidc.so\n" +
					"ServerName 127.0.0.1\nListen " + listen + "\nErrorLog " + dir + "/error.log\nPidFile " + dir + "/httpd.pid\n" +
					"OIDCProviderIssuer https://op.example\nOIDCProviderAuthorizationEndpoint https://op.example/authorize\n" +
					"OIDCProviderTokenEndpoint https://op.example/token\nOIDCProviderJwksUri https://op.example/jwks\n" +
					"OIDCClientID client1\nOIDCClientSecret s3cret\nOIDCRedirectURI /redirect_uri\n" +
					"OIDCCryptoPassphrase exec:pass.sh\n" +
					"<Location />\n  AuthType openid-connect\n  Require valid-user\n</Location>\n"
			}, func(dir string) {
				os.WriteFile(filepath.Join(dir, "pass.sh"), []byte("#!/bin/sh\nprintf '"+tc.printf+"'\n"), 0o755)
			})
			resp, _ := fetch(t, browserClient(t, false), "http://"+p.Apache+"/x")
			var state string
			for _, k := range resp.Cookies() {
				if strings.HasPrefix(k.Name, "mod_auth_openidc_state_") {
					state = k.Value
				}
			}
			if resp.StatusCode != 302 || state == "" {
				t.Fatalf("Apache: %d, no state cookie", resp.StatusCode)
			}
			opens := func(pass string) bool {
				jwe, err := jose.ParseEncrypted(state, []jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256GCM})
				if err != nil {
					t.Fatal(err)
				}
				key := sha256.Sum256([]byte(pass))
				_, err = jwe.Decrypt(key[:])
				return err == nil
			}
			if !opens(tc.want) {
				t.Errorf("Apache's state cookie does not open with %q", tc.want)
			}
			if opens("exec:pass.sh") {
				t.Errorf("Apache's state cookie opens with the command string")
			}
			// the same output through oidcgate's reader
			got, err := execline.Run([]string{filepath.Join(p.OIDCGateDir, "pass.sh")}, 10*time.Second)
			if err != nil || got != tc.want {
				t.Errorf("execline: %q, %v; Apache took %q", got, err, tc.want)
			}
		})
	}
}

// logSays reports whether a process's log (copied from its stderr pipe,
// so it may lag behind the response) comes to contain s within 5 s.
func logSays(log *lockedBuffer, s string) bool {
	for range 50 {
		if strings.Contains(log.String(), s) {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}
