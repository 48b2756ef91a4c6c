package compattests

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
)

// Several providers: OIDCMetadataDir with two real oidc-provider instances
// (different issuers and ports), through Apache + mod_auth_openidc 2.4.12.3
// and through oidcgate, the same browser flows on both; the normalised
// transcripts must be equal.

// providersFront is one front end (Apache or oidcgate) of the test.
type providersFront struct {
	name, addr, dir string
}

// providersConf: the server has OIDCMetadataDir; /ext/ uses OIDCDiscoverURL
// (an external choice page, here a path on the backend).
func providersConf(f providersFront, backend string) string {
	return providersConfWith(f, backend, "OIDCMetadataDir "+f.dir+"/metadata")
}

// providersConfWith is providersConf with provider the provider's lines.
func providersConfWith(f providersFront, backend, provider string) string {
	return fmt.Sprintf(`LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so
LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so
LoadModule auth_openidc_module /usr/lib/apache2/modules/mod_auth_openidc.so
ServerName rp.example
User nobody
Group nogroup
ErrorLog %[1]s/error.log
LogLevel warn auth_openidc:info
PidFile %[1]s/pid
DefaultRuntimeDir %[1]s
Listen %[2]s

%[4]s
OIDCRedirectURI /redirect_uri
OIDCCryptoPassphrase compat-tests-passphrase
OIDCProviderRegistrationEndpointJson {"response_types":["code"],"grant_types":["authorization_code","refresh_token"],"initiate_login_uri":"https://rp.example/login"}
OIDCClientName compat-tests-registered

<VirtualHost %[2]s>
  ServerName rp.example
  ProxyPreserveHost On
  <Location />
    AuthType openid-connect
    Require valid-user
    OIDCPassClaimsAs headers
    ProxyPass http://%[3]s/
  </Location>
  <Location /ext/>
    OIDCDiscoverURL /public/choose
  </Location>
  <Location /preserve/>
    OIDCPreservePost On
  </Location>
  <Location /preserve/ext/>
    OIDCDiscoverURL https://disco.example/choose
  </Location>
  <Location /scoped/>
    OIDCPathScope "profile email"
    OIDCPathAuthRequestParams "prompt=login&x=a b"
  </Location>
  <Location /public/>
    Require all granted
  </Location>
</VirtualHost>
`, f.dir, f.addr, backend, provider)
}

// startProviderFronts starts Apache and oidcgate on providersConf with the
// metadata directory prepare fills.
func startProviderFronts(t *testing.T, apache, gate providersFront, backend string, prepare func(metadataDir string)) {
	startProviderFrontsConf(t, apache, gate, func(f providersFront) string { return providersConf(f, backend) }, prepare)
}

// startProviderFrontsConf starts both on conf(front).
func startProviderFrontsConf(t *testing.T, apache, gate providersFront, conf func(providersFront) string, prepare func(metadataDir string)) {
	t.Helper()
	for _, f := range []providersFront{apache, gate} {
		os.Chmod(filepath.Dir(f.dir), 0o755)
		os.Chmod(f.dir, 0o755)
		md := filepath.Join(f.dir, "metadata")
		os.Mkdir(md, 0o777)
		os.Chmod(md, 0o777) // Apache's children (nobody) write .client files
		prepare(md)
		if err := os.WriteFile(filepath.Join(f.dir, "front.conf"), []byte(conf(f)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	aConf := filepath.Join(apache.dir, "front.conf")
	if out, err := exec.Command(apacheBin, "-d", apache.dir, "-f", aConf, "-t").CombinedOutput(); err != nil {
		t.Fatalf("apache2 -t: %v\n%s", err, out)
	}
	a := exec.Command(apacheBin, "-d", apache.dir, "-f", aConf, "-DFOREGROUND")
	a.Env = []string{"PATH=/usr/sbin:/usr/bin:/bin"}
	a.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-a.Process.Pid, syscall.SIGTERM)
		a.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(apache.dir, "error.log"))
			t.Logf("Apache error.log:\n%s", b)
		}
	})
	log := &strings.Builder{}
	og := exec.Command(oidcgateBin, "serve", "-d", gate.dir, "-f", filepath.Join(gate.dir, "front.conf"))
	og.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	og.Stderr = log
	if err := og.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		og.Process.Signal(syscall.SIGTERM)
		og.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(gate.dir, "error.log"))
			t.Logf("oidcgate stderr:\n%s\nerror.log:\n%s", log.String(), b)
		}
	})
	waitListening(t, apache.addr)
	waitListening(t, gate.addr)
}

