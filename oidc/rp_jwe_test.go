package oidc

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc/oidctest"
	jose "github.com/go-jose/go-jose/v4"
)

// TestEncryptedIDToken: an id_token sent as a JWE (its payload the signed
// id_token) logs in when the client secret's key decrypts it; the session
// keeps the JWE as received (OIDCPassIDTokenAs serialized passes it), the
// claims are the inner token's. A JWE no key opens, or whose payload is
// not a signed token, is refused like a bad id_token.
func TestEncryptedIDToken(t *testing.T) {
	for _, tc := range []struct {
		name string
		wrap func(h *harness, idt string) string
		ok   bool
	}{
		{"dir A128CBC-HS256", func(h *harness, idt string) string {
			return encryptJWE(t, idt, jose.DIRECT, jose.A128CBC_HS256, secretKeyFor("s3cret", 32), "", nil)
		}, true},
		{"A128KW A256GCM", func(h *harness, idt string) string {
			return encryptJWE(t, idt, jose.A128KW, jose.A256GCM, secretKeyFor("s3cret", 16), "", nil)
		}, true},
		{"wrong secret", func(h *harness, idt string) string {
			return encryptJWE(t, idt, jose.A128KW, jose.A256GCM, secretKeyFor("other", 16), "", nil)
		}, false},
		{"unsigned payload", func(h *harness, idt string) string {
			parts := strings.Split(idt, ".")
			return encryptJWE(t, parts[1], jose.DIRECT, jose.A128CBC_HS256, secretKeyFor("s3cret", 32), "", nil)
		}, false},
		{"alg none payload", func(h *harness, idt string) string {
			parts := strings.Split(idt, ".")
			return encryptJWE(t, "eyJhbGciOiJub25lIn0."+parts[1]+".", jose.DIRECT, jose.A128CBC_HS256, secretKeyFor("s3cret", 32), "", nil)
		}, false},
		{"RSA-OAEP to OIDCPrivateKeyFiles' key by kid", func(h *harness, idt string) string {
			k, _ := testRSAKeys(t)
			return encryptJWE(t, idt, jose.RSA_OAEP, jose.A128CBC_HS256, &k.PublicKey, "rsa1", nil)
		}, true},
		{"RSA1_5 to OIDCPrivateKeyFiles' key, no kid", func(h *harness, idt string) string {
			k, _ := testRSAKeys(t)
			return encryptJWE(t, idt, jose.RSA1_5, jose.A256GCM, &k.PublicKey, "", nil)
		}, true},
		{"RSA-OAEP naming another kid", func(h *harness, idt string) string {
			k, _ := testRSAKeys(t)
			return encryptJWE(t, idt, jose.RSA_OAEP, jose.A128CBC_HS256, &k.PublicKey, "other", nil)
		}, false},
		{"RSA-OAEP to a key oidcgate does not have", func(h *harness, idt string) string {
			_, k := testRSAKeys(t)
			return encryptJWE(t, idt, jose.RSA_OAEP, jose.A128CBC_HS256, &k.PublicKey, "", nil)
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, _ := testRSAKeys(t)
			h := newHarness(t, func(s *Settings) {
				s.PassIDTokenAs = []string{"claims", "serialized"}
				s.PrivateKeys = []jose.JSONWebKey{{Key: k, KeyID: "rsa1", Use: "enc"}}
			})
			var sent string
			h.op.wrapIDToken = func(idt string) string { sent = tc.wrap(h, idt); return sent }
			if !tc.ok {
				first := h.do("GET", "/", nil)
				state := mustQuery(t, first.res.Location).Get("state")
				sc, _, _ := cookieValue(first.sets, "mod_auth_openidc_state_"+state)
				code := h.op.grant(first.res.Location)
				cb := h.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + sc})
				if !strings.Contains(cb.rec.Body.String(), "Error in handling response type.") {
					t.Fatalf("accepted or wrong error: %d %q", cb.rec.Code, cb.rec.Body.String())
				}
				return
			}
			sess, _ := h.login("/")
			r := h.do("GET", "/", map[string]string{"Cookie": "mod_auth_openidc_session=" + sess})
			if got := hdr(r, "OIDC_CLAIM_email"); got != "alice@example.com" {
				t.Errorf("OIDC_CLAIM_email = %q", got)
			}
			if got := hdr(r, "OIDC_id_token"); got != sent || strings.Count(got, ".") != 4 {
				t.Errorf("OIDC_id_token = %q, want the JWE as sent", got)
			}
		})
	}
}

