package compattests

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The OIDC differential on the seed documents' own configurations: seed 003
// (the WSO2 Identity Server tutorial, examples/seed-003-wso2) and seed 004
// (the NATS member area in its <Location> form,
// examples/seed-004-nats-member-area/member-area-location.conf). Seed 000's
// shape is oidcConf (oidc_test.go). Each seed config runs in its own front
// end process (as the seed writes it: seed 003 inside a VirtualHost, seed
// 004 at server level), both with the same OP and backend; the variants are
//   - wso: seed 003, redirect URI /callback
//   - member: seed 004, redirect URI /members/vanity.php
//   - memberpages: seed 004 with the guide's optional pages: its
//     unauthorized page (ErrorDocument 401) and error template
//     (OIDCHTMLErrorTemplate)
//
// Only hosts, ports, the provider, the client and paths to files that do not
// exist here are replaced; each replacement is a comment in the rendered
// config. The harness adds what every rendered config has (User, Group,
// ErrorLog/PidFile/DefaultRuntimeDir in the test's directory, LogLevel).

var seedVariants = []string{"wso", "member", "memberpages"}

var seedCallbacks = map[string]string{"wso": "/callback", "member": "/members/vanity.php", "memberpages": "/members/vanity.php"}

// distinctPorts returns n loopback addresses that are free and distinct
// (all listeners are held until every port is known).
func distinctPorts(t *testing.T, n int) []string {
	var lns []net.Listener
	var out []string
	for i := 0; i < n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		out = append(out, ln.Addr().String())
	}
	for _, ln := range lns {
		ln.Close()
	}
	return out
}

// newSeedEnv allocates the seed variants' ports for the named targets and
// starts the backend and the OP with their redirect URIs registered.
func newSeedEnv(t *testing.T, targets ...string) *oidcEnv {
	env := &oidcEnv{Backend: newClaimBackend(t), Targets: map[string]*oidcTarget{}}
	var redirects []string
	ports := distinctPorts(t, len(targets)*len(seedVariants))
	for i, name := range targets {
		tg := &oidcTarget{Name: name, Base: map[string]string{}, Env: env, Backend: env.Backend, Callback: seedCallbacks}
		for j, v := range seedVariants {
			tg.Base[v] = "http://" + ports[i*len(seedVariants)+j]
			redirects = append(redirects, tg.Base[v]+seedCallbacks[v])
		}
		env.Targets[name] = tg
	}
	env.OP = startOP(t, redirects...)
	return env
}

// seedHarness is what every rendered config has besides the seed's lines.
func seedHarness(dir string) string {
	return fmt.Sprintf(`# (harness) process settings of every rendered config; the seed's
# "ErrorLog /dev/stderr" is replaced by the error.log below
User nobody
Group nogroup
ErrorLog %[1]s/error.log
LogLevel warn auth_openidc:info
PidFile %[1]s/pid
DefaultRuntimeDir %[1]s
`, dir)
}

var seedModules = loadModules("mpm_event", "authz_core", "authn_core", "authz_user", "proxy", "proxy_http", "auth_openidc")

