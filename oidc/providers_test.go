package oidc

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc/oidctest"
)

// multiHarness is a relying party with OIDCMetadataDir holding two fake
// providers: an https one (listed on the choice page) and an http one
// (2.4.12.3 lists only https issuers; it is reachable by iss=).
type multiHarness struct {
	*harness
	mdir       string
	tlsOP, op2 *fakeOP
}

func newMultiHarness(t *testing.T, edit func(*Settings)) *multiHarness {
	t.Helper()
	dir := t.TempDir()
	m := &multiHarness{mdir: dir}
	m.harness = newHarness(t, func(s *Settings) {
		s.MetadataURL, s.ClientID, s.ClientSecret = "", "", ""
		s.MetadataDir = dir
		s.SSLValidateServer = false
		if edit != nil {
			edit(s)
		}
	})
	m.tlsOP = newFakeOPWith(t, m.clock, true)
	m.op2 = m.op
	for _, op := range []*fakeOP{m.tlsOP, m.op2} {
		m.writeProvider(op)
		m.writeFile(op.issuer, "client", `{"client_id":"client1","client_secret":"s3cret"}`)
	}
	return m
}

// writeProvider stores op's discovery document as its .provider file.
func (m *multiHarness) writeProvider(op *fakeOP) {
	m.t.Helper()
	c := op.srv.Client()
	resp, err := c.Get(op.issuer + "/.well-known/openid-configuration")
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m.writeFile(op.issuer, "provider", string(b))
}

func (m *multiHarness) writeFile(issuer, suffix, content string) {
	m.t.Helper()
	if err := os.WriteFile(filepath.Join(m.mdir, issuerFilename(issuer)+"."+suffix), []byte(content), 0o600); err != nil {
		m.t.Fatal(err)
	}
}

var csrfInPage = regexp.MustCompile(`name="x_csrf" value="([^"]+)"`)

func TestMetadataDirFileNames(t *testing.T) {
	for _, c := range []struct{ issuer, file string }{
		{"https://op.example.com", "op.example.com"},
		{"https://op.example.com/", "op.example.com"},
		{"http://127.0.0.1:3000", "127.0.0.1%3A3000"},
		{"https://op.example.com/realms/a b", "op.example.com%2Frealms%2Fa%20b"},
	} {
		if got := issuerFilename(c.issuer); got != c.file {
			t.Errorf("issuerFilename(%q) = %q, want %q", c.issuer, got, c.file)
		}
	}
	if got := filenameIssuer("127.0.0.1%3A3000.provider"); got != "https://127.0.0.1:3000" {
		t.Errorf("filenameIssuer = %q", got)
	}
}

