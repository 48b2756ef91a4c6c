package compattests

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCookieSizeWarningOIDC: a Set-Cookie over 4093 bytes (here: the
// session cookie under a 4100-character OIDCCookie name) makes
// mod_auth_openidc warn in the error log; oidcgate writes the same
// warning, with the same length, as often.
func TestCookieSizeWarningOIDC(t *testing.T) {
	requireApache(t)
	requireOP(t)
	env := newOIDCEnv(t, "apache", "oidcgate")
	a, o := env.Targets["apache"], env.Targets["oidcgate"]
	name := "big" + strings.Repeat("c", 4097)
	logs := map[string]string{}
	for _, tg := range []*oidcTarget{a, o} {
		dir := t.TempDir()
		os.Chmod(dir, 0o777)
		logs[tg.Name] = filepath.Join(dir, "vhost-error.log")
		tg.Extra = "  OIDCCookie " + name + "\n  ErrorLog " + logs[tg.Name] + "\n  LogLevel warn\n"
	}
	startApacheOIDC(t, a)
	startOIDCGateOIDC(t, o)
	warnRE := regexp.MustCompile(`\[auth_openidc:warn\].*?(the length of the cookie value .*)$`)
	got := map[string][]string{}
	for _, tg := range []*oidcTarget{a, o} {
		c := newBrowser(t)
		hops := login(t, c, tg.Base["post"]+"/x", "alice", env.OP.Issuer)
		if last := hops[len(hops)-1]; last.Status != 200 {
			t.Fatalf("%s: login ends with %d", tg.Name, last.Status)
		}
		h := do(t, c, "GET", tg.Base["post"]+"/y", nil, browserHdr)
		if h.Status != 200 {
			t.Fatalf("%s: the session does not work: %d", tg.Name, h.Status)
		}
		b, err := os.ReadFile(logs[tg.Name])
		if err != nil {
			t.Fatalf("%s: %v", tg.Name, err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if m := warnRE.FindStringSubmatch(l); m != nil {
				got[tg.Name] = append(got[tg.Name], m[1])
			}
		}
	}
	t.Logf("apache: %q", got["apache"])
	if len(got["apache"]) == 0 {
		t.Fatalf("Apache wrote no cookie-size warning")
	}
	if strings.Join(got["apache"], "\n") != strings.Join(got["oidcgate"], "\n") {
		t.Errorf("cookie-size warnings differ:\napache:   %q\noidcgate: %q", got["apache"], got["oidcgate"])
	}
}