// seedConf renders variant's seed config for tg in dir.
func seedConf(tg *oidcTarget, variant, dir string) string {
	addr := strings.TrimPrefix(tg.Base[variant], "http://")
	_, port, _ := net.SplitHostPort(addr)
	op, backend := tg.Env.OP.Issuer, tg.Backend.Addr()
	switch variant {
	case "wso":
		// examples/seed-003-wso2/httpd-oidc.conf (the tutorial's Step 5
		// VirtualHost) plus the directives the tutorial tells the reader to
		// include in that VirtualHost (its claim tip and its session
		// handling).
		return seedModules + "ServerName localhost\n" + seedHarness(dir) + fmt.Sprintf(`
# seed: Listen 8002 (the harness listens on 127.0.0.1 only)
Listen %[1]s
# seed: <VirtualHost *:8002>
<VirtualHost *:%[2]s>
    ServerName localhost

    OIDCCryptoPassphrase a-random-secret-value

    # seed: https://localhost:9443/oauth2/oidcdiscovery/.well-known/openid-configuration (WSO2 IS)
    OIDCProviderMetadataURL %[3]s/.well-known/openid-configuration

    # seed: YOUR_CLIENT_ID / YOUR_CLIENT_SECRET (the test OP's client)
    OIDCClientID oidcgate
    OIDCClientSecret secret
    # seed: http://localhost:8002/callback
    OIDCRedirectURI http://%[1]s/callback

    OIDCRemoteUserClaim sub
    OIDCSSLValidateServer Off

    # seed: http://localhost:8080/ (the sample request-logger app; here the recording backend)
    ProxyPass / http://%[4]s/
    ProxyPassReverse / http://%[4]s/

    <Location />
        AuthType openid-connect
        Require valid-user
    </Location>

    # the tutorial's tip ("Include these configurations in your httpd-oidc.conf
    # VirtualHost file"; it repeats OIDCRemoteUserClaim sub)
    OIDCRemoteUserClaim sub
    OIDCClaimPrefix "OIDC_CLAIM_"
    OIDCClaimDelimiter "_"

    # the tutorial's "Configure sessions handling"
    OIDCSessionInactivityTimeout 3600
    OIDCSessionMaxDuration 86400
    OIDCCookieHTTPOnly On
    # seed: "OIDCCookieSecure Off  # Set to On for production HTTPS" - left out:
    # mod_auth_openidc 2.4.12.3 has no OIDCCookieSecure (Apache refuses the
    # line, as it refuses the trailing comment)
</VirtualHost>
`, addr, port, op, backend)
	case "member", "memberpages":
		// examples/seed-004-nats-member-area/member-area-location.conf
		// (the NATS guide's example virtual host extract, <Location> form).
		pages := ""
		if variant == "memberpages" {
			// The guide: "If you choose to set up an error template /
			// an unauthorized page, you will need to add this"; the
			// pages are its sample scripts.
			pages = fmt.Sprintf(`
# seed: OIDCHTMLErrorTemplate <path/to/your/apache/error/template>
OIDCHTMLErrorTemplate %[1]s/error-template.html
# seed: ErrorDocument 401 <full or relative url to your unauthorized page>
ErrorDocument 401 /unauthorized.html
`, dir)
		}
		return seedModules + "ServerName members.example.com\n" + seedHarness(dir) + fmt.Sprintf(`
# seed: Listen 8080 (the harness listens on 127.0.0.1 only)
Listen %[1]s
# not in the seed's extract, which names no document root: the site's
# public pages outside the member area (here written by the harness)
DocumentRoot %[2]s/htdocs

# seed: <your NATS domain and protocol>/.well-known/member-openid-configuration (here the test OP)
OIDCProviderMetadataURL %[3]s/.well-known/openid-configuration
# seed: <NATS Site ID> and <MEMBER_OPENID_CLIENT_SECRET> (the test OP's client)
OIDCClientID oidcgate
OIDCClientSecret secret
OIDCScope openid
# seed: http://members.example.com:8080/members/vanity.php (<url of your vanity script>)
OIDCRedirectURI http://%[1]s/members/vanity.php
OIDCCryptoPassphrase change-me-too
OIDCSessionInactivityTimeout 3600
OIDCSessionMaxDuration 28800
OIDCRemoteUserClaim username
OIDCUserInfoRefreshInterval 600
OIDCRefreshAccessTokenBeforeExpiry 60 logout_on_error
OIDCInfoHook access_token id_token userinfo session remote_user timeout exp
# (the guide's OIDCTokenBindingPolicy disabled is left out, as in the example:
# 2.4.12.3 no longer has it and Apache refuses the line)

<Location /members>
  AuthType openid-connect
  Require valid-user
  # seed: http://127.0.0.1:8081/members (the member-area server; here the recording backend)
  ProxyPass http://%[4]s/members
  ProxyPassReverse http://%[4]s/members
</Location>

<Location /members/full>
  AuthType openid-connect
  Require claim trial:0
</Location>
`, addr, dir, op, backend) + pages
	}
	panic("no seed variant " + variant)
}