// providersNormaliser replaces what differs between runs and fronts.
type providersNormaliser struct {
	repl []string
}

var (
	csrfValueRE = regexp.MustCompile(`x_csrf(=|%3D|" value=")[A-Za-z0-9_-]{11}`)
	opaqueRE    = regexp.MustCompile(`\b(state|nonce|code|mod_auth_openidc_session)(=|%3D)[A-Za-z0-9_.%-]+`)
	stateNameRE = regexp.MustCompile(`mod_auth_openidc_state_[A-Za-z0-9_-]+=[A-Za-z0-9_.-]*`)
	// a client_id oidc-provider's registration made up
	linkLineRE   = regexp.MustCompile(`<p><a href="[^"]*">[^<]*</a></p>\n`)
	registeredRE = regexp.MustCompile(`client_id=[A-Za-z0-9_-]{43}\b`)
	provDateRE   = regexp.MustCompile(`(?i)(expires=)[^;]+`)
)

func (n providersNormaliser) text(s string) string {
	s = strings.NewReplacer(n.repl...).Replace(s)
	s = csrfValueRE.ReplaceAllString(s, "x_csrf${1}CSRF")
	s = opaqueRE.ReplaceAllString(s, "$1$2X")
	s = stateNameRE.ReplaceAllStringFunc(s, func(c string) string {
		if strings.HasSuffix(c, "=") {
			return "mod_auth_openidc_state_X="
		}
		return "mod_auth_openidc_state_X=X"
	})
	s = registeredRE.ReplaceAllString(s, "client_id=REGISTERED")
	return provDateRE.ReplaceAllString(s, "${1}DATE")
}

// hopLine is a hop's normalised outcome: status, Location, cookies and,
// for a page the module made, its body.
func (n providersNormaliser) hopLine(h hop, withBody bool) string {
	var b strings.Builder
	u, _ := url.Parse(h.URL)
	fmt.Fprintf(&b, "> %s %s\n< %d\n", h.Method, n.text(u.RequestURI()), h.Status)
	if h.Location != "" {
		fmt.Fprintf(&b, "  Location: %s\n", n.location(h.Location))
	}
	cs := append([]string{}, h.SetCookies...)
	sort.Strings(cs)
	for _, c := range cs {
		fmt.Fprintf(&b, "  Set-Cookie: %s\n", n.text(c))
	}
	if withBody {
		fmt.Fprintf(&b, "  Content-Type: %s\n%s\n", h.Header.Get("Content-Type"), indent(n.text(h.Body), "  | "))
	}
	return b.String()
}

// location keeps the scheme, host and path and the parameter names in
// order, with values normalised (PKCE is a deliberate difference: dropped).
func (n providersNormaliser) location(loc string) string {
	u, err := url.Parse(loc)
	if err != nil || u.RawQuery == "" {
		return n.text(loc)
	}
	var parts []string
	for _, kv := range strings.Split(u.RawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		if k == "code_challenge" || k == "code_challenge_method" {
			continue
		}
		parts = append(parts, n.text(kv))
	}
	u.RawQuery = ""
	return n.text(u.String()) + "?" + strings.Join(parts, "&")
}