// TestUserInfoJWT: OIDCUserInfoSignedResponseAlg / EncryptedResponseAlg
// as 2.4.12.3 applies them: signed (provider JWKS or, for HS*, the client
// secret), encrypted then signed, a JWE decrypted by the signed step
// alone; refused: a JSON answer when a JWT is configured, a JWT when none
// is, another alg, a bad signature. A refused userinfo response leaves
// the login without userinfo claims; OIDCPassUserInfoAs jwt passes the
// JWT.
func TestUserInfoJWT(t *testing.T) {
	uiClaims := `{"sub":"248289761001","phone":"+1 555"}`
	rs256 := func(h *harness) string { return oidctest.SignIDToken(h.op.key, "k1", "RS256", uiClaims) }
	hs256 := func(key string) string { // go-jose refuses keys this short
		in := "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(uiClaims))
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(in))
		return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	enc := func(tok string) string {
		return encryptJWE(t, tok, jose.A128KW, jose.A128CBC_HS256, secretKeyFor("s3cret", 16), "", nil)
	}
	for _, tc := range []struct {
		name          string
		sig, encAlg   string
		body          func(h *harness) string
		ok            bool
		jwtIsResponse bool // OIDC_userinfo_jwt is the response as received
	}{
		{"RS256 signed", "RS256", "", rs256, true, true},
		{"HS256 with the client secret", "HS256", "", func(*harness) string { return hs256("s3cret") }, true, true},
		{"encrypted and signed", "RS256", "A128KW", func(h *harness) string { return enc(rs256(h)) }, true, false},
		{"JWE decrypted by the signed step", "RS256", "", func(h *harness) string { return enc(rs256(h)) }, true, true},
		{"plain JSON when only encrypted", "", "A128KW", func(*harness) string { return enc(uiClaims) }, true, false},

		{"JSON when signed is configured", "RS256", "", func(*harness) string { return uiClaims }, false, false},
		{"JWT when nothing is configured", "", "", rs256, false, false},
		{"other alg", "RS384", "", rs256, false, false},
		{"HS256 with another key", "HS256", "", func(*harness) string { return hs256("other") }, false, false},
		{"signed only when encryption is configured", "RS256", "A128KW", rs256, false, false},
		{"nested JWT when only encryption is configured", "", "A128KW", func(h *harness) string { return enc(rs256(h)) }, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(s *Settings) {
				s.UserInfoSignedAlg, s.UserInfoEncryptedAlg = tc.sig, tc.encAlg
				s.PassUserInfoAs = []string{"claims", "jwt"}
			})
			body := tc.body(h)
			h.op.userinfo = json.RawMessage(body)
			sess, _ := h.login("/")
			r := h.do("GET", "/", map[string]string{"Cookie": "mod_auth_openidc_session=" + sess})
			phone := hdr(r, "OIDC_CLAIM_phone")
			if tc.ok != (phone == "+1 555") {
				t.Fatalf("OIDC_CLAIM_phone = %q, want userinfo accepted = %v", phone, tc.ok)
			}
			jwt := hdr(r, "OIDC_userinfo_jwt")
			switch {
			case tc.ok && tc.sig != "" && tc.jwtIsResponse && jwt != body:
				t.Errorf("OIDC_userinfo_jwt = %q, want the response", jwt)
			case tc.ok && tc.sig != "" && !tc.jwtIsResponse && (jwt == "" || strings.Count(jwt, ".") != 2):
				t.Errorf("OIDC_userinfo_jwt = %q, want the decrypted JWS", jwt)
			case (!tc.ok || tc.sig == "") && jwt != "":
				t.Errorf("OIDC_userinfo_jwt = %q, want none", jwt)
			}
		})
	}
}