func TestChoicePageAndLoginThroughEachProvider(t *testing.T) {
	m := newMultiHarness(t, nil)
	page := m.do("GET", "/protected/x?a=1", nil)
	if !page.res.Done || page.rec.Code != http.StatusOK {
		t.Fatalf("choice page: done %v code %d", page.res.Done, page.rec.Code)
	}
	body := page.rec.Body.String()
	csrfCookie, line, ok := cookieValue(page.sets, "x_csrf")
	if !ok || len(csrfCookie) != 11 || line != "x_csrf="+csrfCookie+"; Path=/; HttpOnly" {
		t.Fatalf("x_csrf cookie %q", line)
	}
	mm := csrfInPage.FindStringSubmatch(body)
	if mm == nil || mm[1] != csrfCookie {
		t.Fatalf("page CSRF %v, cookie %q", mm, csrfCookie)
	}
	tlsHost := strings.TrimPrefix(m.tlsOP.issuer, "https://")
	wantLink := `<p><a href="http://www.example.com/redirect_uri?iss=` + escape(m.tlsOP.issuer) + `&amp;target_link_uri=` +
		escape("http://www.example.com/protected/x?a=1") + `&amp;method=get&amp;x_csrf=` + csrfCookie + `">` + tlsHost + `</a></p>`
	if !strings.Contains(body, wantLink) {
		t.Errorf("page lacks the https provider's link %s:\n%s", wantLink, body)
	}
	if strings.Contains(body, strings.TrimPrefix(m.op2.issuer, "http://")+"</a>") {
		t.Errorf("the http provider is listed (2.4.12.3 lists https issuers only):\n%s", body)
	}
	for _, want := range []string{"<title>OpenID Connect Provider Discovery</title>", `<style type="text/css">body {text-align: center}</style>`,
		`<form method="get" action="http://www.example.com/redirect_uri">`, `<p><input type="hidden" name="target_link_uri" value="http://www.example.com/protected/x?a=1"><p>`,
		`<p><input type="text" name="iss" value=""></p>`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}

	for _, op := range []*fakeOP{m.tlsOP, m.op2} {
		target := "/redirect_uri?iss=" + escape(op.issuer) + "&target_link_uri=" + escape("http://www.example.com/protected/x?a=1") +
			"&method=get&x_csrf=" + csrfCookie + "&login_hint=bob"
		start := m.do("GET", target, map[string]string{"Cookie": "x_csrf=" + csrfCookie})
		if start.res.Status != http.StatusFound || !strings.HasPrefix(start.res.Location, op.issuer+"/authorize?") {
			t.Fatalf("%s: status %d location %q", op.issuer, start.res.Status, start.res.Location)
		}
		if _, line, _ := cookieValue(start.sets, "x_csrf"); !strings.Contains(line, "x_csrf=; Path=/; Expires=Thu, 01 Jan 1970") {
			t.Errorf("CSRF cookie not deleted: %q", start.sets)
		}
		q := mustQuery(t, start.res.Location)
		if q.Get("client_id") != "client1" || q.Get("login_hint") != "bob" {
			t.Errorf("authorization request %v", q)
		}
		state := q.Get("state")
		sc, _, ok := cookieValue(start.sets, "mod_auth_openidc_state_"+state)
		if !ok {
			t.Fatalf("no state cookie")
		}
		code := op.grant(start.res.Location)
		cb := m.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + sc})
		sess, _, ok := cookieValue(cb.sets, "mod_auth_openidc_session")
		if !ok || cb.res.Location != "http://www.example.com/protected/x?a=1" {
			t.Fatalf("%s callback: status %d location %q sets %q", op.issuer, cb.res.Status, cb.res.Location, cb.sets)
		}
		if n := len(op.tokenForms); n != 1 {
			t.Errorf("%s got %d token requests", op.issuer, n)
		}
		again := m.do("GET", "/protected/y", map[string]string{"Cookie": "mod_auth_openidc_session=" + sess})
		if want := "248289761001@" + strings.TrimPrefix(op.issuer, "https://"); !again.res.Authenticated || again.res.User != want {
			t.Errorf("%s: session request: authenticated %v user %q", op.issuer, again.res.Authenticated, again.res.User)
		}
		// Logout goes to the session's provider's end_session_endpoint.
		out := m.do("GET", "/redirect_uri?logout="+escape("http://www.example.com/bye"), map[string]string{"Cookie": "mod_auth_openidc_session=" + sess})
		if !strings.HasPrefix(out.res.Location, op.issuer+"/logout?") {
			t.Errorf("%s: logout to %q", op.issuer, out.res.Location)
		}
	}
}