// writeSeedFiles writes variant's config (and the public pages of seed 004)
// into dir and returns the config's path.
func writeSeedFiles(t *testing.T, tg *oidcTarget, variant, dir string) string {
	t.Helper()
	// Apache's children run as nobody: the pages must be reachable.
	os.Chmod(filepath.Dir(dir), 0o755)
	os.Chmod(dir, 0o755)
	if variant == "memberpages" {
		// the guide's sample scripts, with <url of your members area> filled in
		os.WriteFile(filepath.Join(dir, "error-template.html"), []byte("there was an error<br>\nmessage: %s<br>\ndescription: %s<br><br>\n<a href=\"/members/\">Try Again</a>\n"), 0o644)
	}
	if variant == "member" || variant == "memberpages" {
		htdocs := filepath.Join(dir, "htdocs")
		os.MkdirAll(htdocs, 0o755)
		// A fixed modification time: Apache's ETag is size and mtime (and
		// weak while the file is less than a second old).
		mtime := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
		for name, body := range map[string]string{"index.html": "public home page\n",
			"unauthorized.html": "You are not allowed to view this page, please try logging in<br><br>\n<a href=\"/members/\">Log In</a>\n",
			"membership.html":   "public page: how to become a member\n"} {
			f := filepath.Join(htdocs, name)
			os.WriteFile(f, []byte(body), 0o644)
			os.Chtimes(f, mtime, mtime)
		}
	}
	file := filepath.Join(dir, variant+".conf")
	if err := os.WriteFile(file, []byte(seedConf(tg, variant, dir)), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// startSeedFrontEnd starts one seed config under kind ("apache" or
// "oidcgate"): own process group, SIGTERM then SIGKILL at the end, its logs
// on failure.
func startSeedFrontEnd(t *testing.T, kind string, tg *oidcTarget, variant string) {
	t.Helper()
	dir := t.TempDir()
	file := writeSeedFiles(t, tg, variant, dir)
	var cmd *exec.Cmd
	switch kind {
	case "apache":
		requireApache(t)
		if r := run(t, nil, apacheBin, "-d", dir, "-f", file, "-t"); r.code != 0 {
			t.Fatalf("apache2 -t (%s): %s", variant, r.stderr)
		}
		cmd = exec.Command(apacheBin, "-d", dir, "-f", file, "-DFOREGROUND")
	case "oidcgate":
		cmd = exec.Command(oidcgateBin, "serve", "-d", dir, "-f", file)
	}
	logFile, err := os.Create(filepath.Join(dir, kind+".stderr"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/bin"}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); logFile.Close(); close(exited) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() || testing.Verbose() {
			b, _ := os.ReadFile(filepath.Join(dir, kind+".stderr"))
			e, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("%s (%s) stderr:\n%s\nerror.log:\n%s", kind, variant, b, e)
		}
	})
	addr := strings.TrimPrefix(tg.Base[variant], "http://")
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-exited:
			b, _ := os.ReadFile(filepath.Join(dir, kind+".stderr"))
			t.Fatalf("%s (%s) exited at start:\n%s", kind, variant, b)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s (%s): nothing listening on %s", kind, variant, addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// spoofedIdentity: identity headers a client sends itself (every value
// marked evil/spoofed, see ruleSpoofedIdentityScrubbed).
var spoofedIdentity = map[string]string{"OIDC_CLAIM_sub": "evil", "OIDC_CLAIM_email": "evil@example.com",
	"oidc-claim-username": "evil", "OIDC_access_token": "spoofed-token", "X-Remote-User": "evil"}

// seedLogout logs in as user (variant v, from path start), then tries a
// foreign and a local logout at the redirect URI.
func seedLogout(s *scen, v, start, user string) {
	cb := s.tg.callback(v)
	c := newBrowser(s.t)
	s.loginAs(c, v, start, user)
	s.note("a foreign logout URL (refused; the session is kept)")
	s.sendRaw(c, v, "GET", cb+"?logout=https%3A%2F%2Fevil.example%2F", browserHdr)
	s.note("still logged in after the foreign logout?")
	s.send(c, v, "GET", start, browserHdr)
	s.note("a local logout URL (the module goes to the OP's end_session endpoint)")
	s.send(c, v, "GET", cb+"?logout=%2Flocal", browserHdr)
	s.backchannel()
	s.note("after logout")
	s.send(c, v, "GET", start, browserHdr)
}

var seedScenarios = []oidcScenario{
	// ---- seed 003: WSO2 tutorial ----
	{"seed003-a-unauthenticated", func(s *scen) {
		s.note("seed 003: an unauthenticated browser GET: the redirect to the OP and the state cookie")
		h := s.send(nil, "wso", "GET", "/some/path?x=1&y=%20z", browserHdr)
		loc, _ := url.Parse(h.Location)
		st := loc.Query().Get("state")
		named := false
		for _, c := range h.SetCookies {
			named = named || strings.HasPrefix(c, "mod_auth_openidc_state_"+st+"=")
		}
		s.note("state cookie name is mod_auth_openidc_state_ + the state parameter: %v", named)
		s.note("the site root")
		s.send(nil, "wso", "GET", "/", browserHdr)
		s.note("seed 003 has no public path (<Location /> requires a login): a would-be public page")
		s.send(nil, "wso", "GET", "/public/x", browserHdr)
		s.note("XHR and non-browser requests")
		s.send(nil, "wso", "GET", "/api/x", map[string]string{"X-Requested-With": "XMLHttpRequest"})
		s.send(nil, "wso", "GET", "/api/x", map[string]string{"Accept": "application/json"})
		s.note("the bare redirect URI (under ProxyPass /)")
		s.sendRaw(nil, "wso", "GET", "/callback", browserHdr)
	}},
	{"seed003-b-login", func(s *scen) {
		s.note("seed 003: the whole login as alice (OIDCRemoteUserClaim sub, OIDCClaimPrefix OIDC_CLAIM_), then a second request")
		c := newBrowser(s.t)
		s.loginAs(c, "wso", "/some/path?x=1&y=%20z", "alice")
		s.send(c, "wso", "GET", "/app/page", browserHdr)
		s.note("XHR with the session")
		s.send(c, "wso", "GET", "/api/x", map[string]string{"X-Requested-With": "XMLHttpRequest"})
	}},
	{"seed003-c-second-user", func(s *scen) {
		s.note("seed 003 has no Require claim (only Require valid-user): the second user bob logs in and gets everything")
		c := newBrowser(s.t)
		s.loginAs(c, "wso", "/admin/x", "bob")
		s.send(c, "wso", "GET", "/verified/x", browserHdr)
	}},
	{"seed003-d-spoofed-headers", func(s *scen) {
		s.note("seed 003: identity headers sent by the client, unauthenticated (no public path: a login first)")
		s.send(nil, "wso", "GET", "/x", copyHdr(browserHdr, "OIDC_CLAIM_sub", "evil", "X-Remote-User", "evil"))
		c := newBrowser(s.t)
		s.loginAs(c, "wso", "/start", "bob")
		s.note("authenticated")
		s.send(c, "wso", "GET", "/app", spoofedIdentity)
	}},
	{"seed003-e-logout", func(s *scen) {
		s.note("seed 003: logout at the redirect URI /callback")
		seedLogout(s, "wso", "/app/page", "alice")
	}},

	// ---- seed 004: NATS member area, <Location> form ----
	{"seed004-a-unauthenticated", func(s *scen) {
		s.note("seed 004: an unauthenticated browser GET in the member area: the redirect to the OP and the state cookie")
		h := s.send(nil, "member", "GET", "/members/index.php?x=1&y=%20z", browserHdr)
		loc, _ := url.Parse(h.Location)
		st := loc.Query().Get("state")
		named := false
		for _, c := range h.SetCookies {
			named = named || strings.HasPrefix(c, "mod_auth_openidc_state_"+st+"=")
		}
		s.note("state cookie name is mod_auth_openidc_state_ + the state parameter: %v", named)
		s.send(nil, "member", "GET", "/members", browserHdr)
		s.send(nil, "member", "GET", "/members/full/page", browserHdr)
		s.note("public paths outside <Location /members> (the document root)")
		s.send(nil, "member", "GET", "/", browserHdr)
		s.send(nil, "member", "GET", "/membership.html", browserHdr)
		s.note("XHR and non-browser requests")
		s.send(nil, "member", "GET", "/members/x", map[string]string{"X-Requested-With": "XMLHttpRequest"})
		s.send(nil, "member", "GET", "/members/x", map[string]string{"Accept": "application/json"})
		s.note("the bare vanity script (the redirect URI, under the member area's ProxyPass)")
		s.sendRaw(nil, "member", "GET", "/members/vanity.php", browserHdr)
	}},
	{"seed004-b-login", func(s *scen) {
		s.note("seed 004: the whole login as carol (username carol, trial 0), then the full member area and the info hook")
		c := newBrowser(s.t)
		s.loginAs(c, "member", "/members/index.php?x=1&y=%20z", "carol")
		s.note("Require claim trial:0 (carol has trial 0)")
		s.send(c, "member", "GET", "/members/full/page", browserHdr)
		s.note("OIDCInfoHook access_token id_token userinfo session remote_user timeout exp")
		s.sendRaw(c, "member", "GET", "/members/vanity.php?info=json", browserHdr)
		s.note("XHR with the session; a public page with the session")
		s.send(c, "member", "GET", "/members/x", map[string]string{"X-Requested-With": "XMLHttpRequest"})
		s.send(c, "member", "GET", "/", browserHdr)
	}},
	{"seed004-c-authz-failure", func(s *scen) {
		s.note("seed 004: Require claim trial:0 on /members/full, the second member dave has trial 1")
		c := newBrowser(s.t)
		s.loginAs(c, "member", "/members/full/x", "dave")
		s.send(c, "member", "GET", "/members/full/x", map[string]string{"X-Requested-With": "XMLHttpRequest"})
		s.note("the rest of the member area (Require valid-user) lets dave in")
		s.send(c, "member", "GET", "/members/index.php", browserHdr)
	}},
	{"seed004-d-spoofed-headers", func(s *scen) {
		s.note("seed 004: identity headers sent by the client: unauthenticated on a public page and in the member area")
		s.send(nil, "member", "GET", "/", copyHdr(browserHdr, "OIDC_CLAIM_username", "evil"))
		s.send(nil, "member", "GET", "/members/x", copyHdr(browserHdr, "OIDC_CLAIM_username", "evil"))
		c := newBrowser(s.t)
		s.loginAs(c, "member", "/members/start", "carol")
		s.note("authenticated")
		s.send(c, "member", "GET", "/members/x", spoofedIdentity)
		s.send(c, "member", "GET", "/members/full/x", spoofedIdentity)
	}},
	{"seed004-e-logout", func(s *scen) {
		s.note("seed 004: the guide's logout button <vanity script>?logout=<url>")
		seedLogout(s, "member", "/members/index.php", "carol")
	}},
	{"seed004-f-refresh", func(s *scen) {
		s.note("seed 004: the guide's token renewal <vanity script>?refresh=<page>&access_token=<OIDC_access_token>")
		c := newBrowser(s.t)
		hops := s.loginAs(c, "member", "/members/index.php", "carol")
		token := ""
		for _, l := range strings.Split(hops[len(hops)-1].Body, "\n") {
			if v, ok := strings.CutPrefix(l, "OIDC_access_token: "); ok {
				token = v
			}
		}
		if token == "" {
			s.t.Fatalf("no OIDC_access_token at the backend after the login")
		}
		s.note("the session's access token (as the backend received it)")
		s.tg.Backend.take()
		h := do(s.t, c, "GET", s.tg.Base["member"]+"/members/vanity.php?refresh=%2Fmembers%2Frenewed&access_token="+token, nil, browserHdr)
		s.record(h, "member", "/members/vanity.php?refresh=%2Fmembers%2Frenewed&access_token=<the session's access token>", browserHdr)
		s.backchannel()
		s.note("the page the renewal redirects to (a new access token)")
		s.send(c, "member", "GET", "/members/renewed", browserHdr)
		s.note("an access token that is not the session's")
		s.sendRaw(c, "member", "GET", "/members/vanity.php?refresh=%2Fmembers%2Frenewed&access_token=not-the-token", browserHdr)
		s.backchannel()
		s.send(c, "member", "GET", "/members/after", browserHdr)
	}},
	{"seed004-g-unauthorized-page-and-error-template", func(s *scen) {
		s.note("seed 004 with the guide's unauthorized page (ErrorDocument 401) and error template (OIDCHTMLErrorTemplate)")
		s.note("unauthenticated XHR (401)")
		s.send(nil, "memberpages", "GET", "/members/x", map[string]string{"X-Requested-With": "XMLHttpRequest"})
		s.note("a browser GET still goes to the OP")
		s.send(nil, "memberpages", "GET", "/members/x", browserHdr)
		s.note("a callback that matches no login (the module's error page through the template)")
		s.sendRaw(nil, "memberpages", "GET", "/members/vanity.php?code=abc&state=unknownstate", browserHdr)
		s.note("dave (trial 1) on the full member area (Require claim trial:0)")
		c := newBrowser(s.t)
		s.loginAs(c, "memberpages", "/members/full/x", "dave")
		s.send(c, "memberpages", "GET", "/members/full/x", map[string]string{"X-Requested-With": "XMLHttpRequest"})
		s.note("a foreign logout URL (the error template)")
		s.sendRaw(c, "memberpages", "GET", "/members/vanity.php?logout=https%3A%2F%2Fevil.example%2F", browserHdr)
		s.send(c, "memberpages", "GET", "/members/index.php", browserHdr)
	}},
}

// TestOIDCSeedApache runs seedScenarios against the real Apache +
// mod_auth_openidc on the seed configs and compares each transcript with
// its golden (-update rewrites them).
func TestOIDCSeedApache(t *testing.T) {
	requireApache(t)
	env := newSeedEnv(t, "apache")
	tg := env.Targets["apache"]
	for _, v := range seedVariants {
		startSeedFrontEnd(t, "apache", tg, v)
	}
	for _, sc := range seedScenarios {
		t.Run(sc.Name, func(t *testing.T) {
			got := runScenario(t, tg, sc)
			file := filepath.Join("testdata", "oidc", sc.Name+".golden")
			if *updateGolden {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run with -update to record it)", err)
			}
			if got != string(want) {
				t.Errorf("transcript differs from %s (a volatile value not normalised, or Apache changed):\n%s", file, lineDiff(string(want), got))
			}
		})
	}
}

// TestOIDCSeedOIDCGate runs seedScenarios against oidcgate serve on the
// same seed configs; each transcript must equal expectForOIDCGate(golden),
// compared like TestOIDCOIDCGate (order-blind, knownDiff).
func TestOIDCSeedOIDCGate(t *testing.T) {
	requireOP(t)
	env := newSeedEnv(t, "oidcgate")
	tg := env.Targets["oidcgate"]
	for _, v := range seedVariants {
		startSeedFrontEnd(t, "oidcgate", tg, v)
	}
	for _, sc := range seedScenarios {
		t.Run(sc.Name, func(t *testing.T) {
			golden, err := os.ReadFile(filepath.Join("testdata", "oidc", sc.Name+".golden"))
			if err != nil {
				t.Fatal(err)
			}
			want := orderBlind(expectForOIDCGate(string(golden)))
			got := orderBlind(runScenario(t, tg, sc))
			if d := os.Getenv("OIDC_WRITE_GOT"); d != "" {
				os.WriteFile(filepath.Join(d, sc.Name+".oidcgate"), []byte(got), 0o644)
				os.WriteFile(filepath.Join(d, sc.Name+".want"), []byte(want), 0o644)
			}
			kb, known := knownDiff[sc.Name]
			if !known {
				if got != want {
					t.Errorf("oidcgate differs from expectForOIDCGate(%s.golden):\n%s", sc.Name, requestDiff(want, got))
				}
				return
			}
			if err := kb.check(want, got); err != nil {
				t.Errorf("knownDiff[%q]: %v", sc.Name, err)
				return
			}
			t.Logf("KNOWN DIFFERENCE (knownDiff, %s):\n%s", kb.why, requestDiff(want, got))
		})
	}
}

// TestExpectForOIDCGateTemplateLogout: rule 2 (refused logout -> 400) also
// applies when the refusal page is the config's OIDCHTMLErrorTemplate (no
// "<title>Error</title>"; recognised by Apache's trailing 400 document),
// and not to a template page without that trailing document.
func TestExpectForOIDCGateTemplateLogout(t *testing.T) {
	refused := `> GET [memberpages] /members/vanity.php?logout=https%3A%2F%2Fevil.example%2F
< 200
<   Content-Type: text/html
  body (20 bytes):
  | there was an error<br>

  then, on the same connection, 266 more bytes:
  ! <!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">
  ! <html><head>
  ! <title>400 Bad Request</title>
  ! </head><body>

`
	want := `> GET [memberpages] /members/vanity.php?logout=https%3A%2F%2Fevil.example%2F
< 400
<   Content-Type: text/html
  body (20 bytes):
  | there was an error<br>

`
	if got := expectForOIDCGate(refused); got != want {
		t.Errorf("refused logout with a template page:\n%s\nwant:\n%s", got, want)
	}
	plain := `> GET [memberpages] /members/vanity.php?logout=%2Flocal
< 200
<   Content-Type: text/html
  body (20 bytes):
  | there was an error<br>

`
	if got := expectForOIDCGate(plain); got != plain {
		t.Errorf("a template page without Apache's trailing 400 was rewritten:\n%s", got)
	}
}
