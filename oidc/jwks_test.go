package oidc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// TestJWKSDocument: ?jwks in the module's spacing; each key's members in
// cjose's order with x5c, x5t#S256 and x5t after them; private keys are
// written public; the answer is valid JSON go-jose reads back.
func TestJWKSDocument(t *testing.T) {
	if got := string(jwksDocument(nil)); got != `{ "keys" : [ ] }` {
		t.Errorf("no keys: %s", got)
	}
	priv, pub := testClientKeys(t)
	pub.KeyID = "cert"
	n := base64.RawURLEncoding.EncodeToString(priv.Key.(*rsa.PrivateKey).N.Bytes())
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pad := func(i *big.Int) string {
		return base64.RawURLEncoding.EncodeToString(i.FillBytes(make([]byte, 32)))
	}
	got := string(jwksDocument([]jose.JSONWebKey{priv, pub, {Key: ecKey, KeyID: "e", Use: "sig"}}))
	x5c := base64.StdEncoding.EncodeToString(pub.Certificates[0].Raw)
	want := `{ "keys" : [ {"kty":"RSA","kid":"pk1","e":"AQAB","n":"` + n + `"} ,` +
		` {"kty":"RSA","kid":"cert","e":"AQAB","n":"` + n + `","x5c":["` + x5c + `"],"x5t":"` +
		base64.RawURLEncoding.EncodeToString(pub.CertificateThumbprintSHA1) + `"} ,` +
		` {"kty":"EC","kid":"e","crv":"P-256","x":"` + pad(ecKey.X) + `","y":"` + pad(ecKey.Y) + `","use":"sig"}  ] }`
	if got != want {
		t.Errorf("jwks\n got %s\nwant %s", got, want)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(got), &set); err != nil || len(set.Keys) != 3 {
		t.Errorf("not a JWKS go-jose reads: %v (%d keys)", err, len(set.Keys))
	}
	for _, k := range set.Keys {
		if !k.IsPublic() {
			t.Errorf("key %s has private parameters", k.KeyID)
		}
	}
}
