package oidc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// testClientKeys returns an RSA private key as OIDCPrivateKeyFiles loads
// it (kid "pk1") and its certificate as OIDCPublicKeyFiles does.
func testClientKeys(t *testing.T) (priv, pub jose.JSONWebKey) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "client"},
		NotBefore: time.Unix(1700000000, 0), NotAfter: time.Unix(1900000000, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	s1 := sha1.Sum(der)
	return jose.JSONWebKey{Key: k, KeyID: "pk1"},
		jose.JSONWebKey{Key: &k.PublicKey, KeyID: "pk1", Certificates: []*x509.Certificate{c}, CertificateThumbprintSHA1: s1[:]}
}

// checkAssertion verifies a private_key_jwt assertion with pub and returns
// its protected header (raw JSON) and claims.
func checkAssertion(t *testing.T, a string, pub jose.JSONWebKey, algs ...jose.SignatureAlgorithm) (string, assertionClaims) {
	t.Helper()
	if len(algs) == 0 {
		algs = []jose.SignatureAlgorithm{jose.RS256}
	}
	jws, err := jose.ParseSigned(a, algs)
	if err != nil {
		t.Fatalf("assertion %q: %v", a, err)
	}
	payload, err := jws.Verify(pub.Key)
	if err != nil {
		t.Fatalf("the assertion does not verify with the public key: %v", err)
	}
	var c assertionClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(a, ".")[0])
	return string(hdr), c
}

// TestPrivateKeyJWT: OIDCProviderTokenEndpointAuth private_key_jwt signs
// the code grant, the refresh grant and the revocation calls with the
// first OIDCPrivateKeyFiles key: RS256, its kid and the first public
// key's x5t in the header; iss = sub = client id, aud = token endpoint,
// a fresh jti, 60 s. No secret, client_id or Basic credentials are sent.
func TestPrivateKeyJWT(t *testing.T) {
	priv, pub := testClientKeys(t)
	h := newHarness(t, func(s *Settings) {
		s.TokenEndpointAuth = "private_key_jwt"
		s.PrivateKeys, s.PublicKeys = []jose.JSONWebKey{priv}, []jose.JSONWebKey{pub}
	})
	sess, _ := h.login("/")
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	if r := h.do("GET", "/redirect_uri?refresh=%2Fback&access_token=AT-1", ck); r.res.Status != 302 {
		t.Fatalf("refresh: %+v", r.res)
	}
	h.do("GET", "/redirect_uri?logout=%2Fbye", ck)
	forms := append(append([]url.Values{}, h.op.tokenForms...), h.op.revokeForms...)
	auths := append(append([]string{}, h.op.tokenAuth...), h.op.revokeAuth...)
	if len(h.op.tokenForms) != 2 || len(h.op.revokeForms) != 2 {
		t.Fatalf("%d token and %d revocation requests, want 2 and 2", len(h.op.tokenForms), len(h.op.revokeForms))
	}
	x5t := base64.RawURLEncoding.EncodeToString(pub.CertificateThumbprintSHA1)
	jtis := map[string]bool{}
	for i, f := range forms {
		if auths[i] != "" || f.Has("client_id") || f.Has("client_secret") || f.Get("client_assertion_type") != assertionTypeJWT {
			t.Errorf("request %d: Authorization %q, form %v", i, auths[i], f)
		}
		hdr, c := checkAssertion(t, f.Get("client_assertion"), pub)
		if hdr != `{"alg":"RS256","kid":"pk1","x5t":"`+x5t+`"}` {
			t.Errorf("request %d: header %s", i, hdr)
		}
		now := h.clock().Unix()
		if c.Iss != "client1" || c.Sub != "client1" || c.Aud != h.op.issuer+"/token" || c.Iat != now || c.Exp != now+60 || len(c.JTI) != 22 || jtis[c.JTI] {
			t.Errorf("request %d: claims %+v", i, c)
		}
		jtis[c.JTI] = true
	}
}

