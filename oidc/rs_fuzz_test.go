package oidc

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzExtractToken feeds arbitrary Authorization headers, queries, form
// bodies and cookies to ExtractToken: it must not panic, must never return
// a token longer than MaxTokenSize, must refuse a duplicated access_token
// parameter, and must not leave access_token in a body it took the token
// from.
func FuzzExtractToken(f *testing.F) {
	f.Add("Bearer abc", "access_token=q", "a=1&access_token=p", "PA.global=c", uint8(0xff))
	f.Add("Basic YTpi", "access_token=a&access_token=b", "access_token=%zz", "", uint8(0x10))
	f.Add("bearer\t x", "access_token", "access_token=&access_token", "PA.global", uint8(0x06))
	f.Fuzz(func(t *testing.T, authz, query, body, cookie string, mask uint8) {
		a := AcceptTokenAs{Header: mask&1 != 0, Post: mask&2 != 0, Query: mask&4 != 0, Cookie: mask&8 != 0, Basic: mask&16 != 0, CookieName: DefaultTokenCookie}
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.URL.RawQuery = query
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if authz != "" {
			r.Header["Authorization"] = []string{authz}
		}
		if cookie != "" {
			r.Header["Cookie"] = []string{cookie}
		}
		tok, found, err := ExtractToken(r, a)
		if len(tok) > MaxTokenSize {
			t.Fatalf("token of %d bytes returned", len(tok))
		}
		if err == nil && !found && tok != "" {
			t.Fatal("token without found")
		}
		if a.Query && !a.header() && !a.Basic && !a.Post && strings.Count("&"+query, "&access_token=") > 1 && err == nil {
			t.Fatalf("duplicate access_token in query %q accepted", query)
		}
		postOnly := a.Post && !a.Header && !a.Query && !a.Cookie && !a.Basic
		if postOnly && found && err == nil {
			rest, _ := io.ReadAll(r.Body)
			if _, ok, _ := singleParam(string(rest)); ok {
				t.Fatalf("access_token left in the body %q", rest)
			}
			if r.ContentLength != int64(len(rest)) {
				t.Fatalf("Content-Length %d for %d bytes", r.ContentLength, len(rest))
			}
		}
	})
}

// FuzzValidateJWT feeds arbitrary tokens to local JWT validation with a
// shared key and a static RSA key: it must not panic, and whatever it
// accepts carries a valid MAC or RSA signature and an exp in the future.
func FuzzValidateJWT(f *testing.F) {
	key := []byte("fuzz-key")
	f.Add(mintHS(f, key, map[string]any{"sub": "a", "exp": rsNow.Add(time.Hour).Unix()}))
	f.Add(mintHS(f, key, map[string]any{"sub": "a"}))
	f.Add(unsigned(map[string]any{"sub": "a", "exp": rsNow.Add(time.Hour).Unix()}))
	f.Add("e30.e30.")
	f.Add("a.b.c.d.e")
	rs := newRS(f, RSSettings{SharedKeys: [][]byte{key}, PublicKeys: []crypto.PublicKey{rsKey.Public()}})
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := rs.validateJWT(context.Background(), rsEndpoints{}, tok)
		if err != nil {
			return
		}
		parts := strings.Split(tok, ".")
		if len(parts) != 3 {
			t.Fatalf("accepted a token of %d parts", len(parts))
		}
		hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
		var h struct{ Alg string }
		_ = json.Unmarshal(hdr, &h)
		if strings.HasPrefix(h.Alg, "HS") && !hmacValid(tok, h.Alg, key) {
			t.Fatalf("accepted a bad MAC: %q", tok)
		}
		if strings.EqualFold(h.Alg, "none") {
			t.Fatalf("accepted alg none: %q", tok)
		}
		if _, ok := c.Get("exp"); !ok {
			t.Fatalf("accepted without exp: %q", tok)
		}
	})
}