func TestDiscoveryRefusals(t *testing.T) {
	m := newMultiHarness(t, nil)
	tl := "&target_link_uri=" + escape("http://www.example.com/protected/")
	cases := []struct {
		name, target, cookie string
		status               int
		desc                 string
	}{
		{"foreign target_link_uri", "/redirect_uri?iss=" + escape(m.op2.issuer) + "&target_link_uri=" + escape("https://evil.example/"), "", 200, "aborting to prevent an open redirect"},
		{"subdomain trick", "/redirect_uri?iss=" + escape(m.op2.issuer) + "&target_link_uri=" + escape("https://www.example.com.evil.example/"), "", 200, "aborting to prevent an open redirect"},
		{"backslash target", "/redirect_uri?iss=" + escape(m.op2.issuer) + "&target_link_uri=" + escape(`http://www.example.com\@evil.example/`), "", 200, ""},
		{"no target_link_uri", "/redirect_uri?iss=" + escape(m.op2.issuer), "", 200, "OIDCDefaultURL is not set"},
		{"unknown issuer, no CSRF: no discovery", "/redirect_uri?iss=" + escape("https://unknown.example") + tl, "", 200, "Could not find valid provider metadata"},
		{"unknown issuer, bad CSRF: no discovery", "/redirect_uri?iss=" + escape("https://unknown.example") + tl + "&x_csrf=abc", "x_csrf=abd", 200, "Could not find valid provider metadata"},
		{"account without WebFinger", "/redirect_uri?iss=" + escape("bob@127.0.0.1:1") + tl, "", 200, "Could not resolve the provided account name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hdr := map[string]string{}
			if c.cookie != "" {
				hdr["Cookie"] = c.cookie
			}
			r := m.do("GET", c.target, hdr)
			if r.rec.Code != c.status || r.res.Location != "" {
				t.Fatalf("status %d (result %d) location %q, want %d", r.rec.Code, r.res.Status, r.res.Location, c.status)
			}
			if !strings.Contains(r.rec.Body.String(), c.desc) {
				t.Errorf("body %q lacks %q", r.rec.Body.String(), c.desc)
			}
		})
	}
	// An empty CSRF cookie and parameter prove nothing: no discovery.
	op3 := newFakeOP(t, m.clock)
	m.do("GET", "/redirect_uri?iss="+escape(op3.issuer)+tl+"&x_csrf=", map[string]string{"Cookie": "x_csrf="})
	if _, err := os.Stat(filepath.Join(m.mdir, issuerFilename(op3.issuer)+".provider")); err == nil {
		t.Errorf("an empty CSRF pair allowed discovery")
	}
	// 2.4.12.3 sends these pages with status 200 (the error status it
	// returns comes too late; Apache appends a second document, which
	// oidcgate does not).
	// A bad CSRF still allows a known provider (third-party login) but
	// drops scopes and auth_request_params.
	r := m.do("GET", "/redirect_uri?iss="+escape(m.op2.issuer)+tl+"&x_csrf=abc&scopes=admin&auth_request_params=prompt%3Dnone", map[string]string{"Cookie": "x_csrf=abd"})
	if r.res.Status != http.StatusFound {
		t.Fatalf("known provider with bad CSRF: %d", r.res.Status)
	}
	q := mustQuery(t, r.res.Location)
	if q.Get("scope") != "openid" || q.Has("prompt") {
		t.Errorf("scopes/auth_request_params honoured without CSRF: %v", q)
	}
	// With a valid CSRF they are honoured.
	r = m.do("GET", "/redirect_uri?iss="+escape(m.op2.issuer)+tl+"&x_csrf=abc&scopes=admin&auth_request_params=prompt%3Dnone", map[string]string{"Cookie": "x_csrf=abc"})
	q = mustQuery(t, r.res.Location)
	if q.Get("scope") != "openid admin" || q.Get("prompt") != "none" {
		t.Errorf("scopes/auth_request_params with CSRF: %v", q)
	}
}

func TestDiscoverIssuersAllowed(t *testing.T) {
	m := newMultiHarness(t, func(s *Settings) {
		s.DiscoverIssuersAllowed = []*regexp.Regexp{regexp.MustCompile(`^https://allowed\.example$`)}
	})
	r := m.do("GET", "/redirect_uri?iss="+escape(m.op2.issuer)+"&target_link_uri="+escape("http://www.example.com/"), nil)
	// Upstream's answer: 401 with Apache's error document, the reason in
	// OIDC_ERROR_DESC.
	if r.res.Status != http.StatusUnauthorized || r.res.Done || !strings.Contains(r.env["OIDC_ERROR_DESC"], "not in the list of allowed issuers") {
		t.Fatalf("status %d env %v", r.res.Status, r.env)
	}
}

func TestDiscoverURL(t *testing.T) {
	m := newMultiHarness(t, nil)
	m.harness.dir.DiscoverURL = "https://disco.example/choose?x=1"
	m.harness.dir.PathScope = "email"
	r := m.do("GET", "/protected/?a=b", nil)
	if r.res.Status != http.StatusFound {
		t.Fatalf("status %d", r.res.Status)
	}
	csrf, _, ok := cookieValue(r.sets, "x_csrf")
	if !ok {
		t.Fatalf("no CSRF cookie: %q", r.sets)
	}
	want := "https://disco.example/choose?x=1&target_link_uri=" + escape("http://www.example.com/protected/?a=b") +
		"&method=get&oidc_callback=" + escape("http://www.example.com/redirect_uri") + "&x_csrf=" + csrf + "&scopes=email"
	if r.res.Location != want {
		t.Errorf("Location\n got %s\nwant %s", r.res.Location, want)
	}
}

