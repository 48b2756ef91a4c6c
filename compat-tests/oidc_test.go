package compattests

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/oidc/*.golden from the real Apache + mod_auth_openidc")

// The OIDC relying-party differential tests: scripted browser scenarios
// against a front end (a "target") that runs oidcConf in front of
// claimBackend, with the real OpenID Provider (op/provider.js). Each
// scenario returns a normalised transcript; the real Apache +
// mod_auth_openidc 2.4.12.3 transcript is the golden in testdata/oidc.
//
// Adding a target (e.g. oidcgate): allocate its ports with env.addTarget
// *before* newOIDCEnv starts the OP (the OP must know the redirect URIs),
// write oidcConf(...) for it, start it, and run
//
//	for _, sc := range oidcScenarios { got := runScenario(t, tgt, sc) ... }
//
// comparing got with the golden file exactly as TestOIDCApache does.

// Variants are virtual hosts of one front end, each on its own port.
//   - default: seed 000's shape, ProxyPass inside <Location />, so the
//     redirect URI is under the proxy too; OIDCInfoHook set.
//   - samesite: the same with OIDCCookieSameSite On (and
//     OIDCXForwardedHeaders X-Forwarded-Proto, to see it over "https").
//   - exclude: ProxyPass at server level with "ProxyPass /redirect_uri !"
//     before it (the shape the module's documentation uses); OIDCInfoHook
//     set; OIDCXForwardedHeaders X-Forwarded-Proto X-Forwarded-Host
//     X-Forwarded-Port.
//   - post: client "oidcgate-post" with OIDCProviderTokenEndpointAuth
//     client_secret_post, OIDCPassIDTokenAs claims payload serialized,
//     OIDCPassUserInfoAs claims json.
//   - jwt: client "oidcgate-jwt" with OIDCProviderTokenEndpointAuth
//     client_secret_jwt.
//   - pkjwt: client "oidcgate-pkjwt" with OIDCProviderTokenEndpointAuth
//     private_key_jwt, the key and certificate of testdata/pkjwt as
//     OIDCPrivateKeyFiles and OIDCPublicKeyFiles (no kid: the derived one),
//     and a second public key (kid other-key) that ?jwks also publishes.
var oidcVariants = []string{"default", "samesite", "exclude", "post", "jwt", "pkjwt"}

// oidcTarget is one front end under test.
type oidcTarget struct {
	Name    string
	Base    map[string]string // variant -> "http://127.0.0.1:PORT"
	Env     *oidcEnv
	Backend *claimBackend
	// Callback: variant -> the path of its OIDCRedirectURI when it is not
	// /redirect_uri (the seed configs, oidcseed_test.go).
	Callback map[string]string
	// Extra is configuration added at the end of every variant's virtual
	// host (tests of their own use it; the golden scenarios leave it "").
	Extra string
	// Modules are Apache modules loaded besides oidcConf's own (tests of
	// their own use it, e.g. authz_host for Require ip).
	Modules []string
}

// callback is the path of variant's redirect URI.
func (tg *oidcTarget) callback(variant string) string {
	if p, ok := tg.Callback[variant]; ok {
		return p
	}
	return "/redirect_uri"
}

// variants are tg's variants, sorted.
func (tg *oidcTarget) variants() []string {
	var vs []string
	for v := range tg.Base {
		vs = append(vs, v)
	}
	sort.Strings(vs)
	return vs
}

// oidcEnv is what all targets share: the OP and the recording backend.
type oidcEnv struct {
	OP      *opServer
	Backend *claimBackend
	Targets map[string]*oidcTarget
}

// newOIDCEnv allocates ports for the named targets, starts the backend and
// the OP with every target's redirect URI registered.
func newOIDCEnv(t *testing.T, targets ...string) *oidcEnv {
	env := &oidcEnv{Backend: newClaimBackend(t), Targets: map[string]*oidcTarget{}}
	var redirects []string
	for _, name := range targets {
		tg := &oidcTarget{Name: name, Base: map[string]string{}, Env: env, Backend: env.Backend}
		for _, v := range oidcVariants {
			tg.Base[v] = "http://" + freePort(t)
			// and as seen behind a TLS-terminating proxy (X-Forwarded-Proto)
			redirects = append(redirects, tg.Base[v]+"/redirect_uri", "https://"+strings.TrimPrefix(tg.Base[v], "http://")+"/redirect_uri")
		}
		env.Targets[name] = tg
	}
	env.OP = startOP(t, redirects...)
	return env
}

// oidcConf renders the front end's configuration (the shape of seed 000):
// one virtual host per variant.
func oidcConf(tg *oidcTarget, dir string) string {
	var b strings.Builder
	b.WriteString(loadModules(append([]string{"mpm_event", "authz_core", "authn_core", "authz_user", "proxy", "proxy_http", "headers", "auth_openidc"}, tg.Modules...)...))
	fmt.Fprintf(&b, `ServerName rp.example
User nobody
Group nogroup
ErrorLog %[1]s/error.log
LogLevel warn auth_openidc:info
PidFile %[1]s/pid
DefaultRuntimeDir %[1]s

OIDCProviderMetadataURL %[2]s/.well-known/openid-configuration
OIDCClientID oidcgate
OIDCClientSecret secret
OIDCRedirectURI /redirect_uri
OIDCCryptoPassphrase compat-tests-passphrase
OIDCPassUserInfoAs claims
`, dir, tg.Env.OP.Issuer)
	for _, v := range oidcVariants {
		addr := strings.TrimPrefix(tg.Base[v], "http://")
		fmt.Fprintf(&b, "\nListen %s\n<VirtualHost %s>\n  ServerName rp.example\n  ProxyPreserveHost On\n", addr, addr)
		switch v {
		case "default":
			b.WriteString("  OIDCInfoHook iat access_token access_token_expires id_token userinfo refresh_token session\n")
		case "post":
			b.WriteString("  OIDCClientID oidcgate-post\n  OIDCProviderTokenEndpointAuth client_secret_post\n")
			b.WriteString("  OIDCPassIDTokenAs claims payload serialized\n  OIDCPassUserInfoAs claims json\n")
		case "jwt":
			b.WriteString("  OIDCClientID oidcgate-jwt\n  OIDCClientSecret secret-for-client-secret-jwt-at-least-32-bytes\n  OIDCProviderTokenEndpointAuth client_secret_jwt\n")
		case "pkjwt":
			key, _ := filepath.Abs("testdata/pkjwt/client.key")
			crt, _ := filepath.Abs("testdata/pkjwt/client.crt")
			other, _ := filepath.Abs("testdata/pkjwt/other.pub")
			fmt.Fprintf(&b, "  OIDCClientID oidcgate-pkjwt\n  OIDCPrivateKeyFiles %s\n  OIDCPublicKeyFiles %s other-key#%s\n  OIDCProviderTokenEndpointAuth private_key_jwt\n", key, crt, other)
		case "samesite":
			b.WriteString("  OIDCCookieSameSite On\n  OIDCXForwardedHeaders X-Forwarded-Proto\n")
		}
		proxyInLocation := "    ProxyPass http://" + tg.Backend.Addr() + "/\n"
		if v == "exclude" {
			b.WriteString("  OIDCInfoHook iat access_token access_token_expires id_token userinfo refresh_token session\n")
			b.WriteString("  OIDCXForwardedHeaders X-Forwarded-Proto X-Forwarded-Host X-Forwarded-Port\n")
		}
		if v == "exclude" || v == "pkjwt" {
			// (pkjwt: so that the module answers ?jwks itself)
			fmt.Fprintf(&b, "  ProxyPass /redirect_uri !\n  ProxyPass / http://%s/\n", tg.Backend.Addr())
			proxyInLocation = ""
		}
		fmt.Fprintf(&b, `  <Location />
    AuthType openid-connect
    Require valid-user
    OIDCPassClaimsAs headers
    OIDCPassRefreshToken On
%s  </Location>
  <Location /both/>
    OIDCPassClaimsAs both
    RequestHeader set X-Env-Claim-Email "%%{OIDC_CLAIM_email}e"
    RequestHeader set X-Env-Claim-Name "%%{OIDC_CLAIM_name}e"
    RequestHeader set X-Env-Access-Token-Expires "%%{OIDC_access_token_expires}e"
  </Location>
  <Location /verified/>
    Require claim email_verified:true
  </Location>
  <Location /public/>
    Require all granted
  </Location>
%s</VirtualHost>
`, proxyInLocation, tg.Extra)
	}
	return b.String()
}

// startApacheOIDC starts the real Apache on oidcConf and stops it when the
// test ends.
func startApacheOIDC(t *testing.T, tg *oidcTarget) {
	t.Helper()
	requireApache(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	file := filepath.Join(dir, "oidc.conf")
	if err := os.WriteFile(file, []byte(oidcConf(tg, dir)), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, apacheBin, "-d", dir, "-f", file, "-t"); r.code != 0 {
		t.Fatalf("apache2 -t: %s", r.stderr)
	}
	cmd := exec.Command(apacheBin, "-d", dir, "-f", file, "-DFOREGROUND")
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() || testing.Verbose() {
			b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("apache error.log:\n%s", b)
		}
	})
	for _, base := range tg.Base {
		waitListening(t, strings.TrimPrefix(base, "http://"))
	}
}

// claimBackend records what the proxied requests carry, with the header
// names and their order exactly as received (net/http would canonicalise
// OIDC_CLAIM_email to Oidc_claim_email). It is a minimal HTTP/1.1 server:
// requests without a body or with a Content-Length, keep-alive.
type claimBackend struct {
	mu   sync.Mutex
	last *rawRequest
	ln   net.Listener
	wg   sync.WaitGroup
}

// rawRequest is a request as the backend received it.
type rawRequest struct {
	Method, RequestURI string
	Headers            [][2]string // name, value; in order
}

func (r *rawRequest) get(name string) string {
	for _, h := range r.Headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

func newClaimBackend(t *testing.T) *claimBackend {
	b := &claimBackend{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.ln = ln
	var conns sync.Map
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Store(c, true)
			b.wg.Add(1)
			go func() {
				defer b.wg.Done()
				defer conns.Delete(c)
				b.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		conns.Range(func(k, _ any) bool { k.(net.Conn).Close(); return true })
		b.wg.Wait()
	})
	return b
}

func (b *claimBackend) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	for i := 0; i < 1000; i++ {
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return
		}
		r := &rawRequest{Method: f[0], RequestURI: f[1]}
		length := 0
		for j := 0; ; j++ {
			l, err := br.ReadString('\n')
			if err != nil || j > 500 {
				return
			}
			l = strings.TrimRight(l, "\r\n")
			if l == "" {
				break
			}
			k, v, _ := strings.Cut(l, ":")
			v = strings.TrimSpace(v)
			r.Headers = append(r.Headers, [2]string{k, v})
			if strings.EqualFold(k, "Content-Length") {
				fmt.Sscan(v, &length)
			}
		}
		if length > 0 {
			if _, err := io.CopyN(io.Discard, br, int64(length)); err != nil {
				return
			}
		}
		b.mu.Lock()
		b.last = r
		b.mu.Unlock()
		var body strings.Builder
		fmt.Fprintf(&body, "backend saw %s %s\n", r.Method, r.RequestURI)
		for _, h := range r.Headers {
			fmt.Fprintf(&body, "%s: %s\n", h[0], h[1])
		}
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s", body.Len(), body.String())
	}
}

func (b *claimBackend) Addr() string { return b.ln.Addr().String() }

func (b *claimBackend) take() *rawRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.last
	b.last = nil
	return r
}

func sortedHeaders(h http.Header) []string { // response headers

	var out []string
	for k, vs := range h {
		for _, v := range vs {
			out = append(out, k+": "+v)
		}
	}
	sort.Strings(out)
	return out
}

// ---- normalisation ----

// normaliser replaces volatile values in a transcript.
type normaliser struct {
	repl [][2]string // literal replacements, applied in order
}

func newNormaliser(tg *oidcTarget) *normaliser {
	n := &normaliser{}
	// add replaces from by prefix+placeholder, and its query-escaped form
	// by the escaped prefix and the placeholder as is.
	add := func(from, prefix, placeholder string) {
		n.repl = append(n.repl, [2]string{from, prefix + placeholder},
			[2]string{url.QueryEscape(from), url.QueryEscape(prefix) + placeholder})
	}
	for _, v := range tg.variants() {
		add(tg.Base[v], "http://", "${RP}")
	}
	add(tg.Env.OP.Issuer, "http://", "${OP}")
	add(tg.Backend.Addr(), "", "${BACKEND}")
	for _, v := range tg.variants() {
		_, port, _ := net.SplitHostPort(strings.TrimPrefix(tg.Base[v], "http://"))
		add("127.0.0.1:"+port, "", "${RP}")
		add("Port "+port, "Port ", "${RP_PORT}")
	}
	return n
}

var (
	jwtRE  = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?`)
	dateRE = regexp.MustCompile(`[A-Z][a-z]{2}, \d{2}[ -][A-Z][a-z]{2}[ -]\d{4} \d{2}:\d{2}:\d{2} GMT`)
	// jsonVolatileRE: a JSON member (possibly inside a JSON-encoded
	// string, with escaped quotes) whose value is a time or random.
	jsonVolatileRE = regexp.MustCompile(`(\\?")(iat|exp|auth_time|nbf|updated_at|access_token_expires|ate|atlr|se|e|nonce|at_hash|c_hash|jti|rs|at|rt|i|uuid|access_token|refresh_token|code|state|session_state)(\\?"):(\s*)(\\?")?([A-Za-z0-9_.-]+)(\\?")?`)
	b64urlRE       = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	hexRE          = regexp.MustCompile(`^[0-9a-fA-F]+$`)
	unixRE         = regexp.MustCompile(`^\d{10}$`)
	cookieRE       = regexp.MustCompile(`\b(mod_auth_openidc_[A-Za-z0-9_-]*)=([^;\s"]+)`)
	paramRE        = regexp.MustCompile(`\b(state|nonce|code|code_challenge|session_state|id_token_hint|revoke_session)=([A-Za-z0-9_.%-]+)`)
)

// shape describes a volatile value by its form: "<43 b64url>", "<32 hex>",
// "<unix time>", "<JWT RS256 ...>", or "<N chars>".
func shape(v string) string {
	switch {
	case v == "":
		return "<empty>"
	case unixRE.MatchString(v):
		return "<unix time>"
	case jwtRE.FindString(v) == v:
		return jwtShape(v)
	case hexRE.MatchString(v) && len(v) >= 16:
		return fmt.Sprintf("<%d hex>", len(v))
	case b64urlRE.MatchString(v):
		return fmt.Sprintf("<%d b64url>", len(v))
	}
	return fmt.Sprintf("<%d chars>", len(v))
}

// jwtShape: a JWS as its alg and payload claim names in order; a JWE
// (five parts) as its protected header's alg and enc.
func jwtShape(v string) string {
	parts := strings.Split(v, ".")
	hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var h struct{ Alg, Enc, Typ string }
	json.Unmarshal(hdr, &h)
	if len(parts) == 5 {
		return fmt.Sprintf("<JWE alg=%s enc=%s>", h.Alg, h.Enc)
	}
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	return fmt.Sprintf("<JWS alg=%s typ=%s claims=%s>", h.Alg, h.Typ, strings.Join(jsonKeys(payload), ","))
}

// jsonKeys returns an object's top-level keys in order.
func jsonKeys(b []byte) []string {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	var keys []string
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return keys
		}
		keys = append(keys, fmt.Sprint(k))
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
}

// text normalises free text: the addresses, dates, embedded JWTs and JSON
// members known to be volatile.
func (n *normaliser) text(s string) string {
	for _, r := range n.repl {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	s = cookieRE.ReplaceAllStringFunc(s, func(m string) string {
		k, v, _ := strings.Cut(m, "=")
		if rest, ok := strings.CutPrefix(k, "mod_auth_openidc_state_"); ok {
			k = "mod_auth_openidc_state_" + shape(rest)
		}
		return k + "=" + shape(v)
	})
	s = jwtRE.ReplaceAllStringFunc(s, jwtShape)
	s = dateRE.ReplaceAllStringFunc(s, func(d string) string {
		if strings.HasPrefix(d, "Thu, 01 Jan 1970") || strings.HasPrefix(d, "Thu, 01-Jan-1970") {
			return d
		}
		return "<date>"
	})
	s = paramRE.ReplaceAllStringFunc(s, func(m string) string {
		k, v, _ := strings.Cut(m, "=")
		return k + "=" + shape(v)
	})
	s = jsonVolatileRE.ReplaceAllStringFunc(s, func(m string) string {
		sm := jsonVolatileRE.FindStringSubmatch(m)
		return sm[1] + sm[2] + sm[3] + ":" + sm[4] + sm[5] + shape(sm[6]) + sm[7]
	})
	return s
}

// volatileParams are query parameters whose values are random.
var volatileParams = map[string]bool{"state": true, "nonce": true, "code": true, "code_challenge": true,
	"session_state": true, "id_token_hint": true, "xsrf": true, "code_verifier": true, "refresh_token": true,
	"token": true, "access_token": true}

// location renders a Location header: the URL before the query, then each
// query parameter on its own line, in order, raw (as sent), volatile
// values replaced by their shape.
func (n *normaliser) location(loc string) string {
	base, q, hasQ := strings.Cut(loc, "?")
	out := n.text(base)
	if !hasQ {
		return out
	}
	for i, p := range strings.Split(q, "&") {
		k, v, hasEq := strings.Cut(p, "=")
		if volatileParams[k] {
			dv, err := url.QueryUnescape(v)
			if err != nil {
				dv = v
			}
			v = shape(dv)
		} else {
			v = n.text(v)
		}
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		if !hasEq {
			// a bare parameter ("&flag") stays bare: "flag" and "flag="
			// are different URLs
			out += "\n    " + sep + k
			continue
		}
		out += "\n    " + sep + k + "=" + v
	}
	return out
}

// cookie renders a Set-Cookie header: the name (a random part replaced by
// its shape), the value's shape, the attributes as sent (dates replaced).
func (n *normaliser) cookie(c string) string {
	nv, attrs, _ := strings.Cut(c, ";")
	name, val, _ := strings.Cut(nv, "=")
	if rest, ok := strings.CutPrefix(name, "mod_auth_openidc_state_"); ok {
		name = "mod_auth_openidc_state_" + shape(rest)
	}
	v := shape(val)
	if val == "" {
		v = ""
	}
	out := name + "=" + v
	if attrs != "" {
		out += ";" + n.text(attrs)
	}
	return out
}

// volatileHeaders are backend request headers whose whole value is random
// or a time.
var volatileHeaders = map[string]bool{"oidc_access_token": true, "oidc_refresh_token": true, "oidc_id_token": true,
	"oidc_access_token_expires": true, "oidc_claim_nonce": true, "oidc_claim_at_hash": true, "oidc_claim_sid": true,
	"oidc_claim_iat": true, "oidc_claim_exp": true, "oidc_claim_auth_time": true, "oidc_claim_jti": true,
	"x-env-access-token-expires": true}

// backendHeaders renders what the backend received, in the order received.
func (n *normaliser) backendHeaders(r *rawRequest) string {
	var lines []string
	for _, h := range r.Headers {
		k, v := h[0], h[1]
		switch {
		case volatileHeaders[strings.ToLower(k)] && (len(v) >= 16 || unixRE.MatchString(v)):
			// (short values are what a test sent itself, e.g. spoofed)
			v = shape(v)
		case strings.EqualFold(k, "Cookie"):
			var cs []string
			for _, c := range strings.Split(v, "; ") {
				cn, cv, _ := strings.Cut(c, "=")
				if rest, ok := strings.CutPrefix(cn, "mod_auth_openidc_state_"); ok {
					cn = "mod_auth_openidc_state_" + shape(rest)
				}
				cs = append(cs, cn+"="+shape(cv))
			}
			v = strings.Join(cs, "; ")
		default:
			v = n.text(v)
		}
		lines = append(lines, fmt.Sprintf("  %s: %q", k, v))
	}
	return strings.Join(lines, "\n")
}

// ---- scenarios ----

// scen runs one scenario against a target and writes its transcript.
type scen struct {
	t   *testing.T
	tg  *oidcTarget
	n   *normaliser
	out strings.Builder
}

// responseHeaders are compared; Date, Server, Content-Length, Connection
// and Keep-Alive are not.
var skipResponseHeaders = map[string]bool{"Date": true, "Server": true, "Content-Length": true,
	"Connection": true, "Keep-Alive": true, "Set-Cookie": true, "Location": true}

func (s *scen) note(format string, a ...any) { fmt.Fprintf(&s.out, "# "+format+"\n", a...) }

// send sends one request to the target (variant's base + path) through the
// browser c (nil: a fresh client without cookies) and writes it to the
// transcript: status, Location, Set-Cookie, other headers, then what the
// backend received (or the body when nothing was proxied).
func (s *scen) send(c *http.Client, variant, method, path string, hdr map[string]string) hop {
	s.t.Helper()
	if c == nil {
		c = newBrowser(s.t)
	}
	hdr = copyHdr(hdr)
	if _, ok := hdr["User-Agent"]; !ok {
		hdr["User-Agent"] = "compat-tests"
	}
	s.tg.Backend.take()
	h := do(s.t, c, method, s.tg.Base[variant]+path, nil, hdr)
	s.record(h, variant, path, hdr)
	return h
}

func (s *scen) record(h hop, variant, path string, hdr map[string]string) {
	var hs []string
	for k, v := range hdr {
		if k != "User-Agent" {
			hs = append(hs, k+": "+v)
		}
	}
	sort.Strings(hs)
	fmt.Fprintf(&s.out, "> %s [%s] %s\n", h.Method, variant, s.n.text(path))
	for _, l := range hs {
		fmt.Fprintf(&s.out, ">   %s\n", s.n.text(l))
	}
	fmt.Fprintf(&s.out, "< %d\n", h.Status)
	if h.Location != "" {
		fmt.Fprintf(&s.out, "<   Location: %s\n", s.n.location(h.Location))
	}
	for _, c := range h.SetCookies {
		fmt.Fprintf(&s.out, "<   Set-Cookie: %s\n", s.n.cookie(c))
	}
	var names []string
	for k := range h.Header {
		if !skipResponseHeaders[k] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range h.Header[k] {
			fmt.Fprintf(&s.out, "<   %s: %s\n", k, s.n.text(v))
		}
	}
	if r := s.tg.Backend.take(); r != nil {
		fmt.Fprintf(&s.out, "  backend: %s %s\n%s\n", r.Method, s.n.text(r.RequestURI), s.n.backendHeaders(r))
	}
	// The body, unless it is the backend's page (a module-generated page
	// can precede a proxied request on the same connection).
	if h.Body != "" && !strings.HasPrefix(h.Body, "backend saw ") {
		body := s.n.text(h.Body)
		fmt.Fprintf(&s.out, "  body (%d bytes):\n%s\n", len(h.Body), indent(body, "  | "))
	}
	s.out.WriteString("\n")
}

// sendRaw sends one request on its own connection (Connection: close,
// the cookies c holds for the target) and records the response like send,
// plus whatever else Apache writes on the connection after it: for some
// module-generated responses Apache also runs the handler or writes an
// error document, which a browser never sees as a response.
func (s *scen) sendRaw(c *http.Client, variant, method, path string, hdr map[string]string) {
	s.t.Helper()
	s.tg.Backend.take()
	base := s.tg.Base[variant]
	u, _ := url.Parse(base + path)
	var req strings.Builder
	fmt.Fprintf(&req, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: compat-tests\r\nConnection: close\r\n", method, path, u.Host)
	var keys []string
	for k := range hdr {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k != "User-Agent" {
			fmt.Fprintf(&req, "%s: %s\r\n", k, hdr[k])
		}
	}
	if c != nil && c.Jar != nil {
		var cs []string
		for _, ck := range c.Jar.Cookies(u) {
			cs = append(cs, ck.Name+"="+ck.Value)
		}
		if len(cs) > 0 {
			fmt.Fprintf(&req, "Cookie: %s\r\n", strings.Join(cs, "; "))
		}
	}
	req.WriteString("\r\n")
	conn, err := net.DialTimeout("tcp", u.Host, 2*time.Second)
	if err != nil {
		s.t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(conn, req.String())
	all, _ := io.ReadAll(io.LimitReader(conn, 1<<20))
	br := bufio.NewReader(strings.NewReader(string(all)))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		s.t.Fatalf("%s %s: %v\n%s", method, path, err, all)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	rest, _ := io.ReadAll(br)
	h := hop{Method: method, URL: base + path, Status: resp.StatusCode, Location: resp.Header.Get("Location"),
		SetCookies: resp.Header.Values("Set-Cookie"), Header: resp.Header, Body: string(body)}
	if c != nil && c.Jar != nil {
		c.Jar.SetCookies(u, resp.Cookies())
	}
	if os.Getenv("OIDC_RAW") != "" {
		s.t.Logf("raw response to %s %s:\n%s", method, path, all)
	}
	s.record(h, variant, path, hdr)
	if len(rest) > 0 {
		fmt.Fprintf(&s.out, "  then, on the same connection, %d more bytes:\n%s\n\n", len(rest), indent(s.n.text(strings.ReplaceAll(string(rest), "\r\n", "\n")), "  ! "))
	}
}

func indent(s, p string) string {
	s = strings.TrimSuffix(s, "\n")
	return p + strings.ReplaceAll(s, "\n", "\n"+p)
}

// loginAs runs the whole browser login from variant+path as user and
// writes the relying party's hops to the transcript (the OP's hops only as
// method, path and status: they are the OP's business).
func (s *scen) loginAs(c *http.Client, variant, path, user string) []hop {
	s.t.Helper()
	s.tg.Backend.take()
	s.tg.Env.OP.backchannel(s.t) // forget earlier calls
	uidRE := regexp.MustCompile(`/[A-Za-z0-9_-]{20,}`)
	return loginHops(s.t, c, s.tg.Base[variant]+path, user, s.tg.Env.OP.Issuer, func(h hop) {
		if strings.HasPrefix(h.URL, s.tg.Env.OP.Issuer) {
			u, _ := url.Parse(h.URL)
			fmt.Fprintf(&s.out, "> (OP) %s %s -> %d\n", h.Method, uidRE.ReplaceAllString(u.Path, "/<uid>"), h.Status)
			s.tg.Backend.take()
			return
		}
		rel := strings.TrimPrefix(h.URL, s.tg.Base[variant])
		cb := s.tg.callback(variant)
		isCallback := strings.HasPrefix(rel, cb+"?") || rel == cb
		if strings.HasPrefix(rel, cb+"?") {
			// Show the callback's parameters like a Location.
			rel = s.n.location(rel)
		}
		s.record(h, variant, rel, browserHdr)
		if isCallback {
			s.backchannel()
			s.out.WriteString("\n")
		}
	})
}

// backchannel writes the relying party's calls to the OP since the last
// call (token, userinfo, revocation...; not discovery and JWKS, which
// depend on what the front end has cached). The User-Agent is not written.
func (s *scen) backchannel() {
	s.t.Helper()
	for _, r := range s.tg.Env.OP.backchannel(s.t) {
		if r.Path == "/.well-known/openid-configuration" || r.Path == "/jwks" {
			continue
		}
		fmt.Fprintf(&s.out, "  (OP backchannel) %s %s -> %d\n", r.Method, r.Path, r.Status)
		if r.Auth != "" {
			fmt.Fprintf(&s.out, "    Authorization: %s\n", r.Auth)
		}
		if r.ContentType != "" {
			fmt.Fprintf(&s.out, "    Content-Type: %s\n", r.ContentType)
		}
		for _, kv := range append(r.Query, r.Body...) {
			v := kv[1]
			if volatileParams[kv[0]] {
				v = shape(v)
			} else {
				v = s.n.text(v)
			}
			if h := assertionHeader(kv); h != "" {
				v += " header " + h
			}
			fmt.Fprintf(&s.out, "    %s=%s\n", kv[0], v)
		}
	}
}

// assertionHeader is the JOSE header of a private_key_jwt client
// assertion as sent (its kid and x5t are those of the fixed test key), ""
// for any other parameter.
func assertionHeader(kv [2]string) string {
	if kv[0] != "client_assertion" {
		return ""
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(kv[1], ".")[0])
	if strings.Contains(string(hdr), `"HS256"`) {
		return ""
	}
	return string(hdr)
}

type oidcScenario struct {
	Name string
	Run  func(s *scen)
}

// runScenario runs sc against tg and returns its normalised transcript.
func runScenario(t *testing.T, tg *oidcTarget, sc oidcScenario) string {
	s := &scen{t: t, tg: tg, n: newNormaliser(tg)}
	sc.Run(s)
	return s.out.String()
}

// browserHdr is what a browser navigation sends that matters here.
var browserHdr = map[string]string{"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "User-Agent": "compat-tests"}

func copyHdr(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

var oidcScenarios = []oidcScenario{
	{"a-unauthenticated-redirect", func(s *scen) {
		s.note("an unauthenticated browser GET: the redirect to the OP and the state cookie")
		h := s.send(nil, "default", "GET", "/some/path?x=1&y=%20z", browserHdr)
		loc, _ := url.Parse(h.Location)
		st := loc.Query().Get("state")
		named := false
		for _, c := range h.SetCookies {
			named = named || strings.HasPrefix(c, "mod_auth_openidc_state_"+st+"=")
		}
		s.note("state cookie name is mod_auth_openidc_state_ + the state parameter: %v", named)
		s.note("behind a TLS-terminating proxy: X-Forwarded-Proto/Host/Port (redirect_uri, Secure cookies)")
		s.note("(variant exclude has OIDCXForwardedHeaders X-Forwarded-Proto X-Forwarded-Host X-Forwarded-Port)")
		for _, v := range []string{"default", "exclude"} {
			s.send(nil, v, "GET", "/fw", copyHdr(browserHdr, "X-Forwarded-Proto", "https"))
			s.send(nil, v, "GET", "/fw", copyHdr(browserHdr, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "app.example.com"))
			s.send(nil, v, "GET", "/fw", copyHdr(browserHdr, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "app.example.com", "X-Forwarded-Port", "8443"))
		}
		s.note("encoded and odd characters in the original URL (the fragment is never sent)")
		s.send(nil, "default", "GET", "/a%20b/%C3%A4/%7Euser?q=%E2%82%AC&q=2&e=&flag&plus=a+b&amp=%26", browserHdr)
	}},
	{"b-login", func(s *scen) {
		s.note("the whole login as alice, then authenticated requests")
		c := newBrowser(s.t)
		s.loginAs(c, "default", "/some/path?x=1&y=%20z", "alice")
		s.note("a second authenticated request; claims passed as headers and environment (OIDCPassClaimsAs both)")
		s.send(c, "default", "GET", "/both/page", browserHdr)
	}},
	{"b2-login-odd-url", func(s *scen) {
		s.note("the original URL survives the login byte for byte?")
		c := newBrowser(s.t)
		s.loginAs(c, "default", "/a%20b/%C3%A4/%7Euser/?q=%E2%82%AC&q=2&e=&flag&plus=a+b&amp=%26&x=%2F", "alice")
		s.note("a POST that needs a login: 302 too? what URL comes back?")
		c = newBrowser(s.t)
		s.tg.Backend.take()
		h := do(s.t, c, "POST", s.tg.Base["default"]+"/form?p=1", url.Values{"a": {"b"}}, browserHdr)
		s.record(h, "default", "/form?p=1 (POST, form body a=b)", nil)
	}},
	{"c-unauthenticated-non-browser", func(s *scen) {
		s.note("unauthenticated requests that are not a top-level browser navigation")
		s.send(nil, "default", "GET", "/api/x", map[string]string{"X-Requested-With": "XMLHttpRequest"})
		s.send(nil, "default", "GET", "/api/x", map[string]string{"Accept": "application/json"})
		s.note("no Accept header at all")
		s.send(nil, "default", "GET", "/api/x", map[string]string{})
		s.send(nil, "default", "GET", "/api/x", map[string]string{"Accept": "*/*"})
		s.send(nil, "default", "GET", "/api/x", map[string]string{"Sec-Fetch-Mode": "cors"})
		s.send(nil, "default", "GET", "/api/x", map[string]string{"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"})
		s.note("a browser's Accept with the other signals")
		s.send(nil, "default", "GET", "/api/x", copyHdr(browserHdr, "X-Requested-With", "XMLHttpRequest"))
		s.send(nil, "default", "GET", "/api/x", copyHdr(browserHdr, "Sec-Fetch-Mode", "cors"))
		s.send(nil, "default", "GET", "/api/x", copyHdr(browserHdr, "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document"))
		s.send(nil, "default", "GET", "/api/x", map[string]string{"Accept": "application/json, text/html"})
		s.send(nil, "default", "HEAD", "/api/x", browserHdr)
		s.send(nil, "default", "POST", "/api/x", browserHdr)
	}},
	{"d-spoofed-headers", func(s *scen) {
		s.note("identity headers sent by the client")
		spoof := map[string]string{"OIDC_CLAIM_email": "evil@example.com", "oidc-claim-email": "evil2@example.com",
			"OIDC_access_token": "spoofed-token", "OIDC-CLAIM-name": "Evil", "X-Remote-User": "evil"}
		s.note("unauthenticated, on a location that needs no login (Require all granted)")
		s.send(nil, "default", "GET", "/public/x", spoof)
		c := newBrowser(s.t)
		s.loginAs(c, "default", "/start", "bob")
		s.note("authenticated")
		s.send(c, "default", "GET", "/app", spoof)
		s.send(c, "default", "GET", "/public/x", spoof)
	}},
	{"e-authz-failure", func(s *scen) {
		s.note("Require claim email_verified:true, user bob has email_verified false")
		c := newBrowser(s.t)
		s.loginAs(c, "default", "/verified/x", "bob")
		s.send(c, "default", "GET", "/verified/x", map[string]string{"X-Requested-With": "XMLHttpRequest"})
		s.note("alice has email_verified true")
		c = newBrowser(s.t)
		s.loginAs(c, "default", "/verified/x", "alice")
	}},
	{"f-redirect-uri", func(s *scen) {
		s.note("the redirect URI's other uses; in variant default the redirect URI is under ProxyPass, in exclude it is not")
		for _, v := range []string{"default", "exclude"} {
			s.note("variant %s, unauthenticated", v)
			s.sendRaw(nil, v, "GET", "/redirect_uri", browserHdr)
			s.sendRaw(nil, v, "GET", "/redirect_uri?info=json", browserHdr)
			s.sendRaw(nil, v, "GET", "/redirect_uri?logout=%2Flocal", browserHdr)
			c := newBrowser(s.t)
			s.loginAs(c, v, "/start", "alice")
			s.note("variant %s, authenticated", v)
			s.sendRaw(c, v, "GET", "/redirect_uri", browserHdr)
			s.sendRaw(c, v, "GET", "/redirect_uri?info=json", browserHdr)
			s.sendRaw(c, v, "GET", "/redirect_uri?info=html", browserHdr)
			s.sendRaw(c, v, "GET", "/redirect_uri?info=xml", browserHdr)
			s.sendRaw(c, v, "GET", "/redirect_uri?logout=https%3A%2F%2Fevil.example%2F", browserHdr)
			s.note("still logged in after the foreign logout?")
			s.send(c, v, "GET", "/after-foreign-logout", browserHdr)
			s.send(c, v, "GET", "/redirect_uri?logout=%2Flocal", browserHdr)
			s.note("after logout")
			s.send(c, v, "GET", "/after-logout", browserHdr)
		}
	}},
	{"f2-logout-at-op", func(s *scen) {
		s.note("logout to an absolute URL on the same host, confirmed at the OP")
		c := newBrowser(s.t)
		s.loginAs(c, "default", "/start", "alice")
		h := s.send(c, "default", "GET", "/redirect_uri?logout="+url.QueryEscape(s.tg.Base["default"]+"/logged-out"), browserHdr)
		if !strings.HasPrefix(h.Location, s.tg.Env.OP.Issuer) {
			s.t.Errorf("logout did not go to the OP: %q", h.Location)
			return
		}
		s.backchannel()
		p := do(s.t, c, "GET", h.Location, nil, browserHdr)
		fmt.Fprintf(&s.out, "> (OP) GET end_session -> %d\n", p.Status)
		for _, l := range logoutAtOP(s.t, c, p) {
			fmt.Fprintf(&s.out, "> (OP) POST end_session confirm -> %d %s\n\n", l.Status, s.n.location(l.Location))
			if l.Location != "" {
				s.send(c, "default", "GET", strings.TrimPrefix(l.Location, s.tg.Base["default"]), browserHdr)
			}
		}
		s.note("after logout")
		s.send(c, "default", "GET", "/after-logout", browserHdr)
	}},
	{"h-client-secret-post-and-id-token", func(s *scen) {
		s.note("variant post: client_secret_post; the id_token passed as claims, payload and serialized; userinfo as claims and json")
		c := newBrowser(s.t)
		s.loginAs(c, "post", "/p", "alice")
	}},
	{"h2-client-secret-jwt", func(s *scen) {
		s.note("variant jwt: client_secret_jwt at the token endpoint (code and refresh grants)")
		c := newBrowser(s.t)
		s.loginAs(c, "jwt", "/p", "alice")
		s.send(c, "jwt", "GET", "/again", browserHdr)
	}},
	{"h3-private-key-jwt", func(s *scen) {
		s.note("variant pkjwt: private_key_jwt with OIDCPrivateKeyFiles/OIDCPublicKeyFiles; ?jwks publishes the public key")
		s.sendRaw(nil, "pkjwt", "GET", "/redirect_uri?jwks=", browserHdr)
		c := newBrowser(s.t)
		hops := s.loginAs(c, "pkjwt", "/p", "alice")
		token := ""
		for _, l := range strings.Split(hops[len(hops)-1].Body, "\n") {
			if v, ok := strings.CutPrefix(l, "OIDC_access_token: "); ok {
				token = strings.Trim(v, `"`)
			}
		}
		if token == "" {
			s.t.Fatal("no OIDC_access_token at the backend after the login")
		}
		s.note("refresh grant (?refresh= with the session's access token)")
		s.tg.Backend.take()
		h := do(s.t, c, "GET", s.tg.Base["pkjwt"]+"/redirect_uri?refresh=%2Frenewed&access_token="+url.QueryEscape(token), nil, browserHdr)
		s.record(h, "pkjwt", "/redirect_uri?refresh=%2Frenewed&access_token=<the session's access token>", browserHdr)
		s.backchannel()
		s.note("logout: the refresh and access tokens are revoked (2.4.12.3 sends the same assertion twice: the OP refuses the replay)")
		s.send(c, "pkjwt", "GET", "/redirect_uri?logout="+url.QueryEscape(s.tg.Base["pkjwt"]+"/logged-out"), browserHdr)
		s.backchannel()
	}},
	{"i-callback-and-session-errors", func(s *scen) {
		s.note("callbacks that do not match a login in progress, bad session cookies, two logins at once")
		s.sendRaw(nil, "default", "GET", "/redirect_uri?code=abc&state=unknownstate", browserHdr)
		s.sendRaw(nil, "default", "GET", "/redirect_uri?error=access_denied&error_description=nope&state=unknownstate", browserHdr)
		s.sendRaw(nil, "default", "GET", "/redirect_uri?state=unknownstate", browserHdr)
		s.sendRaw(nil, "default", "POST", "/redirect_uri", browserHdr)
		s.note("a session cookie the module never issued")
		s.send(nil, "default", "GET", "/x", copyHdr(browserHdr, "Cookie", "mod_auth_openidc_session=notAsessionIssuedByTheModule"))
		s.send(nil, "default", "GET", "/x", copyHdr(browserHdr, "X-Requested-With", "XMLHttpRequest", "Cookie", "mod_auth_openidc_session=garbage"))
		s.note("the OP answers with an error (the browser comes back with error=...)")
		c := newBrowser(s.t)
		h := s.send(c, "default", "GET", "/denied", browserHdr)
		q, _ := url.Parse(h.Location)
		st := q.Query().Get("state")
		s.sendRaw(c, "default", "GET", "/redirect_uri?error=access_denied&error_description=user+said+no&state="+st, browserHdr)
		s.note("two logins started in one browser; the second completes; then replaying its callback")
		c = newBrowser(s.t)
		s.send(c, "default", "GET", "/first", browserHdr)
		hops := s.loginAs(c, "default", "/second", "alice")
		var cb string
		for _, h := range hops {
			if strings.Contains(h.URL, "/redirect_uri?") {
				cb = h.URL
			}
		}
		s.note("the same callback again, in the logged-in browser and in a fresh one")
		s.sendRaw(c, "default", "GET", strings.TrimPrefix(cb, s.tg.Base["default"]), browserHdr)
		s.sendRaw(nil, "default", "GET", strings.TrimPrefix(cb, s.tg.Base["default"]), browserHdr)
		s.note("logout parameters: empty, same host other port, protocol-relative, with CRLF")
		s.sendRaw(c, "default", "GET", "/redirect_uri?logout=", browserHdr)
	}},
	{"i2-logout-targets", func(s *scen) {
		s.note("which logout targets the module accepts (each in a fresh logged-in browser)")
		_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.tg.Base["samesite"], "http://"))
		for _, target := range []string{
			"http://127.0.0.1:" + port + "/other-port", // (the samesite variant's port)
			"//evil.example/",
			"/\r\nSet-Cookie:x=y",
			"https://127.0.0.1/other-scheme",
			"javascript:alert(1)",
		} {
			c := newBrowser(s.t)
			login(s.t, c, s.tg.Base["default"]+"/start", "alice", s.tg.Env.OP.Issuer)
			s.tg.Env.OP.backchannel(s.t) // the login's calls
			s.sendRaw(c, "default", "GET", "/redirect_uri?logout="+url.QueryEscape(target), browserHdr)
			s.backchannel()
		}
	}},
	{"j-revoke-session-and-remove-at-cache", func(s *scen) {
		s.note("?revoke_session= and ?remove_at_cache= on the redirect URI: unknown values, then revoking the browser's own session")
		for _, v := range []string{"default", "exclude"} {
			s.sendRaw(nil, v, "GET", "/redirect_uri?remove_at_cache=never-cached", browserHdr)
			s.sendRaw(nil, v, "GET", "/redirect_uri?remove_at_cache=", browserHdr)
			s.sendRaw(nil, v, "GET", "/redirect_uri?revoke_session=", browserHdr)
			s.sendRaw(nil, v, "GET", "/redirect_uri?revoke_session=no-such-session", browserHdr)
			s.sendRaw(nil, v, "GET", "/redirect_uri?jwks=", browserHdr)
		}
		c := newBrowser(s.t)
		s.loginAs(c, "default", "/start", "alice")
		u, _ := url.Parse(s.tg.Base["default"] + "/")
		var id string
		for _, ck := range c.Jar.Cookies(u) {
			if ck.Name == "mod_auth_openidc_session" {
				id = ck.Value
			}
		}
		if id == "" {
			s.t.Fatal("no session cookie after the login")
		}
		s.note("revoke the session from another client, then the browser comes back")
		s.sendRaw(nil, "default", "GET", "/redirect_uri?revoke_session="+url.QueryEscape(id), browserHdr)
		s.send(c, "default", "GET", "/after-revoke", browserHdr)
	}},
	{"g-samesite", func(s *scen) {
		s.note("OIDCCookieSameSite On (variant samesite) vs the default")
		s.send(nil, "samesite", "GET", "/x", browserHdr)
		s.send(nil, "samesite", "GET", "/x", copyHdr(browserHdr, "X-Forwarded-Proto", "https"))
		c := newBrowser(s.t)
		s.loginAs(c, "samesite", "/x", "alice")
		s.note("the session cookie over https (X-Forwarded-Proto), default and On")
		for _, v := range []string{"exclude", "samesite"} {
			c := newBrowser(s.t)
			h := do(s.t, c, "GET", s.tg.Base[v]+"/y", nil, copyHdr(browserHdr, "X-Forwarded-Proto", "https"))
			loc, _ := url.Parse(h.Location)
			// The OP redirects back to https://127.0.0.1:PORT/redirect_uri, which
			// the test cannot speak: replay the callback over http with the
			// header, as the TLS-terminating proxy would.
			cb := followToCallback(s.t, c, loc.String(), "alice", s.tg.Env.OP.Issuer)
			cbu, _ := url.Parse(cb)
			cookieURL, _ := url.Parse(s.tg.Base[v] + "/")
			for _, ck := range c.Jar.Cookies(&url.URL{Scheme: "https", Host: cookieURL.Host, Path: "/"}) {
				c.Jar.SetCookies(cookieURL, []*http.Cookie{{Name: ck.Name, Value: ck.Value, Path: "/"}})
			}
			s.send(c, v, "GET", cbu.RequestURI(), copyHdr(browserHdr, "X-Forwarded-Proto", "https"))
		}
	}},
}

// TestOIDCApache runs every scenario against the real Apache +
// mod_auth_openidc 2.4.12.3 and compares the transcript with its golden
// (-update rewrites the goldens from Apache).
func TestOIDCApache(t *testing.T) {
	requireApache(t)
	env := newOIDCEnv(t, "apache")
	tg := env.Targets["apache"]
	startApacheOIDC(t, tg)
	for _, sc := range oidcScenarios {
		t.Run(sc.Name, func(t *testing.T) {
			got := runScenario(t, tg, sc)
			file := filepath.Join("testdata", "oidc", sc.Name+".golden")
			if *updateGolden {
				os.MkdirAll(filepath.Dir(file), 0o755)
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

// lineDiff shows the first differing lines.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	n := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, wl, gl)
			if n++; n == 10 {
				break
			}
		}
	}
	return b.String()
}

var _ = io.Discard
