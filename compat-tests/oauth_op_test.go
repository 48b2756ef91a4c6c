package compattests

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// The resource server (AuthType oauth20) with access tokens minted by the
// real npm oidc-provider (op/provider.js): client "api-client" gets them
// with the client credentials grant, a JWT for resource urn:compat:api and
// an opaque token without a resource. mod_auth_openidc takes only https
// JWKS and introspection URLs, and provider.js serves http: an https
// reverse proxy in front of the provider (self-signed,
// OIDCOAuthSSLValidateServer Off) carries the resource servers' calls to
// its jwks_uri and introspection endpoint unchanged.

// opTLSFront is an https reverse proxy to op; it returns the provider's
// endpoint URLs from discovery, rewritten to go through the proxy.
func opTLSFront(t *testing.T, op *opServer) (front string, endpoints map[string]string) {
	t.Helper()
	target, _ := url.Parse(op.Issuer)
	srv := httptest.NewTLSServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = target.Host
	}})
	t.Cleanup(srv.Close)
	resp, err := http.Get(op.Issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var disc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&disc); err != nil {
		t.Fatal(err)
	}
	endpoints = map[string]string{}
	for _, k := range []string{"jwks_uri", "introspection_endpoint", "token_endpoint", "revocation_endpoint"} {
		v, _ := disc[k].(string)
		if !strings.HasPrefix(v, op.Issuer+"/") {
			t.Fatalf("discovery %s = %q", k, v)
		}
		endpoints[k] = v
		endpoints["tls_"+k] = srv.URL + strings.TrimPrefix(v, op.Issuer)
	}
	return srv.URL, endpoints
}

// opClientCredentials asks the provider's token endpoint for an access
// token for api-client (resource "" = none, an opaque token).
func opClientCredentials(t *testing.T, tokenEndpoint, scope, resource string) (string, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
	if resource != "" {
		form.Set("resource", resource)
	}
	req, _ := http.NewRequest("POST", tokenEndpoint, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "compat-tests")
	req.SetBasicAuth("api-client", "secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if resp.StatusCode != 200 || json.Unmarshal(b, &out) != nil {
		t.Fatalf("token endpoint: %d %s", resp.StatusCode, b)
	}
	tok, _ := out["access_token"].(string)
	if tok == "" {
		t.Fatalf("token endpoint: no access_token in %s", b)
	}
	return tok, out
}

func jwtPayload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %.40q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	var m map[string]any
	if err != nil || json.Unmarshal(b, &m) != nil {
		t.Fatalf("JWT payload %q: %v", parts[1], err)
	}
	return m
}

// opRSConf is the resource server's configuration: validation (the JWKS or
// introspection lines) + two locations: /api (valid-user) and /write
// (Require claim scope~write).
func opRSConf(listen, backend, dir, validation string) string {
	return loadModules("mpm_event", "authz_core", "authn_core", "authz_user", "proxy", "proxy_http", "headers", "auth_openidc") + fmt.Sprintf(`ServerName t.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[3]s/error.log
PidFile %[3]s/httpd.pid
OIDCOAuthSSLValidateServer Off
%[4]s
<Location /api>
  AuthType oauth20
  Require valid-user
  ProxyPass http://%[2]s/api
  RequestHeader set X-Remote-User "expr=%%{REMOTE_USER}"
</Location>
<Location /write>
  AuthType oauth20
  Require claim "scope~(^| )write( |$)"
  ProxyPass http://%[2]s/write
  RequestHeader set X-Remote-User "expr=%%{REMOTE_USER}"
</Location>
`, listen, backend, dir, validation)
}

type opRSCase struct{ name, path, auth string }