func TestThirdPartyLoginStaticProvider(t *testing.T) {
	h := newHarness(t, nil)
	tl := "&target_link_uri=" + escape("http://www.example.com/p")
	r := h.do("GET", "/redirect_uri?iss="+escape("https://other.example")+tl, nil)
	if r.rec.Code != http.StatusOK || !strings.Contains(r.rec.Body.String(), "must match the configured providers") {
		t.Fatalf("foreign iss: %d %q", r.rec.Code, r.rec.Body.String())
	}
	r = h.do("GET", "/redirect_uri?iss="+escape(h.op.issuer)+tl+"&login_hint=a%40b", nil)
	if r.res.Status != http.StatusFound {
		t.Fatalf("status %d", r.res.Status)
	}
	q := mustQuery(t, r.res.Location)
	if q.Get("login_hint") != "a@b" {
		t.Errorf("login_hint %q", q.Get("login_hint"))
	}
	r = h.do("GET", "/redirect_uri?iss="+escape(h.op.issuer)+"&target_link_uri="+escape("http://evil.example/"), nil)
	if r.rec.Code != http.StatusOK || !strings.Contains(r.rec.Body.String(), "open redirect") || r.res.Location != "" {
		t.Errorf("foreign target: %d %q", r.rec.Code, r.res.Location)
	}
}

func TestMetadataFileValidation(t *testing.T) {
	for _, c := range []struct{ name, doc, want string }{
		{"no issuer", `{"authorization_endpoint":"https://a/x"}`, `did not contain an "issuer" string`},
		{"other issuer", `{"issuer":"https://b","authorization_endpoint":"https://a/x"}`, "does not match"},
		{"no authorization endpoint", `{"issuer":"https://a"}`, `mandatory "authorization_endpoint"`},
		{"bad token endpoint", `{"issuer":"https://a","authorization_endpoint":"https://a/x","token_endpoint":"ftp://a"}`, "not a valid http URL"},
		{"unsupported response types", `{"issuer":"https://a","authorization_endpoint":"https://a/x","response_types_supported":["token"]}`, "supported response type"},
		{"unsupported auth methods", `{"issuer":"https://a","authorization_endpoint":"https://a/x","token_endpoint_auth_methods_supported":["x"]}`, "token endpoint authentication"},
		{"not JSON", `[`, "not a JSON object"},
		{"wrong types", `{"issuer":["https://a"]}`, `"issuer"`},
	} {
		_, err := parseProviderMetadata([]byte(c.doc), "https://a", "/d/a.provider")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "/d/a.provider") {
			t.Errorf("%s: %v, want %q naming the file", c.name, err, c.want)
		}
	}
	s := Settings{Scope: "openid"}
	if err := applyConf(&s, []byte(`{"id_token_signed_response_alg":"none2"}`), "https://a", "/d/a.conf"); err == nil || !strings.Contains(err.Error(), "/d/a.conf") {
		t.Errorf("bad alg in .conf: %v", err)
	}
	if err := applyConf(&s, []byte(`{"scope":"openid email","auth_request_params":"a=b","pkce_method":"plain","userinfo_token_method":"post_param","idtoken_iat_slack":"x"}`), "https://a", "/d/a.conf"); err != nil {
		t.Fatal(err)
	}
	if s.Scope != "openid email" || s.AuthRequestParams != "a=b" || s.PKCEMethod != "plain" || !s.UserInfoPostParam {
		t.Errorf(".conf not applied: %+v", s)
	}
	if _, err := parseClient([]byte(`{"client_secret":"x"}`), "https://a", "/d/a.client", time.Unix(1_800_000_000, 0)); err == nil {
		t.Errorf("client without client_id accepted")
	}
	if _, err := parseClient([]byte(`{"client_id":"x","client_secret_expires_at":1}`), "https://a", "/d/a.client", time.Unix(1_800_000_000, 0)); err == nil {
		t.Errorf("expired client accepted")
	}
}