// TestPrivateKeyJWTKeys: without OIDCPrivateKeyFiles nothing is sent (the
// module logs an error; it never falls back to none); without a
// certificate among OIDCPublicKeyFiles there is no x5t (2.4.12.3
// dereferences a missing public key list: oidcgate does not crash); an EC
// key signs ES256 (upstream).
func TestPrivateKeyJWTKeys(t *testing.T) {
	h := newHarness(t, func(s *Settings) { s.TokenEndpointAuth = "private_key_jwt" })
	first := h.do("GET", "/", nil)
	state := mustQuery(t, first.res.Location).Get("state")
	stateCookie, _, _ := cookieValue(first.sets, "mod_auth_openidc_state_"+state)
	code := h.op.grant(first.res.Location)
	cb := h.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + stateCookie})
	if _, _, ok := cookieValue(cb.sets, "mod_auth_openidc_session"); ok || len(h.op.tokenForms) != 0 {
		t.Errorf("without keys: status %d, %d token requests", cb.res.Status, len(h.op.tokenForms))
	}

	priv, _ := testClientKeys(t)
	a, err := newAssertionKey([]jose.JSONWebKey{priv}, nil).assertion("c", "https://op/token", time.Unix(1800000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if hdr, _ := checkAssertion(t, a, priv.Public()); hdr != `{"alg":"RS256","kid":"pk1"}` {
		t.Errorf("without a certificate: header %s", hdr)
	}

	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ej := jose.JSONWebKey{Key: ek, KeyID: "ec1"}
	a, err = newAssertionKey([]jose.JSONWebKey{ej}, nil).assertion("c", "https://op/token", time.Unix(1800000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if hdr, _ := checkAssertion(t, a, ej.Public(), jose.ES256); hdr != `{"alg":"ES256","kid":"ec1"}` {
		t.Errorf("EC key: header %s", hdr)
	}
}

// TestRSIntrospectionPrivateKeyJWT: OIDCOAuthIntrospectionEndpointAuth
// private_key_jwt signs with OIDCPrivateKeyFiles, aud the introspection
// endpoint.
func TestRSIntrospectionPrivateKeyJWT(t *testing.T) {
	priv, pub := testClientKeys(t)
	in := newIntrospector(t, func(tok string) (int, string) {
		return 200, `{"active":true,"sub":"bob","exp":` + jsonInt(rsNow.Add(time.Hour).Unix()) + `}`
	})
	rs := newRS(t, RSSettings{IntrospectionEndpoint: in.srv.URL + "/introspect", ClientID: "rs", IntrospectionAuth: "private_key_jwt",
		ClientKeys: []jose.JSONWebKey{priv}, ClientPublicKeys: []jose.JSONWebKey{pub}})
	if out := rsDo(rs, &RSDir{}, bearerReq("tok")); out.res.User != "bob" {
		t.Fatalf("%+v", out.res)
	}
	last := in.last.Load().(url.Values)
	if last.Get("user") != "" || last.Get("client_id") != "" || last.Get("assertion_type") != assertionTypeJWT {
		t.Fatalf("introspection request %v", last)
	}
	if _, c := checkAssertion(t, last.Get("assertion"), pub); c.Iss != "rs" || c.Sub != "rs" || c.Aud != in.srv.URL+"/introspect" {
		t.Errorf("claims %+v", c)
	}
}

// TestTokenEndpointClientCert: OIDCClientTokenEndpointCert/Key/KeyPassword
// (an encrypted PKCS#8 key) are presented to the token endpoint, for the
// code and the refresh grant, and on no other call (discovery, keys,
// userinfo, revocation), as in 2.4.12.3. The provider is a Go TLS server
// that verifies the certificate when one is given.
func TestTokenEndpointClientCert(t *testing.T) {
	certPEM, err := os.ReadFile("../internal/pemkey/testdata/cert.pem")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	var mu sync.Mutex
	seen := map[string][]bool{} // path -> client certificate presented, per call
	var inner http.Handler
	front := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path] = append(seen[r.URL.Path], len(r.TLS.PeerCertificates) > 0)
		mu.Unlock()
		inner.ServeHTTP(w, r)
	}))
	front.TLS = &tls.Config{ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool}
	front.StartTLS()
	t.Cleanup(front.Close)
	h := newHarness(t, func(s *Settings) {
		s.MetadataURL = front.URL + "/.well-known/openid-configuration"
		s.SSLValidateServer = false
		s.TokenEndpointCertFile = "../internal/pemkey/testdata/cert.pem"
		s.TokenEndpointKeyFile = "../internal/pemkey/testdata/pbes2-aes256.key"
		s.TokenEndpointKeyPassword = "s3cret"
	})
	inner = h.op.srv.Config.Handler
	h.op.issuer = front.URL
	h.op.userinfo = json.RawMessage(`{"sub":"248289761001"}`)
	sess, _ := h.login("/")
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	if r := h.do("GET", "/redirect_uri?refresh=%2Fback&access_token=AT-1", ck); r.res.Status != 302 {
		t.Fatalf("refresh: %+v", r.res)
	}
	h.do("GET", "/redirect_uri?logout=%2Fbye", ck)
	mu.Lock()
	defer mu.Unlock()
	if got := seen["/token"]; len(got) != 2 || !got[0] || !got[1] {
		t.Errorf("token endpoint: certificate presented %v, want [true true]", got)
	}
	for _, p := range []string{"/.well-known/openid-configuration", "/keys", "/userinfo", "/revoke"} {
		if len(seen[p]) == 0 {
			t.Errorf("%s was not called", p)
		}
		for _, c := range seen[p] {
			if c {
				t.Errorf("%s: a client certificate was presented", p)
			}
		}
	}

	// A wrong password: the token endpoint is not called, the login fails.
	h = newHarness(t, func(s *Settings) {
		s.TokenEndpointCertFile = "../internal/pemkey/testdata/cert.pem"
		s.TokenEndpointKeyFile = "../internal/pemkey/testdata/pbes2-aes256.key"
		s.TokenEndpointKeyPassword = "wrong"
	})
	first := h.do("GET", "/", nil)
	state := mustQuery(t, first.res.Location).Get("state")
	stateCookie, _, _ := cookieValue(first.sets, "mod_auth_openidc_state_"+state)
	code := h.op.grant(first.res.Location)
	cb := h.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + stateCookie})
	if _, _, ok := cookieValue(cb.sets, "mod_auth_openidc_session"); ok || len(h.op.tokenForms) != 0 {
		t.Errorf("wrong key password: status %d, %d token requests", cb.res.Status, len(h.op.tokenForms))
	}
}

// TestPrivateKeyJWTSkipsEncryptionKeys: an OIDCPrivateKeyFiles key marked
// "enc:" never signs a private_key_jwt assertion (current upstream picks
// the first key for use sig or without a use); with only such keys there
// is no assertion.
func TestPrivateKeyJWTSkipsEncryptionKeys(t *testing.T) {
	priv, _ := testClientKeys(t)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	enc := jose.JSONWebKey{Key: ek, KeyID: "enc1", Use: "enc"}
	a, err := newAssertionKey([]jose.JSONWebKey{enc, priv}, nil).assertion("c", "https://op/token", time.Unix(1800000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if hdr, _ := checkAssertion(t, a, priv.Public()); hdr != `{"alg":"RS256","kid":"pk1"}` {
		t.Errorf("header %s, want the signing key's", hdr)
	}
	if _, err := newAssertionKey([]jose.JSONWebKey{enc}, nil).assertion("c", "https://op/token", time.Unix(1800000000, 0)); err == nil {
		t.Error("an enc-only key signed the assertion")
	}
}