// hdr is the request header name as the relying party set it (not
// canonicalised).
func hdr(r response, name string) string {
	if v := r.req.Header[name]; len(v) == 1 {
		return v[0]
	}
	return ""
}

// TestEncryptedLogoutToken: a back-channel logout token sent as a JWE is
// decrypted with OIDCPrivateKeyFiles' keys (2.4.12.3 does not add the
// client secret's key there) and then checked as a signed one.
func TestEncryptedLogoutToken(t *testing.T) {
	k, _ := testRSAKeys(t)
	h := newHarness(t, func(s *Settings) { s.PrivateKeys = []jose.JSONWebKey{{Key: k, KeyID: "rsa1"}} })
	h.op.claims["sid"] = "session-7"
	sign := func() string {
		b, _ := json.Marshal(map[string]any{"iss": h.op.issuer, "aud": "client1", "iat": h.clock().Unix(), "jti": fmt.Sprint(time.Now().UnixNano()),
			"sid": "session-7", "events": map[string]any{backChannelEvent: map[string]any{}}})
		return oidctest.SignIDToken(h.op.key, "k1", "RS256", string(b))
	}
	post := func(tok string) int {
		r := httptest.NewRequest("POST", "http://www.example.com/redirect_uri?logout=backchannel", strings.NewReader("logout_token="+tok))
		r.RequestURI = "/redirect_uri?logout=backchannel"
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		res := h.rp.Authenticate(rec, &Request{HTTP: r, Path: "/redirect_uri", Dir: h.dir, Env: map[string]string{}, Scheme: "http", Host: "www.example.com"})
		if res.Done {
			return rec.Code
		}
		return res.Status
	}
	sess, _ := h.login("/")
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	if st := post(encryptJWE(t, sign(), jose.DIRECT, jose.A128CBC_HS256, secretKeyFor("s3cret", 32), "", nil)); st != 400 {
		t.Errorf("logout token encrypted with the client secret's key: %d, want 400", st)
	}
	if st := post(encryptJWE(t, "e30", jose.RSA_OAEP, jose.A128CBC_HS256, &k.PublicKey, "rsa1", nil)); st != 400 {
		t.Errorf("encrypted unsigned logout token: %d, want 400", st)
	}
	if !h.do("GET", "/", ck).res.Authenticated {
		t.Fatal("a refused logout token ended the session")
	}
	if st := post(encryptJWE(t, sign(), jose.RSA_OAEP, jose.A128CBC_HS256, &k.PublicKey, "rsa1", nil)); st != 200 {
		t.Fatalf("encrypted logout token: %d, want 200", st)
	}
	if h.do("GET", "/", ck).res.Authenticated {
		t.Error("the session survived an encrypted back-channel logout token")
	}
}

// FuzzUserInfoJWT: whatever the userinfo endpoint answers (JWE, JWS,
// garbage), the JWT handling never panics, and what it accepts is a
// response the provider's key signed (the seeds' claims).
func FuzzUserInfoJWT(f *testing.F) {
	k, _ := testRSAKeys(f)
	h := newHarness(f, func(s *Settings) {
		s.UserInfoSignedAlg = "RS256"
		s.PrivateKeys = []jose.JSONWebKey{{Key: k, KeyID: "rsa1"}}
	})
	signed := oidctest.SignIDToken(h.op.key, "k1", "RS256", `{"sub":"x"}`)
	f.Add(signed)
	f.Add(encryptJWE(f, signed, jose.RSA_OAEP, jose.A128CBC_HS256, &k.PublicKey, "rsa1", nil))
	f.Add(encryptJWE(f, signed, jose.A128KW, jose.A256GCM, secretKeyFor("s3cret", 16), "", nil))
	f.Add(`{"sub":"x"}`)
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	f.Add("a.b.c.d.e")
	ctx := context.Background()
	if _, err := h.rp.prov.metadata(ctx); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		claims, _, err := h.rp.userInfoJWT(ctx, []byte(body))
		if err == nil && string(claims) != `{"sub":"x"}` {
			t.Fatalf("accepted %q as %q", body, claims)
		}
	})
}