func TestDynamicClientRegistration(t *testing.T) {
	m := newMultiHarness(t, func(s *Settings) {
		s.Registration = Registration{ClientName: "My RP", ClientContact: "ops@example.com", EndpointJSON: `{"response_types":["code"]}`}
		s.UserInfoSignedAlg = "RS256"
		s.DefaultLoggedOutURL = "http://www.example.com/bye"
	})
	var got map[string]any
	var auth string
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewDecoder(r.Body).Decode(&got)
		auth = r.Header.Get("Authorization")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"client_id":"client1","client_secret":"s3cret","client_secret_expires_at":0}`))
	}))
	defer reg.Close()
	// The http provider gets a registration endpoint and loses its client.
	var doc map[string]any
	b, _ := os.ReadFile(filepath.Join(m.mdir, issuerFilename(m.op2.issuer)+".provider"))
	_ = json.Unmarshal(b, &doc)
	doc["registration_endpoint"] = reg.URL + "/reg"
	b, _ = json.Marshal(doc)
	m.writeFile(m.op2.issuer, "provider", string(b))
	m.writeFile(m.op2.issuer, "conf", `{"registration_token":"IAT"}`)
	clientFile := filepath.Join(m.mdir, issuerFilename(m.op2.issuer)+".client")
	os.Remove(clientFile)

	tl := "&target_link_uri=" + escape("http://www.example.com/protected/")
	// As in 2.4.12.3 a third-party login (no CSRF) registers too: only an
	// unknown provider's discovery needs the CSRF check.
	r := m.do("GET", "/redirect_uri?iss="+escape(m.op2.issuer)+tl, nil)
	if r.res.Status != http.StatusFound || !strings.HasPrefix(r.res.Location, m.op2.issuer+"/authorize?") {
		t.Fatalf("after registration: %d %q", r.res.Status, r.res.Location)
	}
	ru := "http://www.example.com/redirect_uri"
	want := map[string]any{"client_name": "My RP", "redirect_uris": []any{ru}, "response_types": []any{"code"},
		"grant_types": []any{"authorization_code", "implicit", "refresh_token"}, "token_endpoint_auth_method": "client_secret_basic",
		"contacts": []any{"ops@example.com"}, "userinfo_signed_response_alg": "RS256", "initiate_login_uri": ru,
		"frontchannel_logout_uri": ru + "?logout=get", "backchannel_logout_uri": ru + "?logout=backchannel",
		"id_token_token_binding_cnf": "tbh", "post_logout_redirect_uris": []any{"http://www.example.com/bye"}}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Errorf("registration request\n got %s\nwant %s", gb, wb)
	}
	if auth != "Bearer IAT" {
		t.Errorf("registration Authorization %q", auth)
	}
	if b, err := os.ReadFile(clientFile); err != nil || !strings.Contains(string(b), `"client_id":"client1"`) {
		t.Errorf(".client file: %q %v", b, err)
	}
}

// loginVia logs in at op through a third-party-initiated login and returns
// the session cookie.
func (m *multiHarness) loginVia(op *fakeOP) string {
	m.t.Helper()
	start := m.do("GET", "/redirect_uri?iss="+escape(op.issuer)+"&target_link_uri="+escape("http://www.example.com/p"), nil)
	if start.res.Status != http.StatusFound {
		m.t.Fatalf("login at %s: %d", op.issuer, start.res.Status)
	}
	state := mustQuery(m.t, start.res.Location).Get("state")
	sc, _, _ := cookieValue(start.sets, "mod_auth_openidc_state_"+state)
	cb := m.do("GET", "/redirect_uri?code="+op.grant(start.res.Location)+"&state="+state, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + sc})
	sess, _, ok := cookieValue(cb.sets, "mod_auth_openidc_session")
	if !ok {
		m.t.Fatalf("no session from %s: %d %v", op.issuer, cb.res.Status, cb.sets)
	}
	return sess
}

// TestSessionsStayWithTheirProvider: revocation at logout and a
// back-channel logout token go to (and are verified by) the session's
// provider; a logout token naming another issuer ends nothing.
func TestSessionsStayWithTheirProvider(t *testing.T) {
	m := newMultiHarness(t, nil)
	m.op2.claims["sid"] = "sid-2"
	s1, s2 := m.loginVia(m.tlsOP), m.loginVia(m.op2)
	ck := func(s string) map[string]string { return map[string]string{"Cookie": "mod_auth_openidc_session=" + s} }

	post := func(tok string) Result {
		r := httptest.NewRequest("POST", "http://www.example.com/redirect_uri?logout=backchannel", strings.NewReader("logout_token="+tok))
		r.RequestURI = "/redirect_uri?logout=backchannel"
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		res := m.rp.Authenticate(rec, &Request{HTTP: r, Path: "/redirect_uri", Dir: m.harness.dir, Env: map[string]string{}, Scheme: "http", Host: "www.example.com"})
		if res.Done {
			res.Status = rec.Code
		}
		return res
	}
	sign := func(op *fakeOP, iss string) string {
		c := map[string]any{"iss": iss, "aud": "client1", "iat": m.clock().Unix(), "jti": "j-" + iss,
			"sid": "sid-2", "events": map[string]any{backChannelEvent: map[string]any{}}}
		b, _ := json.Marshal(c)
		return oidctest.SignIDToken(op.key, "k1", "RS256", string(b))
	}
	// Signed by provider 1's key but naming provider 2: provider 2's keys
	// refuse it.
	if r := post(sign(m.tlsOP, m.op2.issuer)); r.Status != http.StatusBadRequest {
		t.Errorf("logout token with another provider's signature: %d", r.Status)
	}
	if !m.do("GET", "/p", ck(s2)).res.Authenticated {
		t.Fatalf("a refused logout token ended the session")
	}
	if r := post(sign(m.op2, m.op2.issuer)); r.Status != http.StatusOK {
		t.Fatalf("valid logout token: %d", r.Status)
	}
	if m.do("GET", "/p", ck(s2)).res.Authenticated {
		t.Errorf("provider 2's session survived its back-channel logout")
	}
	if !m.do("GET", "/p", ck(s1)).res.Authenticated {
		t.Errorf("provider 1's session ended too")
	}
	// A refresh grant goes to the session's provider, with its .conf scope.
	m.writeFile(m.op2.issuer, "conf", `{"scope":"openid email"}`)
	s2 = m.loginVia(m.op2)
	if r := m.do("GET", "/redirect_uri?refresh=%2Fback&access_token=AT-1", ck(s2)); r.res.Status != http.StatusFound || r.res.Location != "/back" {
		t.Fatalf("refresh: %d %q", r.res.Status, r.res.Location)
	}
	if len(m.op2.refreshForms) != 1 || m.op2.refreshForms[0].Get("scope") != "openid email" || len(m.tlsOP.refreshForms) != 0 {
		t.Errorf("refresh grants: provider 2 %v, provider 1 %v", m.op2.refreshForms, m.tlsOP.refreshForms)
	}
	// Logout revokes at the session's provider only.
	m.do("GET", "/redirect_uri?logout=", ck(s1))
	if len(m.tlsOP.revoked) == 0 || len(m.op2.revoked) != 0 { // (provider 2's session was refreshed, not logged out)
		t.Errorf("revocations: provider 1 %v, provider 2 %v", m.tlsOP.revoked, m.op2.revoked)
	}
}

// TestDiscoveryFetchesProviderDocument: a CSRF-checked answer naming an
// unknown issuer fetches its discovery document into the directory
// (without a client or registration endpoint the login still fails);
// OIDCProviderMetadataRefreshInterval re-fetches an old .provider file.
func TestDiscoveryFetchesProviderDocument(t *testing.T) {
	m := newMultiHarness(t, func(s *Settings) { s.MetadataRefresh = time.Hour })
	op3 := newFakeOP(t, m.clock)
	file := filepath.Join(m.mdir, issuerFilename(op3.issuer)+".provider")
	r := m.do("GET", "/redirect_uri?iss="+escape(op3.issuer)+"&target_link_uri="+escape("http://www.example.com/")+"&x_csrf=c", map[string]string{"Cookie": "x_csrf=c"})
	if !strings.Contains(r.rec.Body.String(), "Could not find valid provider metadata") {
		t.Errorf("no client: %d %q", r.rec.Code, r.rec.Body.String())
	}
	b, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(b), `"issuer":"`+op3.issuer+`"`) {
		t.Fatalf(".provider not fetched: %q %v", b, err)
	}
	// An old file is refreshed on use.
	old := `{"issuer":"` + m.op2.issuer + `","authorization_endpoint":"` + m.op2.issuer + `/old-authorize"}`
	m.writeFile(m.op2.issuer, "provider", old)
	past := m.clock().Add(-2 * time.Hour)
	os.Chtimes(filepath.Join(m.mdir, issuerFilename(m.op2.issuer)+".provider"), past, past)
	r = m.do("GET", "/redirect_uri?iss="+escape(m.op2.issuer)+"&target_link_uri="+escape("http://www.example.com/"), nil)
	if !strings.HasPrefix(r.res.Location, m.op2.issuer+"/authorize?") {
		t.Errorf("refreshed provider: %d %q", r.res.Status, r.res.Location)
	}
}

func TestRegistrationRequestOrder(t *testing.T) {
	s := &Settings{TokenEndpointAuth: "client_secret_post", Registration: Registration{EndpointJSON: `{"grant_types":["authorization_code"],"z":1,"client_name":"N"}`, PublicKeys: true}}
	b, err := registrationRequest(s, "https://rp/cb")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"client_name":"N","redirect_uris":["https://rp/cb"],"response_types":["code","id_token","id_token token","code id_token","code token","code id_token token"],"grant_types":["authorization_code"],"token_endpoint_auth_method":"client_secret_post","jwks_uri":"https://rp/cb?jwks=rsa","initiate_login_uri":"https://rp/cb","frontchannel_logout_uri":"https://rp/cb?logout=get","backchannel_logout_uri":"https://rp/cb?logout=backchannel","id_token_token_binding_cnf":"tbh","z":1}`
	if string(b) != want {
		t.Errorf("registration request\n got %s\nwant %s", b, want)
	}
	s.Registration.EndpointJSON = `[1]`
	if _, err := registrationRequest(s, "https://rp/cb"); err == nil {
		t.Errorf("a JSON array was merged")
	}
}

