package oidc

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// userInfoOP is an httptest provider: a discovery document and a userinfo
// endpoint that knows one opaque token.
type userInfoOP struct {
	srv                *httptest.Server
	uiCalls, discCalls atomic.Int32
}

const uiJSON = `{"sub":"alice","name":"Alice A.","email":"alice@example.com","picture":"https://img/x","locale":"en"}`

func newUserInfoOP(t *testing.T) *userInfoOP {
	op := &userInfoOP{}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		op.discCalls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issuer":"` + op.srv.URL + `","userinfo_endpoint":"` + op.srv.URL + `/userinfo"}`))
	})
	mux.HandleFunc("/userinfo", func(w http.ResponseWriter, r *http.Request) {
		op.uiCalls.Add(1)
		if r.Header.Get("Authorization") != "Bearer opaque-good" {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_token"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(uiJSON))
	})
	op.srv = httptest.NewServer(mux)
	t.Cleanup(op.srv.Close)
	return op
}

func (op *userInfoOP) settings() RSSettings {
	return RSSettings{ValidateWith: ValidateUserInfo, ProviderMetadataURL: op.srv.URL + "/.well-known/openid-configuration"}
}

func TestRSUserInfoValidation(t *testing.T) {
	op := newUserInfoOP(t)
	rs := newRS(t, op.settings())
	d := &RSDir{}
	out := rs2(rs, d, "opaque-good")
	if out.res.Status != 0 || out.res.User != "alice" {
		t.Fatalf("valid opaque token: %+v", out.res)
	}
	if got := out.req.Header["OIDC_CLAIM_email"]; len(got) != 1 || got[0] != "alice@example.com" {
		t.Errorf("claim header = %q", got)
	}
	// Cached by the token's hash: a second request costs no call.
	rs2(rs, d, "opaque-good")
	if n := op.uiCalls.Load(); n != 1 {
		t.Errorf("userinfo calls = %d, want 1 (cached)", n)
	}
	if n := op.discCalls.Load(); n != 1 {
		t.Errorf("discovery calls = %d, want 1", n)
	}
	// -1: never cached.
	nd := &RSDir{IntrospectionInterval: -1}
	rs2(rs, nd, "opaque-good")
	rs2(rs, nd, "opaque-good")
	if n := op.uiCalls.Load(); n != 3 {
		t.Errorf("userinfo calls = %d, want 3 with interval -1", n)
	}
	// Invalid token: 401 with the module's WWW-Authenticate, and the
	// failure is not cached as a success.
	bad := rs2(rs, d, "opaque-bad")
	if bad.res.Status != http.StatusUnauthorized || bad.res.Header.Get("Www-Authenticate") != `Bearer error="invalid_token", error_description="Token could not be validated at the userinfo endpoint"` {
		t.Fatalf("invalid token: %+v", bad.res)
	}
	if len(bad.req.Header["OIDC_CLAIM_sub"]) != 0 {
		t.Error("claims passed for an invalid token")
	}
}

func TestRSUserInfoNoEndpoint(t *testing.T) {
	rs := newRS(t, RSSettings{ValidateWith: ValidateUserInfo})
	if out := rs2(rs, &RSDir{}, "opaque-good"); out.res.Status != http.StatusUnauthorized {
		t.Fatalf("without a provider: %+v", out.res)
	}
}

func TestRSTokenHeader(t *testing.T) {
	op := newUserInfoOP(t)
	rs := newRS(t, op.settings())
	for _, v := range []string{"opaque-good", "Bearer opaque-good", "bearer  opaque-good"} {
		r := httptest.NewRequest(http.MethodGet, "https://api.example/x", nil)
		r.Header.Set("X-Access-Token", v)
		out := rsDo(rs, &RSDir{Accept: AcceptTokenAs{HeaderName: "X-Access-Token"}}, r)
		if out.res.Status != 0 || out.res.User != "alice" {
			t.Errorf("%q: %+v", v, out.res)
		}
	}
}