// opRSCompare sends each case to both front ends and compares the status,
// WWW-Authenticate and what the backend received (Authorization, OIDC_*,
// X-Remote-User, in order); after each pair of requests, back(name) (if
// set) is also compared (the provider's back-channel calls).
func opRSCompare(t *testing.T, fp *frontPair, be *claimBackend, cases []opRSCase, back func() string) {
	t.Helper()
	get := func(addr string, c opRSCase) string {
		req, _ := http.NewRequest("GET", "http://"+addr+c.path, nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		out := fmt.Sprintf("%d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		if r := be.take(); r != nil {
			var lines []string
			for _, h := range r.Headers {
				n := strings.ToLower(h[0])
				if strings.HasPrefix(n, "oidc") || n == "x-remote-user" || n == "authorization" {
					lines = append(lines, h[0]+": "+h[1])
				}
			}
			sort.Strings(lines)
			out += "\nbackend: " + r.Method + " " + r.RequestURI + "\n" + strings.Join(lines, "\n")
		}
		if back != nil {
			out += "\nback-channel:\n" + back()
		}
		return out
	}
	for _, c := range cases {
		a := get(fp.Apache, c)
		o := get(fp.OIDCGate, c)
		t.Logf("%s: apache %s", c.name, a)
		if a != o {
			t.Errorf("%s:\n apache   %s\n oidcgate %s", c.name, a, o)
		}
	}
	if t.Failed() {
		t.Logf("oidcgate log:\n%s", fp.OIDCGateLog.String())
	}
}

// TestOAuthOPJWKSDifferential: JWT access tokens signed by oidc-provider
// (RS256, kid from its JWKS), validated with OIDCOAuthVerifyJwksUri at the
// provider's jwks_uri.
func TestOAuthOPJWKSDifferential(t *testing.T) {
	requireApache(t)
	op := startOP(t, "http://127.0.0.1:1/redirect_uri")
	_, ep := opTLSFront(t, op)
	be := newClaimBackend(t)
	fp := startFrontPair(t, func(listen, dir string) string {
		return opRSConf(listen, be.Addr(), dir, "OIDCOAuthVerifyJwksUri "+ep["tls_jwks_uri"])
	}, nil)
	jwt, _ := opClientCredentials(t, ep["token_endpoint"], "read write", "urn:compat:api")
	readOnly, _ := opClientCredentials(t, ep["token_endpoint"], "read", "urn:compat:api")
	opaque, _ := opClientCredentials(t, ep["token_endpoint"], "read", "")
	cl := jwtPayload(t, jwt)
	t.Logf("oidc-provider's JWT access token claims: %v", cl)
	if cl["sub"] != "api-client" || cl["aud"] != "urn:compat:api" || cl["scope"] != "read write" {
		t.Fatalf("unexpected JWT access token claims %v", cl)
	}
	sig := jwt[strings.LastIndex(jwt, ".")+1:]
	c := "A"
	if sig[0] == 'A' {
		c = "B"
	}
	forged := jwt[:strings.LastIndex(jwt, ".")+1] + c + sig[1:]
	opRSCompare(t, fp, be, []opRSCase{
		{"jwt", "/api/x?q=1", "Bearer " + jwt},
		{"jwt again", "/api/x", "Bearer " + jwt},
		{"jwt write scope", "/write/x", "Bearer " + jwt},
		{"jwt read only on write", "/write/x", "Bearer " + readOnly},
		{"jwt read only", "/api/x", "Bearer " + readOnly},
		{"forged signature", "/api/x", "Bearer " + forged},
		{"opaque token", "/api/x", "Bearer " + opaque},
		{"no token", "/api/x", ""},
	}, nil)
}

// TestOAuthOPIntrospectionDifferential: opaque access tokens of
// oidc-provider, validated at its introspection endpoint
// (OIDCOAuthIntrospectionEndpoint, client "rs"), REMOTE_USER from
// client_id (client credentials tokens have no sub). Also compared: the
// introspection calls each front end makes (the result is cached, so one
// per token).
func TestOAuthOPIntrospectionDifferential(t *testing.T) {
	requireApache(t)
	op := startOP(t, "http://127.0.0.1:1/redirect_uri")
	_, ep := opTLSFront(t, op)
	be := newClaimBackend(t)
	fp := startFrontPair(t, func(listen, dir string) string {
		return opRSConf(listen, be.Addr(), dir, "OIDCOAuthIntrospectionEndpoint "+ep["tls_introspection_endpoint"]+`
OIDCOAuthClientID rs
OIDCOAuthClientSecret secret
OIDCOAuthRemoteUserClaim client_id`)
	}, nil)
	opaque, _ := opClientCredentials(t, ep["token_endpoint"], "read write", "")
	readOnly, _ := opClientCredentials(t, ep["token_endpoint"], "read", "")
	revoked, _ := opClientCredentials(t, ep["token_endpoint"], "read write", "")
	jwt, _ := opClientCredentials(t, ep["token_endpoint"], "read write", "urn:compat:api")
	req, _ := http.NewRequest("POST", ep["revocation_endpoint"], strings.NewReader(url.Values{"token": {revoked}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "compat-tests")
	req.SetBasicAuth("api-client", "secret")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("revocation: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	op.backchannel(t)
	back := func() string {
		var lines []string
		for _, r := range op.backchannel(t) {
			var keys []string
			for _, kv := range r.Body {
				keys = append(keys, kv[0])
			}
			lines = append(lines, fmt.Sprintf("%s %s %d %s %s body=%s", r.Method, r.Path, r.Status, r.Auth, r.ContentType, strings.Join(keys, ",")))
		}
		return strings.Join(lines, "\n")
	}
	opRSCompare(t, fp, be, []opRSCase{
		{"opaque", "/api/x?q=1", "Bearer " + opaque},
		{"opaque again (cached)", "/api/x", "Bearer " + opaque},
		{"opaque write scope", "/write/x", "Bearer " + opaque},
		{"read only on write", "/write/x", "Bearer " + readOnly},
		{"revoked", "/api/x", "Bearer " + revoked},
		{"unknown", "/api/x", "Bearer " + strings.Repeat("x", len(opaque))},
		{"jwt (not introspectable)", "/api/x", "Bearer " + jwt},
		{"no token", "/api/x", ""},
	}, back)
}
