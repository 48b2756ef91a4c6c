package oidc

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc/oidctest"
	jose "github.com/go-jose/go-jose/v4"
)

// fakeOP is a minimal in-process OpenID Provider for fast unit tests: it
// answers discovery, keys, token, userinfo; a test shapes the id_token
// through mutate. End-to-end tests use the real oidc-provider instead.
type fakeOP struct {
	t      testing.TB
	srv    *httptest.Server
	key    *rsa.PrivateKey
	issuer string
	now    func() time.Time

	mu sync.Mutex
	// codes maps a code to the nonce and PKCE challenge of its request.
	codes map[string]codeGrant
	// claims are the id_token's extra claims; userinfo is the userinfo
	// response (nil: endpoint answers 404).
	claims   map[string]any
	userinfo json.RawMessage
	// mutate edits the id_token claims before signing.
	mutate func(map[string]any)
	// tokenRequests records the token requests' forms and auth headers.
	tokenForms []url.Values
	tokenAuth  []string
	revoked    []string
	// revokeForms and revokeAuth record each revocation request.
	revokeForms []url.Values
	revokeAuth  []string
	alg         string
	// refreshForms records refresh grants.
	refreshForms []url.Values
	// spendOnce: a refresh token is accepted once (rotation with reuse
	// refused, as oidc-provider); spent are those sent.
	spendOnce bool
	spent     map[string]bool
	// onRefresh, if set, runs when a refresh grant arrives, before it is
	// answered (tests hold a grant in flight with it).
	onRefresh func()
	// userinfoCalls counts userinfo requests.
	userinfoCalls int
	// tokenCookies records each token request's Cookie header.
	tokenCookies []string
	// keyFetches counts JWKS downloads.
	keyFetches int
	// wrapIDToken, when set, replaces the signed id_token (encrypts it).
	wrapIDToken func(string) string
}

type codeGrant struct{ nonce, challenge string }

func newFakeOP(t testing.TB, now func() time.Time) *fakeOP {
	return newFakeOPWith(t, now, false)
}

// newFakeOPWith starts the fake provider, over TLS with a test
// certificate when tlsOn.
func newFakeOPWith(t testing.TB, now func() time.Time, tlsOn bool) *fakeOP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	op := &fakeOP{t: t, key: key, now: now, codes: map[string]codeGrant{}, alg: "RS256",
		claims: map[string]any{"email": "alice@example.com", "email_verified": true}}
	keys := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: "RS256"}}}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": op.issuer, "authorization_endpoint": op.issuer + "/authorize",
			"token_endpoint": op.issuer + "/token", "userinfo_endpoint": op.issuer + "/userinfo",
			"jwks_uri": op.issuer + "/keys", "end_session_endpoint": op.issuer + "/logout",
			"revocation_endpoint":                   op.issuer + "/revoke",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		op.mu.Lock()
		op.keyFetches++
		op.mu.Unlock()
		keys.ServeHTTP(w, r)
	})
	mux.HandleFunc("/token", op.token)
	mux.HandleFunc("/userinfo", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		op.mu.Lock()
		ui := op.userinfo
		op.userinfoCalls++
		op.mu.Unlock()
		at := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if r.Method == http.MethodPost {
			at = r.PostForm.Get("access_token")
		}
		if ui == nil || at != "AT-1" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(ui)
	})
	mux.HandleFunc("/revoke", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		op.mu.Lock()
		op.revoked = append(op.revoked, r.PostForm.Get("token"))
		op.revokeForms = append(op.revokeForms, r.PostForm)
		op.revokeAuth = append(op.revokeAuth, r.Header.Get("Authorization"))
		op.mu.Unlock()
	})
	if tlsOn {
		op.srv = httptest.NewTLSServer(mux)
	} else {
		op.srv = httptest.NewServer(mux)
	}
	t.Cleanup(op.srv.Close)
	op.issuer = op.srv.URL
	keys.SetIssuer(op.issuer)
	return op
}

// grant registers what the authorization endpoint would have issued for
// the authorization request at location, and returns the code.
func (op *fakeOP) grant(location string) string {
	u, err := url.Parse(location)
	if err != nil {
		op.t.Fatal(err)
	}
	q := u.Query()
	code := "code-" + q.Get("state") + q.Get("x")
	op.mu.Lock()
	op.codes[code] = codeGrant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge")}
	op.mu.Unlock()
	return code
}

func (op *fakeOP) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	if op.onRefresh != nil && r.PostForm.Get("grant_type") == "refresh_token" {
		op.onRefresh()
	}
	op.mu.Lock()
	defer op.mu.Unlock()
	op.tokenForms = append(op.tokenForms, r.PostForm)
	op.tokenAuth = append(op.tokenAuth, r.Header.Get("Authorization"))
	op.tokenCookies = append(op.tokenCookies, r.Header.Get("Cookie"))
	if r.PostForm.Get("grant_type") == "refresh_token" {
		op.refreshForms = append(op.refreshForms, r.PostForm)
		rt := r.PostForm.Get("refresh_token")
		spent := op.spendOnce && op.spent[rt]
		if op.spendOnce {
			if op.spent == nil {
				op.spent = map[string]bool{}
			}
			op.spent[rt] = true
		}
		if rt != "RT-1" || spent {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"AT-2","token_type":"Bearer","expires_in":"3600","refresh_token":"RT-2"}`))
		return
	}
	g, ok := op.codes[r.PostForm.Get("code")]
	delete(op.codes, r.PostForm.Get("code"))
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
		return
	}
	if g.challenge != "" {
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"pkce"}`))
			return
		}
	}
	now := op.now()
	c := map[string]any{"iss": op.issuer, "sub": "248289761001", "aud": "client1", "exp": now.Add(time.Hour).Unix(),
		"iat": now.Unix(), "nonce": g.nonce}
	for k, v := range op.claims {
		c[k] = v
	}
	if op.mutate != nil {
		op.mutate(c)
	}
	b, _ := json.Marshal(c)
	var idt string
	if op.alg == "HS256" {
		// Algorithm confusion: HMAC keyed with the RSA public key.
		pub, _ := x509.MarshalPKIXPublicKey(op.key.Public())
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: pub}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
		if err != nil {
			op.t.Error(err)
			return
		}
		jws, _ := signer.Sign(b)
		idt, _ = jws.CompactSerialize()
	} else {
		idt = oidctest.SignIDToken(op.key, "k1", op.alg, string(b))
	}
	if op.wrapIDToken != nil {
		idt = op.wrapIDToken(idt)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "AT-1", "token_type": "Bearer", "expires_in": 3600,
		"refresh_token": "RT-1", "id_token": idt})
}