// TestProvidersTwoOPs: the choice page, login through each provider via
// the page's form (2.4.12.3 lists only https issuers; these are http, so
// the user types the issuer), third-party-initiated login, a foreign
// target_link_uri, OIDCDiscoverURL, and dynamic client registration.
func TestProvidersTwoOPs(t *testing.T) {
	backend, apache, gate, op1, op2 := twoProviderFronts(t)
	docs := map[string]string{}
	for _, op := range []*opServer{op1, op2} {
		h := do(t, newBrowser(t), "GET", op.Issuer+"/.well-known/openid-configuration", nil, nil)
		docs[op.Issuer] = h.Body
	}
	fileName := metadataFileName
	startProviderFronts(t, apache, gate, backend.Addr(), func(md string) {
		// op1: a static client; op2: no .client, so the relying party
		// registers itself (oidc-provider's registration endpoint).
		os.WriteFile(filepath.Join(md, fileName(op1.Issuer)+".provider"), []byte(docs[op1.Issuer]), 0o666)
		os.WriteFile(filepath.Join(md, fileName(op1.Issuer)+".client"), []byte(`{"client_id":"oidcgate","client_secret":"secret"}`), 0o666)
		os.WriteFile(filepath.Join(md, fileName(op2.Issuer)+".provider"), []byte(docs[op2.Issuer]), 0o666)
		os.WriteFile(filepath.Join(md, fileName(op2.Issuer)+".conf"), []byte(`{"scope":"openid email"}`), 0o666)
		// An https provider that is never contacted: listed on the page
		// (2.4.12.3 lists https issuers only).
		os.WriteFile(filepath.Join(md, "static-op.example%2Frealms%2Fa.provider"), []byte(`{"issuer":"https://static-op.example/realms/a","authorization_endpoint":"https://static-op.example/realms/a/auth"}`), 0o666)
		os.WriteFile(filepath.Join(md, "static-op.example%2Frealms%2Fa.client"), []byte(`{"client_id":"c"}`), 0o666)
	})

	listed, linkHop := map[string][]string{}, map[string]hop{}
	run := func(f providersFront) string {
		base := "http://" + f.addr
		n := providersNormaliser{repl: []string{base, "http://RP", f.addr, "RP", url.QueryEscape(base), "http%3A%2F%2FRP",
			op1.Issuer, "http://OP1", url.QueryEscape(op1.Issuer), "http%3A%2F%2FOP1",
			op2.Issuer, "http://OP2", url.QueryEscape(op2.Issuer), "http%3A%2F%2FOP2"}}
		var out strings.Builder
		note := func(s string) { out.WriteString("# " + s + "\n") }

		note("choice page")
		c := newBrowser(t)
		page := do(t, c, "GET", base+"/protected/page?a=1", nil, browserHdr)
		// Measured: Debian's 2.4.12.3 lists no provider at all on this
		// page (its directory listing loop ends at once; the module's
		// code lists the valid https issuers, and so does oidcgate). The
		// links are checked below and left out of the comparison.
		listed[f.name] = linkLineRE.FindAllString(page.Body, -1)
		page.Body = linkLineRE.ReplaceAllString(page.Body, "")
		out.WriteString(n.hopLine(page, true))
		csrf := ""
		if m := regexp.MustCompile(`name="x_csrf" value="([^"]+)"`).FindStringSubmatch(page.Body); m != nil {
			csrf = m[1]
		}
		note("a form POST with OIDCPreservePost: the choice page keeps it; OIDCDiscoverURL's Preserving page")
		for _, p := range []string{"/preserve/form", "/preserve/ext/form"} {
			h := do(t, newBrowser(t), "POST", base+p, url.Values{"a": {"1"}, "b": {"x y"}}, browserHdr)
			h.Body = linkLineRE.ReplaceAllString(h.Body, "")
			out.WriteString(n.hopLine(h, true))
		}
		note("choice page with OIDCPathScope and OIDCPathAuthRequestParams")
		scoped := do(t, newBrowser(t), "GET", base+"/scoped/x", nil, browserHdr)
		scoped.Body = linkLineRE.ReplaceAllString(scoped.Body, "")
		out.WriteString(n.hopLine(scoped, true))
		if l := listed[f.name]; len(l) == 1 {
			m := regexp.MustCompile(`<a href="([^"]+)"`).FindStringSubmatch(l[0])
			linkHop[f.name] = do(t, c, "GET", strings.ReplaceAll(m[1], "&amp;", "&"), nil, browserHdr)
		}
		page = do(t, c, "GET", base+"/protected/page?a=1", nil, browserHdr)
		if m := regexp.MustCompile(`name="x_csrf" value="([^"]+)"`).FindStringSubmatch(page.Body); m != nil {
			csrf = m[1]
		}
		for i, op := range []*opServer{op1, op2} {
			note(fmt.Sprintf("the user types provider %d's issuer into the page's form", i+1))
			if i == 1 { // a fresh page and CSRF cookie
				page = do(t, c, "GET", base+"/protected/page?a=1", nil, browserHdr)
				if m := regexp.MustCompile(`name="x_csrf" value="([^"]+)"`).FindStringSubmatch(page.Body); m != nil {
					csrf = m[1]
				}
			}
			form := base + "/redirect_uri?target_link_uri=" + url.QueryEscape(base+"/protected/page?a=1") + "&method=get&x_csrf=" + csrf + "&iss=" + url.QueryEscape(op.Issuer)
			hops := login(t, c, form, "alice", op.Issuer)
			for _, h := range hops {
				if strings.HasPrefix(h.URL, op.Issuer) {
					continue // the OP's own pages
				}
				out.WriteString(n.hopLine(h, false))
			}
			if r := backend.take(); r != nil {
				fmt.Fprintf(&out, "  backend: %s iss=%s email=%s\n", n.text(r.RequestURI), n.text(r.get("OIDC_CLAIM_iss")), r.get("OIDC_CLAIM_email"))
			}
			c = newBrowser(t)
		}

		note("third-party-initiated login at provider 2 (no CSRF cookie), with login_hint")
		tp := base + "/redirect_uri?iss=" + url.QueryEscape(op2.Issuer) + "&target_link_uri=" + url.QueryEscape(base+"/protected/tp") + "&login_hint=alice"
		out.WriteString(n.hopLine(do(t, newBrowser(t), "GET", tp, nil, browserHdr), false))

		note("a foreign target_link_uri is refused")
		evil := base + "/redirect_uri?iss=" + url.QueryEscape(op1.Issuer) + "&target_link_uri=" + url.QueryEscape("https://evil.example/")
		out.WriteString(n.hopLine(do(t, newBrowser(t), "GET", evil, nil, browserHdr), true))

		note("an unknown issuer without CSRF: no discovery")
		unk := base + "/redirect_uri?iss=" + url.QueryEscape("http://127.0.0.1:1") + "&target_link_uri=" + url.QueryEscape(base+"/protected/")
		out.WriteString(n.hopLine(do(t, newBrowser(t), "GET", unk, nil, browserHdr), true))

		note("OIDCDiscoverURL, then the external page's answer (provider 1, with the x_csrf it was given)")
		c = newBrowser(t)
		ext := do(t, c, "GET", base+"/ext/x?b=2", nil, browserHdr)
		out.WriteString(n.hopLine(ext, false))
		if u, err := url.Parse(ext.Location); err == nil {
			q := u.Query()
			answer := q.Get("oidc_callback") + "?iss=" + url.QueryEscape(op1.Issuer) + "&target_link_uri=" + url.QueryEscape(q.Get("target_link_uri")) +
				"&method=" + q.Get("method") + "&x_csrf=" + q.Get("x_csrf")
			for _, h := range login(t, c, answer, "alice", op1.Issuer) {
				if !strings.HasPrefix(h.URL, op1.Issuer) {
					out.WriteString(n.hopLine(h, false))
				}
			}
			if r := backend.take(); r != nil {
				fmt.Fprintf(&out, "  backend: %s iss=%s\n", n.text(r.RequestURI), n.text(r.get("OIDC_CLAIM_iss")))
			}
		}
		return out.String()
	}
	// The relying party's calls to the providers: the registration request
	// and the token requests' parameters (PKCE's aside, a deliberate
	// difference; x/oauth2 orders the form, so names are sorted).
	// (op.backchannel's parser takes string values only: the log is read
	// here.)
	seen := map[*opServer]int{}
	calls := func(f providersFront) string {
		var b strings.Builder
		for i, op := range []*opServer{op1, op2} {
			logText := op.log.String()
			chunk := logText[seen[op]:]
			seen[op] = len(logText)
			for _, line := range strings.Split(chunk, "\n") {
				js, ok := strings.CutPrefix(line, "op-request ")
				if !ok {
					continue
				}
				var r struct {
					Path, Auth string
					Body       [][2]json.RawMessage
				}
				if err := json.Unmarshal([]byte(js), &r); err != nil {
					t.Fatalf("OP log line %q: %v", line, err)
				}
				switch r.Path {
				case "/reg":
					body, _ := json.Marshal(r.Body)
					fmt.Fprintf(&b, "OP%d POST /reg %s\n", i+1, strings.ReplaceAll(string(body), f.addr, "RP"))
				case "/token":
					var names []string
					for _, kv := range r.Body {
						if n := strings.Trim(string(kv[0]), `"`); n != "code_verifier" {
							names = append(names, n)
						}
					}
					sort.Strings(names)
					fmt.Fprintf(&b, "OP%d POST /token %s %s\n", i+1, strings.Fields(r.Auth)[0], strings.Join(names, ","))
				}
			}
		}
		return b.String()
	}
	want := run(apache)
	wantCalls := calls(apache)
	t.Logf("Apache transcript:\n%s\nApache's calls to the providers:\n%s", want, wantCalls)
	got := run(gate)
	gotCalls := calls(gate)
	if got != want {
		t.Errorf("oidcgate differs from Apache:\n%s", lineDiff(want, got))
	}
	if gotCalls != wantCalls {
		t.Errorf("oidcgate's calls to the providers differ from Apache's:\n%s", lineDiff(wantCalls, gotCalls))
	}
	if len(listed["apache"]) != 0 {
		t.Errorf("Apache now lists providers: %q (update oidcgate's choice page to match)", listed["apache"])
	}
	wantLink := `<p><a href="http://` + gate.addr + `/redirect_uri?iss=https%3A%2F%2Fstatic-op.example%2Frealms%2Fa&amp;target_link_uri=` +
		url.QueryEscape("http://"+gate.addr+"/protected/page?a=1") + `&amp;method=get&amp;x_csrf=`
	if l := listed["oidcgate"]; len(l) != 1 || !strings.HasPrefix(l[0], wantLink) || !strings.HasSuffix(l[0], `">static-op.example/realms/a</a></p>`+"\n") {
		t.Errorf("oidcgate lists %q, want the https provider only (%s…)", l, wantLink)
	} else if h := linkHop["oidcgate"]; h.Status != 302 || !strings.HasPrefix(h.Location, "https://static-op.example/realms/a/auth?response_type=code&scope=openid&client_id=c&") {
		t.Errorf("the listed provider's link: %s", h)
	}
	// Both registered at provider 2 with the same request.
	for _, f := range []providersFront{apache, gate} {
		b, err := os.ReadFile(filepath.Join(f.dir, "metadata", fileName(op2.Issuer)+".client"))
		if err != nil || !strings.Contains(string(b), `"client_name":"compat-tests-registered"`) {
			t.Errorf("%s: registered client %s (%v)", f.name, b, err)
		}
	}
}