func TestRSStripAndPass(t *testing.T) {
	op := newUserInfoOP(t)
	rs := newRS(t, op.settings())
	cases := []struct {
		name   string
		accept AcceptTokenAs
		build  func(r *http.Request)
		check  func(t *testing.T, r *http.Request)
	}{
		{"authorization", AcceptTokenAs{}, func(r *http.Request) { r.Header.Set("Authorization", "Bearer opaque-bad") },
			func(t *testing.T, r *http.Request) {
				if r.Header.Get("Authorization") != "" {
					t.Error("Authorization kept")
				}
			}},
		{"custom header", AcceptTokenAs{HeaderName: "X-Token"}, func(r *http.Request) { r.Header.Set("X-Token", "opaque-bad") },
			func(t *testing.T, r *http.Request) {
				if r.Header.Get("X-Token") != "" {
					t.Error("X-Token kept")
				}
			}},
		{"cookie", AcceptTokenAs{Cookie: true, CookieName: "at"}, func(r *http.Request) { r.Header.Set("Cookie", "a=1; at=opaque-bad; b=2") },
			func(t *testing.T, r *http.Request) {
				if got := r.Header.Get("Cookie"); got != "a=1; b=2" {
					t.Errorf("Cookie = %q", got)
				}
			}},
		{"query", AcceptTokenAs{Query: true}, func(r *http.Request) {
			r.URL.RawQuery = "a=1&access_token=opaque-bad&b=2"
			r.RequestURI = "/x?" + r.URL.RawQuery
		}, func(t *testing.T, r *http.Request) {
			if r.URL.RawQuery != "a=1&b=2" || r.RequestURI != "/x?a=1&b=2" {
				t.Errorf("query = %q, RequestURI = %q", r.URL.RawQuery, r.RequestURI)
			}
		}},
		{"missing", AcceptTokenAs{}, func(r *http.Request) {}, func(t *testing.T, r *http.Request) {}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "https://api.example/x", nil)
			r.Header.Set("OIDC_CLAIM_sub", "mallory")
			r.Header.Set("Identity", "spoofed")
			c.build(r)
			rs.s.PassJSONHeader = "Identity"
			out := rsDo(rs, &RSDir{Accept: c.accept, UnAuthPass: true}, r)
			if out.res.Status != 0 || !out.res.Pass || out.res.User != "" || out.res.Authenticated {
				t.Fatalf("pass: %+v", out.res)
			}
			if out.req.Header.Get("OIDC_CLAIM_sub") != "" || out.req.Header.Get("Identity") != "" {
				t.Error("spoofed identity headers kept")
			}
			c.check(t, out.req)
		})
	}
	// A valid token still authenticates with pass configured.
	out := rs2(rs, &RSDir{UnAuthPass: true}, "opaque-good")
	if out.res.User != "alice" || out.res.Pass {
		t.Fatalf("valid token with pass: %+v", out.res)
	}
}

func TestRSEnforceStatus(t *testing.T) {
	op := newUserInfoOP(t)
	rs := newRS(t, op.settings())
	for _, st := range []int{403, 404} {
		out := rs2(rs, &RSDir{EnforceStatus: st}, "opaque-bad")
		if out.res.Status != st || out.res.Header.Get("Www-Authenticate") != "" {
			t.Errorf("%d: %+v", st, out.res)
		}
		r := httptest.NewRequest(http.MethodGet, "https://api.example/x", nil)
		if out := rsDo(rs, &RSDir{EnforceStatus: st}, r); out.res.Status != st {
			t.Errorf("%d, no token: %+v", st, out.res)
		}
	}
	out := rs2(rs, &RSDir{EnforceStatus: 401}, "opaque-bad")
	if out.res.Status != 401 || out.res.Header.Get("Www-Authenticate") == "" {
		t.Errorf("401: %+v", out.res)
	}
}

func TestRSUserInfoJSONHeader(t *testing.T) {
	op := newUserInfoOP(t)
	for _, c := range []struct {
		name   string
		claims []string
		enc    string
		want   string
	}{
		{"all", nil, "", uiJSON},
		{"chosen", []string{"sub", "name", "email", "absent"}, "", `{"sub":"alice","name":"Alice A.","email":"alice@example.com"}`},
		{"chosen order", []string{"email", "sub"}, "", `{"email":"alice@example.com","sub":"alice"}`},
		{"base64url", []string{"sub"}, "base64url", base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"alice"}`))},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := op.settings()
			s.PassJSONHeader, s.PassClaims, s.PassClaimsEncoding = "Identity", c.claims, c.enc
			rs := newRS(t, s)
			out := rs2(rs, &RSDir{}, "opaque-good")
			if got := out.req.Header.Get("Identity"); got != c.want {
				t.Errorf("Identity = %s, want %s", got, c.want)
			}
		})
	}
	// Not configured: no such header (the module's behaviour).
	rs := newRS(t, op.settings())
	if out := rs2(rs, &RSDir{}, "opaque-good"); out.req.Header.Get("Identity") != "" {
		t.Error("Identity set without OIDCPassUserInfoAs json:NAME")
	}
}

func FuzzStripToken(f *testing.F) {
	f.Add("a=1&access_token=x&b=2", "a=1; at=x; b", "Bearer x")
	f.Add("access_token=%zz&&", ";;at", "basic Zm9vOmJhcg==")
	f.Fuzz(func(t *testing.T, query, cookie, authz string) {
		r := httptest.NewRequest(http.MethodGet, "https://api.example/x", nil)
		r.URL.RawQuery = query
		r.RequestURI = "/x?" + query
		r.Header.Set("Cookie", cookie)
		r.Header.Set("Authorization", authz)
		r.Header.Set("X-T", authz)
		a := AcceptTokenAs{Header: true, Query: true, Cookie: true, CookieName: "at", Basic: true, HeaderName: "X-T"}
		StripToken(r, a)
		if tok, found, _ := ExtractToken(r, a); found {
			t.Fatalf("token %q still found after StripToken", tok)
		}
	})
}
