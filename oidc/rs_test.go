package oidc

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcgate/oidcgate/cache"
)

var rsNow = time.Unix(1_800_000_000, 0)

func rsClock() time.Time { return rsNow }

var rsKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

// mint signs claims with key under alg (kid "" = no kid header).
func mint(t testing.TB, alg jose.SignatureAlgorithm, key any, kid string, cl map[string]any) string {
	t.Helper()
	opts := &jose.SignerOptions{}
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts.WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(cl)
	jws, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// mintHS signs with HS256 by hand: go-jose refuses keys shorter than
// 32 bytes, which the module (and so oidcgate) accepts.
func mintHS(t testing.TB, key []byte, cl map[string]any) string {
	t.Helper()
	b, _ := json.Marshal(cl)
	in := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + base64.RawURLEncoding.EncodeToString(b)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func unsigned(cl map[string]any) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	b, _ := json.Marshal(cl)
	return h + "." + base64.RawURLEncoding.EncodeToString(b) + "."
}

// jwksServer publishes rsKey's public half under kid "k1".
func jwksServer(t testing.TB) string {
	t.Helper()
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: rsKey.Public(), KeyID: "k1", Algorithm: "RS256", Use: "sig"}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func newRS(t testing.TB, s RSSettings) *ResourceServer {
	t.Helper()
	if s.ClaimPrefix == "" {
		s.ClaimPrefix = "OIDC_CLAIM_"
	}
	if s.ClaimDelimiter == "" {
		s.ClaimDelimiter = ","
	}
	s.SSLValidateServer = true
	store, err := cache.NewMemory(cache.MemoryOptions{Now: rsClock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	rs, err := NewResourceServer(s, store, WithRSClock(rsClock), WithRSLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

type rsOut struct {
	res Result
	req *http.Request
	env map[string]string
}

func rsDo(rs *ResourceServer, d *RSDir, r *http.Request) rsOut {
	env := map[string]string{}
	q := &Request{HTTP: r, Path: r.URL.Path, Env: env, Scheme: "https", Host: "api.example",
		Dir: &DirSettings{PassHeaders: true, PassEnv: true}}
	return rsOut{res: rs.Authenticate(q, d), req: r, env: env}
}

func bearerReq(tok string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "https://api.example/x", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	return r
}

func good() map[string]any {
	return map[string]any{"sub": "alice", "iss": "https://as.example", "aud": []string{"api", "other"},
		"exp": rsNow.Add(time.Hour).Unix(), "scope": "read write", "roles": []string{"a", "b"}}
}

func with(m map[string]any, k string, v any) map[string]any {
	m[k] = v
	if v == nil {
		delete(m, k)
	}
	return m
}

func TestRSLocalJWT(t *testing.T) {
	jwks := jwksServer(t)
	shared := []byte("0123456789abcdef0123456789abcdef")
	pub := rsKey.Public()
	der, _ := x509.MarshalPKIXPublicKey(pub)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	rs := newRS(t, RSSettings{JWKSURI: jwks, SharedKeys: [][]byte{shared}, PublicKeys: nil,
		Issuer: "https://as.example/", Audiences: []string{"api"}})
	rsCerts := newRS(t, RSSettings{PublicKeys: []crypto.PublicKey{pub}})
	d := &RSDir{AuthName: "api"}
	const bad = `Bearer realm="api", error="invalid_token", error_description="JWT token could not be validated"`
	cases := []struct {
		name string
		rs   *ResourceServer
		tok  string
		ok   bool
	}{
		{"jwks RS256", rs, mint(t, jose.RS256, rsKey, "k1", good()), true},
		{"jwks no kid tries the set", rs, mint(t, jose.RS256, rsKey, "", good()), true},
		{"cert file key", rsCerts, mint(t, jose.RS256, rsKey, "", good()), true},
		{"shared key HS256", rs, mint(t, jose.HS256, shared, "", good()), true},
		{"alg none", rs, unsigned(good()), false},
		{"HS256 keyed with the RSA public key (PEM)", rs, mint(t, jose.HS256, pubPEM, "k1", good()), false},
		{"HS256 keyed with the RSA public key (DER)", rsCerts, mint(t, jose.HS256, der, "", good()), false},
		{"unknown kid", rs, mint(t, jose.RS256, rsKey, "nope", good()), false},
		{"other key same kid", rs, mint(t, jose.RS256, other, "k1", good()), false},
		{"other key at the cert-file server", rsCerts, mint(t, jose.RS256, other, "", good()), false},
		{"wrong shared key", rs, mint(t, jose.HS256, []byte("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), "", good()), false},
		{"expired", rs, mint(t, jose.RS256, rsKey, "k1", with(good(), "exp", rsNow.Add(-time.Second).Unix())), false},
		{"no exp", rs, mint(t, jose.RS256, rsKey, "k1", with(good(), "exp", nil)), false},
		{"exp a string", rs, mint(t, jose.RS256, rsKey, "k1", with(good(), "exp", "9999999999")), false},
		{"nbf future", rs, mint(t, jose.RS256, rsKey, "k1", with(good(), "nbf", rsNow.Add(5*time.Minute).Unix())), false},
		{"nbf within the clock skew", rs, mint(t, jose.RS256, rsKey, "k1", with(good(), "nbf", rsNow.Add(30*time.Second).Unix())), true},
		{"nbf a string", rs, mint(t, jose.RS256, rsKey, "k1", with(good(), "nbf", "0")), false},
		{"nbf past", rs, mint(t, jose.RS256, rsKey, "k1", with(good(), "nbf", rsNow.Add(-time.Minute).Unix())), true},
		{"wrong iss", rs, mint(t, jose.RS256, rsKey, "k1", with(good(), "iss", "https://evil.example")), false},
		{"no iss", rs, mint(t, jose.RS256, rsKey, "k1", with(good(), "iss", nil)), false},
		{"wrong aud", rs, mint(t, jose.RS256, rsKey, "k1", with(good(), "aud", "nope")), false},
		{"aud string", rs, mint(t, jose.RS256, rsKey, "k1", with(good(), "aud", "api")), true},
		{"no aud", rs, mint(t, jose.RS256, rsKey, "k1", with(good(), "aud", nil)), false},
		{"garbage", rs, "not.a.jwt", false},
		{"empty", rs, "", false},
		{"oversized", rs, mint(t, jose.RS256, rsKey, "k1", with(good(), "pad", strings.Repeat("x", MaxTokenSize))), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := rsDo(c.rs, d, bearerReq(c.tok))
			if c.ok {
				if out.res.Status != 0 || out.res.User != "alice" || !out.res.Authenticated {
					t.Fatalf("want alice, got %+v", out.res)
				}
				return
			}
			if out.res.Status != http.StatusUnauthorized || out.res.HasUser {
				t.Fatalf("want 401, got %+v", out.res)
			}
			if got := out.res.Header.Get("WWW-Authenticate"); got != bad {
				t.Fatalf("WWW-Authenticate = %q", got)
			}
		})
	}
}

func TestRSPassesClaimsAndScrubs(t *testing.T) {
	rs := newRS(t, RSSettings{SharedKeys: [][]byte{[]byte("k")}})
	tok := mintHS(t, []byte("k"), good())
	r := bearerReq(tok)
	r.Header.Set("OIDC_CLAIM_sub", "mallory")
	r.Header.Set("Oidc-Claim-Admin", "1")
	r.Header.Set("X-Remote-User", "mallory")
	r.Header.Set("oidc_access_token", "spoof")
	env := map[string]string{}
	q := &Request{HTTP: r, Env: env, Dir: &DirSettings{PassHeaders: true, PassEnv: true, AuthNHeader: "X-Remote-User"}}
	res := rs.Authenticate(q, &RSDir{})
	if res.Status != 0 || res.User != "alice" {
		t.Fatalf("%+v", res)
	}
	h := r.Header
	if h.Get("Oidc-Claim-Admin") != "" || len(h["OIDC_CLAIM_sub"]) != 1 || h["OIDC_CLAIM_sub"][0] != "alice" {
		t.Fatalf("scrub: %v", h)
	}
	if h["OIDC_CLAIM_roles"][0] != "a,b" || h["OIDC_CLAIM_scope"][0] != "read write" || h["OIDC_access_token"][0] != tok {
		t.Fatalf("claims: %v", h)
	}
	if h.Get("X-Remote-User") != "alice" || env["OIDC_CLAIM_sub"] != "alice" || env["OIDC_access_token"] != tok {
		t.Fatalf("authn header/env: %v %v", h, env)
	}
	if v, _ := res.Claims.String("sub"); v != "alice" {
		t.Fatal("claims for Require")
	}
}

func TestRSRemoteUserClaim(t *testing.T) {
	rs := newRS(t, RSSettings{SharedKeys: [][]byte{[]byte("k")}, RemoteUserClaim: "client_id"})
	out := rsDo(rs, &RSDir{}, bearerReq(mintHS(t, []byte("k"), good())))
	want := `Bearer error="invalid_token", error_description="Could not set remote user"`
	if out.res.Status != 401 || out.res.Header.Get("Www-Authenticate") != want {
		t.Fatalf("%+v", out.res)
	}
	out = rsDo(rs, &RSDir{}, bearerReq(mintHS(t, []byte("k"), with(good(), "client_id", "app1"))))
	if out.res.User != "app1" {
		t.Fatalf("%+v", out.res)
	}
}

func TestRSNoToken(t *testing.T) {
	rs := newRS(t, RSSettings{SharedKeys: [][]byte{[]byte("k")}})
	r := httptest.NewRequest(http.MethodGet, "/x", nil)
	out := rsDo(rs, &RSDir{AuthName: "My API"}, r)
	want := `Bearer realm="My API", error="invalid_request", error_description="No bearer token found in the request"`
	if out.res.Status != 401 || out.res.Header.Get("WWW-Authenticate") != want {
		t.Fatalf("%+v", out.res)
	}
	out = rsDo(rs, &RSDir{}, httptest.NewRequest(http.MethodGet, "/x", nil))
	if got := out.res.Header.Get("WWW-Authenticate"); got != `Bearer error="invalid_request", error_description="No bearer token found in the request"` {
		t.Fatal(got)
	}
	// Basic only: the scheme is Basic.
	out = rsDo(rs, &RSDir{Accept: AcceptTokenAs{Basic: true}}, httptest.NewRequest(http.MethodGet, "/x", nil))
	if got := out.res.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Basic error=") {
		t.Fatal(got)
	}
	// OPTIONS without a token passes, spoofed headers removed.
	r = httptest.NewRequest(http.MethodOptions, "/x", nil)
	r.Header.Set("OIDC_CLAIM_sub", "mallory")
	out = rsDo(rs, &RSDir{}, r)
	if out.res.Status != 0 || !out.res.HasUser || out.res.User != "" || !out.res.Pass || r.Header.Get("OIDC_CLAIM_sub") != "" {
		t.Fatalf("%+v %v", out.res, r.Header)
	}
	// Other schemes are ignored.
	r = httptest.NewRequest(http.MethodGet, "/x", nil)
	r.Header.Set("Authorization", "Digest abc")
	if out := rsDo(rs, &RSDir{}, r); out.res.Status != 401 || !strings.Contains(out.res.Header.Get("WWW-Authenticate"), "invalid_request") {
		t.Fatalf("%+v", out.res)
	}
}

func TestExtractToken(t *testing.T) {
	all := AcceptTokenAs{Header: true, Post: true, Query: true, Cookie: true, CookieName: "PA.global", Basic: true}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("anyone:tokB"))
	cases := []struct {
		name           string
		a              AcceptTokenAs
		method, target string
		hdr            map[string]string
		body           string
		tok            string
		found          bool
		err            error
		bodyAfter      string
	}{
		{"default header", AcceptTokenAs{}, "GET", "/", map[string]string{"Authorization": "Bearer abc"}, "", "abc", true, nil, ""},
		{"scheme case and spaces", AcceptTokenAs{}, "GET", "/", map[string]string{"Authorization": "bEaReR    abc"}, "", "abc", true, nil, ""},
		{"bearer empty", AcceptTokenAs{}, "GET", "/", map[string]string{"Authorization": "Bearer"}, "", "", true, nil, ""},
		{"default ignores query", AcceptTokenAs{}, "GET", "/?access_token=q", nil, "", "", false, nil, ""},
		{"query", AcceptTokenAs{Query: true}, "GET", "/?a=1&access_token=q%2Bx", nil, "", "q+x", true, nil, ""},
		{"query duplicated", AcceptTokenAs{Query: true}, "GET", "/?access_token=a&access_token=b", nil, "", "", false, ErrDuplicateToken, ""},
		{"query not header when only query", AcceptTokenAs{Query: true}, "GET", "/", map[string]string{"Authorization": "Bearer h"}, "", "", false, nil, ""},
		{"post", AcceptTokenAs{Post: true}, "POST", "/", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "a=1&access_token=p&b=2", "p", true, nil, "a=1&b=2"},
		{"post duplicated", AcceptTokenAs{Post: true}, "POST", "/", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "access_token=p&access_token=q", "", false, ErrDuplicateToken, "access_token=p&access_token=q"},
		{"post wrong type", AcceptTokenAs{Post: true}, "POST", "/", map[string]string{"Content-Type": "application/json"}, "access_token=p", "", false, nil, "access_token=p"},
		{"post needs POST", AcceptTokenAs{Post: true}, "PUT", "/", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "access_token=p", "", false, nil, "access_token=p"},
		{"cookie default name", AcceptTokenAs{Cookie: true, CookieName: "PA.global"}, "GET", "/", map[string]string{"Cookie": "x=1; PA.global=ck"}, "", "ck", true, nil, ""},
		{"basic", AcceptTokenAs{Basic: true}, "GET", "/", map[string]string{"Authorization": basic}, "", "tokB", true, nil, ""},
		{"basic not bearer", AcceptTokenAs{Basic: true}, "GET", "/", map[string]string{"Authorization": "Bearer abc"}, "", "", false, nil, ""},
		{"two places: header wins", all, "POST", "/?access_token=q", map[string]string{"Authorization": "Bearer h", "Content-Type": "application/x-www-form-urlencoded", "Cookie": "PA.global=c"}, "access_token=p", "h", true, nil, "access_token=p"},
		{"two places: post before query", all, "POST", "/?access_token=q", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "access_token=p", "p", true, nil, ""},
		{"two places: query before cookie", all, "GET", "/?access_token=q", map[string]string{"Cookie": "PA.global=c"}, "", "q", true, nil, ""},
		{"post duplicated, query next (upstream)", AcceptTokenAs{Post: true, Query: true}, "POST", "/?access_token=q", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "access_token=p&access_token=p", "q", true, nil, "access_token=p&access_token=p"},
		{"basic needs the Basic scheme", AcceptTokenAs{Basic: true}, "GET", "/", map[string]string{"Authorization": "Digest " + base64.StdEncoding.EncodeToString([]byte("u:tok"))}, "", "", false, nil, ""},
		{"repeated Authorization joined as Apache does", AcceptTokenAs{}, "GET", "/", map[string]string{"Authorization": "Bearer a"}, "", "a", true, nil, ""},
		{"oversized", AcceptTokenAs{}, "GET", "/", map[string]string{"Authorization": "Bearer " + strings.Repeat("a", MaxTokenSize+1)}, "", "", true, ErrTokenTooLarge, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body *strings.Reader
			r := httptest.NewRequest(c.method, c.target, nil)
			if c.body != "" {
				body = strings.NewReader(c.body)
				r = httptest.NewRequest(c.method, c.target, body)
			}
			for k, v := range c.hdr {
				r.Header.Set(k, v)
			}
			tok, found, err := ExtractToken(r, c.a)
			if tok != c.tok || found != c.found || err != c.err {
				t.Fatalf("got %q %v %v", tok, found, err)
			}
			if c.body != "" {
				b := new(strings.Builder)
				_, _ = io.Copy(b, r.Body)
				if b.String() != c.bodyAfter {
					t.Fatalf("body after = %q", b.String())
				}
			}
		})
	}
}

func TestParseAcceptTokenAs(t *testing.T) {
	a, err := ParseAcceptTokenAs([]string{"header", "cookie:MyTok", "post"})
	if err != nil || !a.Header || !a.Post || !a.Cookie || a.CookieName != "MyTok" || a.Query {
		t.Fatalf("%+v %v", a, err)
	}
	if a, _ := ParseAcceptTokenAs([]string{"cookie"}); a.CookieName != "PA.global" || a.header() {
		t.Fatalf("%+v", a)
	}
	if _, err := ParseAcceptTokenAs([]string{"form"}); err == nil {
		t.Fatal("want error")
	}
}

func TestRSDuplicateAndOversized(t *testing.T) {
	rs := newRS(t, RSSettings{SharedKeys: [][]byte{[]byte("k")}})
	tok := mintHS(t, []byte("k"), good())
	r := httptest.NewRequest(http.MethodGet, "/x?access_token="+tok+"&access_token="+tok, nil)
	out := rsDo(rs, &RSDir{Accept: AcceptTokenAs{Query: true}}, r)
	if out.res.Status != 401 || !strings.Contains(out.res.Header.Get("WWW-Authenticate"), `error="invalid_request"`) {
		t.Fatalf("%+v", out.res)
	}
	out = rsDo(rs, &RSDir{}, bearerReq(strings.Repeat("a", MaxTokenSize+1)))
	if out.res.Status != 401 || !strings.Contains(out.res.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("%+v", out.res)
	}
}

// introspector is an RFC 7662 endpoint answering with resp for "good".
type introspector struct {
	calls atomic.Int32
	last  atomic.Value
	srv   *httptest.Server
}

func newIntrospector(t testing.TB, answer func(tok string) (int, string)) *introspector {
	in := &introspector{}
	in.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.calls.Add(1)
		_ = r.ParseForm()
		u, p, _ := r.BasicAuth()
		in.last.Store(url.Values{"user": {u}, "pass": {p}, "method": {r.Method}, "token": {r.Form.Get("token")},
			"extra": {r.Form.Get("grant_type")}, "authz": {r.Header.Get("Authorization")},
			"client_id": {r.Form.Get("client_id")}, "assertion_type": {r.Form.Get("client_assertion_type")}, "assertion": {r.Form.Get("client_assertion")}})
		st, body := answer(r.Form.Get("token"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(st)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(in.srv.Close)
	return in
}

func TestRSIntrospection(t *testing.T) {
	exp := rsNow.Add(time.Hour).Unix()
	in := newIntrospector(t, func(tok string) (int, string) {
		switch tok {
		case "good":
			return 200, `{"active":true,"sub":"bob","scope":"read","exp":` + jsonInt(exp) + `}`
		case "strtrue":
			return 200, `{"active":"TRUE","sub":"carol"}`
		case "inactive":
			return 200, `{"active":false}`
		case "strfalse":
			return 200, `{"active":"no","sub":"x"}`
		case "err":
			return 200, `{"error":"invalid_request","sub":"x"}`
		case "http500":
			return 500, `{"active":true,"sub":"x"}`
		case "notjson":
			return 200, `<html>`
		case "noactive":
			return 200, `{"sub":"dave","expires_in":60}`
		case "noactive-noexp":
			return 200, `{"sub":"dave"}`
		case "ping":
			return 200, `{"access_token":{"sub":"erin","x":1},"client_id":"c1","scope":"s1","expires_in":60}`
		}
		return 200, `{"active":false}`
	})
	rs := newRS(t, RSSettings{IntrospectionEndpoint: in.srv.URL, ClientID: "rs", ClientSecret: "p@ss",
		IntrospectionParams: "grant_type=urn%3Avalidate"})
	d := &RSDir{}
	const bad = `Bearer error="invalid_token", error_description="Reference token could not be introspected"`
	for tok, user := range map[string]string{"good": "bob", "strtrue": "carol", "noactive": "dave", "ping": "erin",
		"inactive": "", "strfalse": "", "err": "", "http500": "x", "notjson": "", "noactive-noexp": ""} {
		out := rsDo(rs, d, bearerReq(tok))
		if user == "" {
			if out.res.Status != 401 || out.res.Header.Get("WWW-Authenticate") != bad {
				t.Errorf("%s: %+v", tok, out.res)
			}
			continue
		}
		if out.res.Status != 0 || out.res.User != user {
			t.Errorf("%s: %+v", tok, out.res)
		}
	}
	last := in.last.Load().(url.Values)
	if last.Get("user") != "rs" || last.Get("pass") != "p%40ss" || last.Get("method") != "POST" || last.Get("extra") != "urn:validate" {
		t.Fatalf("request: %v", last)
	}
	// PingFederate shape: the inner object plus client_id and scope.
	out := rsDo(rs, d, bearerReq("ping"))
	if h := out.req.Header; h["OIDC_CLAIM_x"][0] != "1" || h["OIDC_CLAIM_client_id"][0] != "c1" || h["OIDC_CLAIM_scope"][0] != "s1" {
		t.Fatalf("%v", h)
	}
}

func jsonInt(i int64) string { b, _ := json.Marshal(i); return string(b) }

func TestRSIntrospectionCache(t *testing.T) {
	exp := rsNow.Add(time.Hour).Unix()
	in := newIntrospector(t, func(tok string) (int, string) {
		if tok == "past" {
			return 200, `{"active":true,"sub":"p","exp":` + jsonInt(rsNow.Add(-time.Second).Unix()) + `}`
		}
		return 200, `{"active":true,"sub":"bob","exp":` + jsonInt(exp) + `}`
	})
	rs := newRS(t, RSSettings{IntrospectionEndpoint: in.srv.URL, ClientID: "rs", ClientSecret: "s"})
	for i := 0; i < 3; i++ {
		if out := rsDo(rs, &RSDir{}, bearerReq("tok")); out.res.User != "bob" {
			t.Fatalf("%+v", out.res)
		}
	}
	if n := in.calls.Load(); n != 1 {
		t.Fatalf("endpoint called %d times, want 1 (cached)", n)
	}
	// The cache key is the token's hash, never the token.
	if _, err := rs.store.Get(t.Context(), "a:"+rs.s.Namespace+":tok"); err == nil {
		t.Fatal("raw token used as key")
	}
	// Interval -1: no caching.
	in.calls.Store(0)
	for i := 0; i < 2; i++ {
		rsDo(rs, &RSDir{IntrospectionInterval: -1}, bearerReq("tok2"))
	}
	if n := in.calls.Load(); n != 2 {
		t.Fatalf("calls %d, want 2", n)
	}
	// An exp already past is not cached (the AS said active: accepted once).
	in.calls.Store(0)
	rsDo(rs, &RSDir{}, bearerReq("past"))
	rsDo(rs, &RSDir{}, bearerReq("past"))
	if n := in.calls.Load(); n != 2 {
		t.Fatalf("calls %d, want 2", n)
	}
	// Interval N: an entry older than N seconds is revalidated.
	in.calls.Store(0)
	rsDo(rs, &RSDir{IntrospectionInterval: 10}, bearerReq("tok3"))
	old := rsNow
	rsNow = rsNow.Add(11 * time.Second)
	defer func() { rsNow = old }()
	rsDo(rs, &RSDir{IntrospectionInterval: 10}, bearerReq("tok3"))
	if n := in.calls.Load(); n != 2 {
		t.Fatalf("calls %d, want 2", n)
	}
}

func TestRSIntrospectionAuthMethods(t *testing.T) {
	in := newIntrospector(t, func(string) (int, string) { return 200, `{"active":true,"sub":"x"}` })
	self, static := "", "static"
	rs := newRS(t, RSSettings{IntrospectionEndpoint: in.srv.URL, IntrospectionAuth: "bearer_access_token", IntrospectionMethod: "GET",
		ClientID: "rs", ClientSecret: "s", IntrospectionBearer: &self})
	rsDo(rs, &RSDir{IntrospectionInterval: -1}, bearerReq("t1"))
	last := in.last.Load().(url.Values)
	if last.Get("authz") != "Bearer t1" || last.Get("method") != "GET" || last.Get("token") != "t1" {
		t.Fatalf("%v", last)
	}
	rs = newRS(t, RSSettings{IntrospectionEndpoint: in.srv.URL, IntrospectionAuth: "bearer_access_token", IntrospectionBearer: &static,
		ClientID: "rs", ClientSecret: "s"})
	rsDo(rs, &RSDir{IntrospectionInterval: -1}, bearerReq("t1"))
	if last := in.last.Load().(url.Values); last.Get("authz") != "Bearer static" {
		t.Fatalf("%v", last)
	}
	// Without a client secret every method falls back to none
	// (client_id in the form); without a client id nothing is sent.
	rs = newRS(t, RSSettings{IntrospectionEndpoint: in.srv.URL, IntrospectionAuth: "bearer_access_token", IntrospectionBearer: &static, ClientID: "rs"})
	rsDo(rs, &RSDir{IntrospectionInterval: -1}, bearerReq("t2"))
	if last := in.last.Load().(url.Values); last.Get("authz") != "" || last.Get("user") != "" {
		t.Fatalf("%v", last)
	}
	// bearer_access_token without the bearer directive: the call fails.
	rs = newRS(t, RSSettings{IntrospectionEndpoint: in.srv.URL, IntrospectionAuth: "bearer_access_token", ClientID: "rs", ClientSecret: "s"})
	if out := rsDo(rs, &RSDir{IntrospectionInterval: -1}, bearerReq("t3")); out.res.Status != 401 {
		t.Fatalf("%+v", out.res)
	}
}

func TestRSServerMetadata(t *testing.T) {
	in := newIntrospector(t, func(tok string) (int, string) {
		if tok == "good" {
			return 200, `{"active":true,"sub":"bob"}`
		}
		return 200, `{"active":false}`
	})
	var mdCalls atomic.Int32
	md := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mdCalls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issuer":"https://as","introspection_endpoint":"` + in.srv.URL + `","introspection_endpoint_auth_methods_supported":["client_secret_post"]}`))
	}))
	t.Cleanup(md.Close)
	rs := newRS(t, RSSettings{MetadataURL: md.URL, ClientID: "rs", ClientSecret: "s"})
	for i := 0; i < 2; i++ {
		if out := rsDo(rs, &RSDir{IntrospectionInterval: -1}, bearerReq("good")); out.res.User != "bob" {
			t.Fatalf("%+v", out.res)
		}
	}
	if out := rsDo(rs, &RSDir{}, bearerReq("bad")); out.res.Header.Get("WWW-Authenticate") != `Bearer error="invalid_token", error_description="Reference token could not be introspected"` {
		t.Fatalf("%+v", out.res)
	}
	if n := mdCalls.Load(); n != 1 {
		t.Fatalf("metadata fetched %d times", n)
	}
	// client_secret_post from the metadata: no Basic credentials.
	if last := in.last.Load().(url.Values); last.Get("user") != "" {
		t.Fatalf("%v", last)
	}
	// Metadata down: the static settings (none here) apply.
	rs = newRS(t, RSSettings{MetadataURL: "http://127.0.0.1:1/md", SharedKeys: [][]byte{[]byte("k")}})
	if out := rsDo(rs, &RSDir{}, bearerReq(mintHS(t, []byte("k"), good()))); out.res.User != "alice" {
		t.Fatalf("%+v", out.res)
	}
}

func TestRSIntrospectionClientCert(t *testing.T) {
	ck, _ := rsa.GenerateKey(rand.Reader, 2048)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "rs-client"},
		NotBefore: rsNow.Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, ck.Public(), ck)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	_ = os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	_ = os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(ck)}), 0o600)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cn := ""
		if len(r.TLS.PeerCertificates) > 0 {
			cn = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		_, _ = w.Write([]byte(`{"active":true,"sub":"` + cn + `"}`))
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	for _, withCert := range []bool{false, true} {
		s := RSSettings{IntrospectionEndpoint: srv.URL, ClaimPrefix: "OIDC_CLAIM_", ClaimDelimiter: ","}
		if withCert {
			s.IntrospectionCertFile, s.IntrospectionKeyFile = certFile, keyFile
		}
		rs, err := NewResourceServer(s, nil, WithRSClock(rsClock), WithRSLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		out := rsDo(rs, &RSDir{}, bearerReq("t"))
		want := map[bool]string{false: "", true: "rs-client"}[withCert]
		if out.res.Status != 0 || out.res.User != want {
			t.Fatalf("cert=%v: %+v", withCert, out.res)
		}
	}
	// The key in the certificate file (no OIDCOAuthIntrospectionEndpointKey),
	// as curl reads it.
	both := filepath.Join(dir, "both.pem")
	c, _ := os.ReadFile(certFile)
	k, _ := os.ReadFile(keyFile)
	_ = os.WriteFile(both, append(c, k...), 0o600)
	rs, err := NewResourceServer(RSSettings{IntrospectionEndpoint: srv.URL, IntrospectionCertFile: both}, nil, WithRSClock(rsClock), WithRSLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if out := rsDo(rs, &RSDir{}, bearerReq("t")); out.res.User != "rs-client" {
		t.Errorf("key in the certificate file: %+v", out.res)
	}
	// An encrypted key opens with upstream's
	// OIDCOAuthIntrospectionEndpointKeyPassword; without it nothing loads.
	for _, pw := range []string{"s3cret", ""} {
		rs, err := NewResourceServer(RSSettings{IntrospectionEndpoint: srv.URL, IntrospectionCertFile: "../internal/pemkey/testdata/cert.pem",
			IntrospectionKeyFile: "../internal/pemkey/testdata/pbes2-aes256.key", IntrospectionKeyPassword: pw}, nil, WithRSClock(rsClock), WithRSLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		out := rsDo(rs, &RSDir{}, bearerReq("t"))
		if pw != "" && out.res.User != "oidcgate-test-client" || pw == "" && out.res.Status != 401 {
			t.Errorf("encrypted key, password %q: %+v", pw, out.res)
		}
	}
	// A certificate that cannot be loaded: as in the module, only the
	// introspection call fails (the token is refused).
	rs, err = NewResourceServer(RSSettings{IntrospectionEndpoint: srv.URL, IntrospectionCertFile: "/nonexistent"}, nil, WithRSClock(rsClock), WithRSLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if out := rsDo(rs, &RSDir{}, bearerReq("t")); out.res.Status != 401 {
		t.Errorf("missing certificate file: %+v", out.res)
	}
}

// A key the JWKS URI stops publishing stops validating tokens after
// JWKSRefresh (OIDCJWKSRefreshInterval).
func TestRSJWKSRefresh(t *testing.T) {
	var published atomic.Bool
	published.Store(true)
	var fetches atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		set := jose.JSONWebKeySet{}
		if published.Load() {
			set.Keys = []jose.JSONWebKey{{Key: rsKey.Public(), KeyID: "k1", Algorithm: "RS256", Use: "sig"}}
		}
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(srv.Close)
	rs := newRS(t, RSSettings{JWKSURI: srv.URL, JWKSRefresh: time.Minute})
	tok := mint(t, jose.RS256, rsKey, "k1", good())
	for i := 0; i < 3; i++ {
		if out := rsDo(rs, &RSDir{}, bearerReq(tok)); out.res.User != "alice" {
			t.Fatalf("%+v", out.res)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times", n)
	}
	published.Store(false)
	old := rsNow
	rsNow = rsNow.Add(2 * time.Minute)
	defer func() { rsNow = old }()
	if out := rsDo(rs, &RSDir{}, bearerReq(mint(t, jose.RS256, rsKey, "k1", good()))); out.res.Status != 401 {
		t.Fatalf("withdrawn key still accepted: %+v", out.res)
	}
}

// TestRSVerifiedTokenCache: a validated JWT is remembered (by its SHA-256)
// until its exp, so a repeated token costs no signature check; another
// token is checked as usual.
func TestRSVerifiedTokenCache(t *testing.T) {
	rs := newRS(t, RSSettings{PublicKeys: []crypto.PublicKey{rsKey.Public()}})
	d := &RSDir{}
	tok := mint(t, jose.RS256, rsKey, "", good())
	if out := rsDo(rs, d, bearerReq(tok)); out.res.Status != 0 {
		t.Fatalf("first use: %+v", out.res)
	}
	rs.s.PublicKeys = nil // nothing could verify a signature now
	if out := rs2(rs, d, tok); out.res.Status != 0 || out.res.User != "alice" {
		t.Errorf("repeated token not served from the cache: %+v", out.res)
	}
	other := mint(t, jose.RS256, rsKey, "", with(good(), "jti", "2"))
	if out := rs2(rs, d, other); out.res.Status != http.StatusUnauthorized {
		t.Errorf("a new token passed without a key: %+v", out.res)
	}
}

func rs2(rs *ResourceServer, d *RSDir, tok string) rsOut { return rsDo(rs, d, bearerReq(tok)) }

// TestRSRemoveATCache: ?remove_at_cache=<token> on OIDCRedirectURI drops
// the cached introspection result (the next request introspects again);
// the answer is 404 for a token not cached, 500 after a removal, and it
// comes before any token in the request is looked at.
func TestRSRemoveATCache(t *testing.T) {
	exp := rsNow.Add(time.Hour).Unix()
	in := newIntrospector(t, func(tok string) (int, string) {
		return 200, `{"active":true,"sub":"bob","exp":` + jsonInt(exp) + `}`
	})
	rs := newRS(t, RSSettings{IntrospectionEndpoint: in.srv.URL, ClientID: "rs", ClientSecret: "s", RedirectURI: "https://api.example/api/redirect_uri"})
	rsDo(rs, &RSDir{}, bearerReq("tok"))
	rsDo(rs, &RSDir{}, bearerReq("tok"))
	if n := in.calls.Load(); n != 1 {
		t.Fatalf("calls %d, want 1", n)
	}
	remove := func(tok string, bearer bool) int {
		r := httptest.NewRequest(http.MethodGet, "https://api.example/api/redirect_uri?remove_at_cache="+url.QueryEscape(tok), nil)
		if bearer {
			r.Header.Set("Authorization", "Bearer tok")
		}
		return rsDo(rs, &RSDir{}, r).res.Status
	}
	for _, c := range []struct {
		tok    string
		bearer bool
		want   int
	}{{"unknown", false, 404}, {"tok", true, 500}, {"tok", false, 404}, {"", false, 404}} {
		if got := remove(c.tok, c.bearer); got != c.want {
			t.Errorf("remove_at_cache=%q: %d, want %d", c.tok, got, c.want)
		}
	}
	if out := rsDo(rs, &RSDir{}, bearerReq("tok")); out.res.User != "bob" {
		t.Fatalf("%+v", out.res)
	}
	if n := in.calls.Load(); n != 2 {
		t.Fatalf("calls %d after the removal, want 2", n)
	}
	// Elsewhere the parameter means nothing: the bearer token decides.
	r := httptest.NewRequest(http.MethodGet, "https://api.example/api/other?remove_at_cache=tok", nil)
	if out := rsDo(rs, &RSDir{}, r); out.res.Status != 401 {
		t.Errorf("remove_at_cache off the redirect URI: %+v", out.res)
	}
}

// TestRSIntrospectionClientSecretJWT: OIDCOAuthIntrospectionEndpointAuth
// client_secret_jwt sends an HS256 assertion whose aud is the
// introspection endpoint, and no client_id or Basic credentials.
func TestRSIntrospectionClientSecretJWT(t *testing.T) {
	in := newIntrospector(t, func(tok string) (int, string) {
		return 200, `{"active":true,"sub":"bob","exp":` + jsonInt(rsNow.Add(time.Hour).Unix()) + `}`
	})
	rs := newRS(t, RSSettings{IntrospectionEndpoint: in.srv.URL + "/introspect", ClientID: "rs", ClientSecret: "k", IntrospectionAuth: "client_secret_jwt"})
	if out := rsDo(rs, &RSDir{}, bearerReq("tok")); out.res.User != "bob" {
		t.Fatalf("%+v", out.res)
	}
	last := in.last.Load().(url.Values)
	if last.Get("user") != "" || last.Get("client_id") != "" || last.Get("assertion_type") != assertionTypeJWT {
		t.Fatalf("introspection request %v", last)
	}
	parts := strings.Split(last.Get("assertion"), ".")
	if len(parts) != 3 {
		t.Fatalf("assertion %q", last.Get("assertion"))
	}
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c struct{ Iss, Sub, Aud string }
	if err := json.Unmarshal(payload, &c); err != nil || c.Iss != "rs" || c.Sub != "rs" || c.Aud != in.srv.URL+"/introspect" {
		t.Errorf("assertion claims %s (%v)", payload, err)
	}
	// private_key_jwt without OIDCPrivateKeyFiles: the token is refused,
	// nothing is sent.
	rs = newRS(t, RSSettings{IntrospectionEndpoint: in.srv.URL, ClientID: "rs", ClientSecret: "k", IntrospectionAuth: "private_key_jwt"})
	before := in.calls.Load()
	if out := rsDo(rs, &RSDir{}, bearerReq("tok")); out.res.Status != 401 || in.calls.Load() != before {
		t.Errorf("private_key_jwt without keys: %+v, %d calls", out.res, in.calls.Load()-before)
	}
}