// TestChoicePagePreservesPost: with OIDCPreservePost a form POST is kept
// in sessionStorage on the choice page (method form_post), and the
// OIDCDiscoverURL redirect becomes the "Preserving..." page.
func TestChoicePagePreservesPost(t *testing.T) {
	m := newMultiHarness(t, nil)
	m.harness.dir.PreservePost = true
	post := func() response {
		r := httptest.NewRequest("POST", "http://www.example.com/form", strings.NewReader("a=1&b=x+y"))
		r.RequestURI = "/form"
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Accept", "text/html")
		rec := httptest.NewRecorder()
		res := m.rp.Authenticate(rec, &Request{HTTP: r, Path: "/form", Dir: m.harness.dir, Env: map[string]string{}, Scheme: "http", Host: "www.example.com"})
		return response{res: res, rec: rec}
	}
	r := post()
	body := r.rec.Body.String()
	for _, want := range []string{`<body onload="preserveOnLoad()">`, "sessionStorage.setItem('mod_auth_openidc_preserve_post_params', JSON.stringify({ 'a': '1','b': 'x%20y' }));\n              }\n",
		`name="method" value="form_post"`, "&amp;method=form_post&amp;"} {
		if !strings.Contains(body, want) {
			t.Errorf("choice page lacks %q:\n%s", want, body)
		}
	}
	m.harness.dir.DiscoverURL = "https://disco.example/"
	r = post()
	if body := r.rec.Body.String(); !strings.Contains(body, "<title>Preserving...</title>") || !strings.Contains(body, `window.location='https:\/\/disco.example\/?target_link_uri=`) {
		t.Errorf("OIDCDiscoverURL with a preserved POST:\n%s", body)
	}
}