// TestThirdPartyLoginStatic: third-party-initiated login with one
// provider (OIDCProviderMetadataURL): iss must be that provider's, the
// target is checked, login_hint passes; Apache vs oidcgate.
func TestThirdPartyLoginStatic(t *testing.T) {
	requireApache(t)
	requireOP(t)
	backend := newClaimBackend(t)
	apache := providersFront{name: "apache", addr: freePort(t), dir: t.TempDir()}
	gate := providersFront{name: "oidcgate", addr: freePort(t), dir: t.TempDir()}
	op := startOP(t, "http://"+apache.addr+"/redirect_uri", "http://"+gate.addr+"/redirect_uri")
	other := "http://127.0.0.1:1"
	startProviderFrontsConf(t, apache, gate, func(f providersFront) string {
		return providersConfWith(f, backend.Addr(), "OIDCProviderMetadataURL "+op.Issuer+"/.well-known/openid-configuration\nOIDCClientID oidcgate\nOIDCClientSecret secret")
	}, func(string) {})
	run := func(f providersFront) string {
		base := "http://" + f.addr
		n := providersNormaliser{repl: []string{base, "http://RP", f.addr, "RP", url.QueryEscape(base), "http%3A%2F%2FRP",
			op.Issuer, "http://OP", url.QueryEscape(op.Issuer), "http%3A%2F%2FOP"}}
		var out strings.Builder
		tl := "&target_link_uri=" + url.QueryEscape(base+"/protected/tp?x=1")
		out.WriteString("# the provider's own issuer, with login_hint: log in\n")
		for _, h := range login(t, newBrowser(t), base+"/redirect_uri?iss="+url.QueryEscape(op.Issuer)+tl+"&login_hint=alice", "alice", op.Issuer) {
			if !strings.HasPrefix(h.URL, op.Issuer) {
				out.WriteString(n.hopLine(h, false))
			}
		}
		if r := backend.take(); r != nil {
			fmt.Fprintf(&out, "  backend: %s email=%s\n", n.text(r.RequestURI), r.get("OIDC_CLAIM_email"))
		}
		for _, c := range []struct{ note, target string }{
			{"another issuer", "/redirect_uri?iss=" + url.QueryEscape(other) + tl},
			{"disc_user only", "/redirect_uri?disc_user=alice%40example.com" + tl},
			{"no target_link_uri", "/redirect_uri?iss=" + url.QueryEscape(op.Issuer)},
			{"a target on another host", "/redirect_uri?iss=" + url.QueryEscape(op.Issuer) + "&target_link_uri=" + url.QueryEscape("http://evil.example/")},
			{"a relative target", "/redirect_uri?iss=" + url.QueryEscape(op.Issuer) + "&target_link_uri=%2Fprotected%2F"},
		} {
			out.WriteString("# " + c.note + "\n")
			h := do(t, newBrowser(t), "GET", base+c.target, nil, browserHdr)
			out.WriteString(n.hopLine(h, h.Status == 200))
		}
		return out.String()
	}
	want := run(apache)
	t.Logf("Apache transcript:\n%s", want)
	if got := run(gate); got != want {
		t.Errorf("oidcgate differs from Apache:\n%s", lineDiff(want, got))
	}
}

// twoProviderFronts is the setting of the two-provider differentials: the
// claim backend, the two fronts (Apache, oidcgate) on free ports, and two
// oidc-provider instances that accept both fronts' redirect URIs.
func twoProviderFronts(t *testing.T) (backend *claimBackend, apache, gate providersFront, op1, op2 *opServer) {
	t.Helper()
	requireApache(t)
	requireOP(t)
	backend = newClaimBackend(t)
	apache = providersFront{name: "apache", addr: freePort(t), dir: t.TempDir()}
	gate = providersFront{name: "oidcgate", addr: freePort(t), dir: t.TempDir()}
	redirects := []string{"http://" + apache.addr + "/redirect_uri", "http://" + gate.addr + "/redirect_uri"}
	return backend, apache, gate, startOP(t, redirects...), startOP(t, redirects...)
}

// metadataFileName is an http issuer's file name in OIDCMetadataDir
// (127.0.0.1%3APORT).
func metadataFileName(issuer string) string {
	return url.QueryEscape(strings.TrimPrefix(issuer, "http://"))
}
