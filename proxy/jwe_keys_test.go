package proxy

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcgate/oidcgate/oidc"
)

// TestDecryptSharedKey: OIDCOAuthDecryptSharedKeys' forms (current
// upstream's key records) and the kid each gets.
func TestDecryptSharedKey(t *testing.T) {
	for _, c := range []struct {
		in, kid, key, use string
		bad               bool
	}{
		{in: "plainkey", kid: oidc.SymmetricJWEKey("", []byte("plainkey"), "").KID, key: "plainkey"},
		{in: "k1#secret", kid: "k1", key: "secret"},
		{in: "plain#k2#secret", kid: "k2", key: "secret"},
		{in: "hex#k3#414243", kid: "k3", key: "ABC"},
		{in: "b64#k4#QUJD", kid: "k4", key: "ABC"},
		{in: "b64url##QUJD", kid: oidc.SymmetricJWEKey("", []byte("ABC"), "").KID, key: "ABC"},
		{in: "enc:hex#k5#414243", kid: "k5", key: "ABC", use: "enc"},
		{in: "sig:k6#x", kid: "k6", key: "x", use: "sig"},
		{in: "hex#k#zz", bad: true},
		{in: "rot13#k#x", bad: true},
		{in: "enc:", bad: true},
	} {
		k, err := decryptSharedKey(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("%q accepted: %+v", c.in, k)
			}
			continue
		}
		if err != nil || k.KID != c.kid || !bytes.Equal(k.Key.([]byte), []byte(c.key)) || k.Use != c.use {
			t.Errorf("%q: %+v %v", c.in, k, err)
		}
	}
}

// TestOAuthJWEThroughPipeline: a JWE bearer token decrypted with
// OIDCOAuthDecryptSharedKeys (written inside <IfModule oidcgate.c>, as
// Apache 2.4.12.3 does not know it) reaches the backend; with the
// directive OIDCClientSecret no longer decrypts, without it it does.
func TestOAuthJWEThroughPipeline(t *testing.T) {
	be := newRecorder(t)
	addr := be.srv.Listener.Addr().String()
	conf := func(extra string) string {
		return `ServerName api.example
OIDCOAuthVerifySharedKeys ` + rsSecret + `
OIDCClientSecret client-secret-32-bytes-long-0123
` + extra + `
<Location /api>
  AuthType oauth20
  Require valid-user
  ProxyPass http://` + addr + `/api
</Location>
`
	}
	enc := func(key []byte, alg jose.KeyAlgorithm, kid string) string {
		e, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: alg, Key: key, KeyID: kid}, nil)
		if err != nil {
			t.Fatal(err)
		}
		o, _ := e.Encrypt([]byte(apiToken(t, "read")))
		s, _ := o.CompactSerialize()
		return s
	}
	shared := []byte("0123456789abcdef")
	byShared := enc(shared, jose.A128KW, "dk")
	bySecret := enc([]byte("client-secret-32-bytes-long-0123"), jose.DIRECT, "")
	for _, c := range []struct {
		name, extra, tok string
		want             int
	}{
		{"shared key", "<IfModule oidcgate.c>\n  OIDCOAuthDecryptSharedKeys hex#dk#30313233343536373839616263646566\n</IfModule>", byShared, 200},
		{"client secret not used with shared keys", "<IfModule oidcgate.c>\n  OIDCOAuthDecryptSharedKeys hex#dk#30313233343536373839616263646566\n</IfModule>", bySecret, 401},
		{"client secret without shared keys", "", bySecret, 200},
		{"shared key not configured", "", byShared, 401},
	} {
		t.Run(c.name, func(t *testing.T) {
			site := NewSite(loadConfig(t, conf(c.extra)), nil, slog.New(slog.DiscardHandler))
			t.Cleanup(site.Close)
			front := httptest.NewServer(site)
			t.Cleanup(front.Close)
			req, _ := http.NewRequest("GET", front.URL+"/api/x", nil)
			req.Header.Set("Authorization", "Bearer "+c.tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d (%v)", resp.StatusCode, c.want, resp.Header)
			}
		})
	}
}