// TestWebFingerDiscovery: an account name (iss=user@domain) and a user URL
// (disc_user=) are resolved with WebFinger at https://domain; the first
// link's https href is the issuer, and the account is the login_hint.
func TestWebFingerDiscovery(t *testing.T) {
	m := newMultiHarness(t, nil)
	var resources []string
	href := m.tlsOP.issuer
	wf := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/webfinger" || r.URL.Query().Get("rel") != "http://openid.net/specs/connect/1.0/issuer" {
			http.NotFound(w, r)
			return
		}
		resources = append(resources, r.URL.Query().Get("resource"))
		_, _ = w.Write([]byte(`{"subject":"x","links":[{"rel":"http://openid.net/specs/connect/1.0/issuer","href":"` + href + `"}]}`))
	}))
	defer wf.Close()
	domain := strings.TrimPrefix(wf.URL, "https://")
	tl := "&target_link_uri=" + escape("http://www.example.com/")
	r := m.do("GET", "/redirect_uri?iss="+escape("bob@"+domain)+tl, nil)
	if !strings.HasPrefix(r.res.Location, m.tlsOP.issuer+"/authorize?") || mustQuery(t, r.res.Location).Get("login_hint") != "bob@"+domain {
		t.Fatalf("account discovery: %d %q", r.res.Status, r.res.Location)
	}
	r = m.do("GET", "/redirect_uri?disc_user="+escape(domain+"/bob")+tl, nil)
	if !strings.HasPrefix(r.res.Location, m.tlsOP.issuer+"/authorize?") || mustQuery(t, r.res.Location).Get("login_hint") != domain+"/bob" {
		t.Fatalf("URL discovery: %d %q", r.res.Status, r.res.Location)
	}
	if len(resources) != 2 || resources[0] != "acct:bob@"+domain || resources[1] != "https://"+domain+"/bob" {
		t.Errorf("WebFinger resources %q", resources)
	}
	href = "http://plain.example" // not https: refused
	r = m.do("GET", "/redirect_uri?iss="+escape("bob@"+domain)+tl, nil)
	if !strings.Contains(r.rec.Body.String(), "Could not resolve the provided account name") {
		t.Errorf("http href accepted: %d %q", r.res.Status, r.res.Location)
	}
}

