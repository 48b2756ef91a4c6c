package compattests

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

const chromiumBin = "/usr/bin/chromium"

// TestOIDCBrowserLogin logs in with a real headless Chromium
// (op/browser-login.js, playwright-core) through each front end — Apache +
// mod_auth_openidc and oidcgate serve on the same rendered oidcConf — and
// the node OP, and checks the backend's page shows the user's claims (the
// same assertions for both).
func TestOIDCBrowserLogin(t *testing.T) {
	requireOP(t)
	if _, err := os.Stat(chromiumBin); err != nil {
		if os.Getenv("OIDCGATE_REQUIRE_APACHE") == "1" {
			t.Fatalf("%s is missing (scripts/test-all installs chromium)", chromiumBin)
		}
		t.Skipf("SKIPPED: %s is missing", chromiumBin)
	}
	env := newOIDCEnv(t, "apache", "oidcgate")
	for _, name := range []string{"apache", "oidcgate"} {
		t.Run(name, func(t *testing.T) {
			tg := env.Targets[name]
			if name == "apache" {
				startApacheOIDC(t, tg) // skips without Apache
			} else {
				startOIDCGateOIDC(t, tg)
			}
			out := browserLogin(t, tg.Base["default"]+"/browser/page?x=1", "alice")
			for _, want := range []string{
				"url: " + tg.Base["default"] + "/browser/page?x=1",
				"backend saw GET /browser/page?x=1",
				"OIDC_CLAIM_email: alice@example.com",
				"OIDC_CLAIM_name: Zoë Ünïcødé 山田",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("%s: the page after the browser login lacks %q:\n%s", name, want, out)
				}
			}
		})
	}
}

// browserLogin runs op/browser-login.js (headless Chromium) on url as user
// and returns what it printed: "url: FINAL-URL" and the page's text.
func browserLogin(t *testing.T, url, user string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "browser-login.js", url, user)
	cmd.Dir = opDir(t)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		// Chromium's helpers live in the process group; make sure none survive.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatalf("browser-login.js: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	return stdout.String()
}
