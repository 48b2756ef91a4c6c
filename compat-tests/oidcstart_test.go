package compattests

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOIDCStartDifferential starts the real Apache with mod_auth_openidc
// 2.4.12.3 on configurations apache2 -t accepts, and compares whether it
// starts, and what the module logs, with oidcgate configtest (which runs
// the same start-up checks serve runs).
func TestOIDCStartDifferential(t *testing.T) {
	requireApache(t)
	const rp = "OIDCProviderMetadataURL https://op.example/.well-known/openid-configuration\nOIDCClientID c\n"
	cases := []struct{ name, conf string }{
		{"no oidc", ""},
		{"missing redirect uri", "OIDCProviderIssuer https://op\n"},
		{"missing passphrase", "OIDCProviderIssuer https://op\nOIDCRedirectURI /r\n"},
		{"missing authz endpoint", "OIDCProviderIssuer https://op\nOIDCRedirectURI /r\nOIDCCryptoPassphrase p\n"},
		{"missing client id", "OIDCProviderMetadataURL https://op/\nOIDCRedirectURI /r\nOIDCCryptoPassphrase p\n"},
		{"complete", rp + "OIDCRedirectURI /r\nOIDCCryptoPassphrase p\n"},
		{"http metadata url warns", "OIDCProviderMetadataURL http://op/m\nOIDCClientID c\nOIDCRedirectURI /r\nOIDCCryptoPassphrase p\n"},
		{"http redirect uri warns", rp + "OIDCRedirectURI http://app.example/r\nOIDCCryptoPassphrase p\n"},
		{"metadata dir and url", "OIDCMetadataDir /\nOIDCProviderMetadataURL https://op/\nOIDCRedirectURI /r\nOIDCCryptoPassphrase p\n"},
		{"cookie domain mismatch", rp + "OIDCRedirectURI https://app.example.com/r\nOIDCCryptoPassphrase p\nOIDCCookieDomain other.com\n"},
		{"cookie domain ok", rp + "OIDCRedirectURI https://app.example.com/r\nOIDCCryptoPassphrase p\nOIDCCookieDomain .example.com\n"},
		{"oauth nothing to verify with", "OIDCOAuthClientID x\n"},
		{"oauth both", "OIDCOAuthIntrospectionEndpoint https://op/i\nOIDCOAuthVerifyJwksUri https://op/j\n"},
		{"oauth ok", "OIDCOAuthIntrospectionEndpoint https://op/i\n"},
		{"vhost inherits and is checked", "OIDCProviderIssuer https://op\n<VirtualHost *:%PORT%>\nServerName v\nOIDCRedirectURI /r\n</VirtualHost>\n"},
		{"main server unchecked with vhosts", "OIDCProviderIssuer https://op\n<VirtualHost *:%PORT%>\nServerName v\nOIDCRedirectURI /r\nOIDCCryptoPassphrase p\nOIDCProviderAuthorizationEndpoint https://op/a\nOIDCClientID c\n</VirtualHost>\n"},
		{"cache encrypt needs passphrase", "OIDCOAuthIntrospectionEndpoint https://op/i\nOIDCCacheEncrypt On\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.Chmod(dir, 0o755)
			addr := freePort(t)
			_, port, _ := net.SplitHostPort(addr)
			conf := loadModules("mpm_event", "authz_core", "auth_openidc") +
				"ServerName main.example\nListen " + addr + "\nPidFile " + dir + "/pid\nErrorLog " + dir + "/error.log\n" +
				strings.ReplaceAll(tc.conf, "%PORT%", port)
			file := filepath.Join(dir, "main.conf")
			if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
				t.Fatal(err)
			}
			if r := run(t, nil, apacheBin, "-d", dir, "-f", file, "-t"); r.code != 0 {
				t.Fatalf("apache2 -t refuses the case itself: %s", r.stderr)
			}
			started := startApache(t, dir, file)
			errs, warns := moduleLog(t, filepath.Join(dir, "error.log"))

			og := run(t, nil, oidcgateBin, "configtest", "-d", dir, "-f", file)
			if ogOK := og.code == 0; ogOK != started {
				t.Fatalf("Apache started: %v; oidcgate accepts: %v\napache log: %q\noidcgate: %s", started, ogOK, errs, og.stderr)
			}
			for _, m := range append(errs, warns...) {
				if !strings.Contains(og.stderr, m) {
					t.Errorf("Apache logged %q; oidcgate did not say it:\n%s", m, og.stderr)
				}
			}
			if !started && len(errs) == 0 {
				t.Errorf("Apache failed without a module error; the case tests nothing")
			}
		})
	}
}

// startApache runs apache2 in the foreground and reports whether it came
// up or exited; it is stopped before returning. Apache opens its listeners
// before the modules' post-config checks, so "up" is the pid file, which
// it writes only after them.
func startApache(t *testing.T, dir, file string) bool {
	t.Helper()
	cmd := exec.Command(apacheBin, "-d", dir, "-f", file, "-DFOREGROUND")
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case <-exited:
			return false
		case <-deadline:
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
			t.Fatal("apache2 neither listened nor exited within 10s")
		case <-time.After(50 * time.Millisecond):
			if _, err := os.Stat(filepath.Join(dir, "pid")); err == nil {
				syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
				<-exited
				return true
			}
		}
	}
}

// moduleLog returns mod_auth_openidc's error and warning messages from an
// Apache error log, without the log prefix and the C function name.
func moduleLog(t *testing.T, file string) (errs, warns []string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		var list *[]string
		switch {
		case strings.Contains(line, "[auth_openidc:error]"):
			list = &errs
		case strings.Contains(line, "[auth_openidc:warn]"):
			list = &warns
		default:
			continue
		}
		// [date] [auth_openidc:error] [pid N:tid N] func: message
		if i := strings.Index(line, "] oidc_"); i >= 0 {
			line = line[i+2:]
		}
		if _, msg, ok := strings.Cut(line, ": "); ok {
			*list = append(*list, msg)
		}
	}
	return errs, warns
}