// TestProviderResponseType: a provider whose .conf or registration asks
// for another flow than code is refused (only the code flow is
// implemented) rather than logged in with the wrong flow.
func TestProviderResponseType(t *testing.T) {
	m := newMultiHarness(t, nil)
	tl := "&target_link_uri=" + escape("http://www.example.com/")
	m.writeFile(m.op2.issuer, "client", `{"client_id":"client1","client_secret":"s3cret","response_types":["id_token","code"]}`)
	if r := m.do("GET", "/redirect_uri?iss="+escape(m.op2.issuer)+tl, nil); r.res.Status != http.StatusFound {
		t.Fatalf("code among the client's response types: %d", r.res.Status)
	}
	for _, c := range []struct{ file, content string }{
		{"client", `{"client_id":"client1","client_secret":"s3cret","response_types":["id_token"]}`},
		{"conf", `{"response_type":"code id_token"}`},
	} {
		m.writeFile(m.op2.issuer, "client", `{"client_id":"client1","client_secret":"s3cret"}`)
		m.writeFile(m.op2.issuer, c.file, c.content)
		if r := m.do("GET", "/redirect_uri?iss="+escape(m.op2.issuer)+tl, nil); r.res.Location != "" || !strings.Contains(r.rec.Body.String(), "Could not find valid provider metadata") {
			t.Errorf(".%s %s: %d %q", c.file, c.content, r.res.Status, r.res.Location)
		}
	}
}

func TestCheckMetadataDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("good.example.provider", `{"issuer":"https://good.example","authorization_endpoint":"https://good.example/a"}`)
	write("good.example.client", `{"client_id":"c"}`)
	write("good.example.conf", `{"scope":"openid","token_binding_policy":"required","request_object":"{}"}`)
	write("reg.example.provider", `{"issuer":"https://reg.example","authorization_endpoint":"https://reg.example/a","registration_endpoint":"https://reg.example/r"}`)
	write("127.0.0.1%3A9.provider", `{"issuer":"http://127.0.0.1:9","authorization_endpoint":"http://127.0.0.1:9/a"}`)
	write("127.0.0.1%3A9.client", `{"client_id":"c","response_types":["id_token"]}`)
	write("wrong-name.provider", `{"issuer":"https://other.example","authorization_endpoint":"https://other.example/a"}`)
	write("bad.example.provider", `{"issuer":"https://bad.example"}`)
	var got []string
	for _, p := range CheckMetadataDir(dir, time.Unix(1_800_000_000, 0)) {
		got = append(got, fmt.Sprintf("%v %s: %s", p.Error, filepath.Base(p.File), p.Msg))
	}
	want := []string{
		`false 127.0.0.1%3A9.provider: an http issuer is not listed on the choice page`,
		`true 127.0.0.1%3A9.client: response_types id_token lack code`,
		`true bad.example.provider: `,
		`false good.example.conf: "request_object" is not honoured`,
		`false good.example.conf: "token_binding_policy" is not honoured`,
		`false reg.example.client: absent: the relying party registers itself at https://reg.example/r`,
		`true wrong-name.provider: the file name does not match the issuer https://other.example`,
		`true wrong-name.client: absent, and the provider has no registration_endpoint`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d:\n got %s\nwant %s…", i, got[i], want[i])
		}
	}
}
