package oidc

import (
	"net/http"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// TestRSEncryptedJWT: JWE bearer tokens whose payload is the signed token
// are decrypted (OIDCOAuthDecryptSharedKeys, OIDCPrivateKeyFiles, or the
// bytes of OIDCClientSecret when no shared decryption key is configured)
// and then validated as any JWT; what does not decrypt, or decrypts to
// something unsigned, expired or badly signed, is a 401 invalid_token.
func TestRSEncryptedJWT(t *testing.T) {
	jwks := jwksServer(t)
	k1, _ := testRSAKeys(t)
	sharedDec := []byte("0123456789abcdef")
	secret := "0123456789abcdef0123456789abcdef"
	rsShared := newRS(t, RSSettings{JWKSURI: jwks, DecryptKeys: []JWEKey{SymmetricJWEKey("dk", sharedDec, "")},
		ClientKeys: []jose.JSONWebKey{{Key: k1, KeyID: "rsa1"}}})
	rsSecret := newRS(t, RSSettings{JWKSURI: jwks, DecryptSecret: secret})
	signed := mint(t, jose.RS256, rsKey, "k1", good())
	d := &RSDir{}
	const bad = `Bearer error="invalid_token", error_description="JWT token could not be validated"`
	for _, c := range []struct {
		name string
		rs   *ResourceServer
		tok  string
		ok   bool
	}{
		{"shared key A128KW by kid", rsShared, encryptJWE(t, signed, jose.A128KW, jose.A256GCM, sharedDec, "dk", nil), true},
		{"shared key A128KW no kid", rsShared, encryptJWE(t, signed, jose.A128KW, jose.A128CBC_HS256, sharedDec, "", nil), true},
		{"private key RSA-OAEP", rsShared, encryptJWE(t, signed, jose.RSA_OAEP, jose.A128CBC_HS256, &k1.PublicKey, "rsa1", nil), true},
		{"client secret dir", rsSecret, encryptJWE(t, signed, jose.DIRECT, jose.A256GCM, []byte(secret), "", nil), true},
		{"client secret not used when shared keys are set", rsShared, encryptJWE(t, signed, jose.DIRECT, jose.A256GCM, []byte(secret), "", nil), false},
		{"client secret hashed (the RP's derivation)", rsSecret, encryptJWE(t, signed, jose.DIRECT, jose.A256GCM, secretKeyFor(secret, 32), "", nil), false},
		{"unknown kid", rsShared, encryptJWE(t, signed, jose.A128KW, jose.A256GCM, sharedDec, "nope", nil), false},
		{"compressed", rsShared, encryptJWE(t, signed, jose.A128KW, jose.A256GCM, sharedDec, "", &jose.EncrypterOptions{Compression: jose.DEFLATE}), false},
		{"payload unsigned", rsShared, encryptJWE(t, unsigned(good()), jose.A128KW, jose.A256GCM, sharedDec, "", nil), false},
		{"payload claims only", rsShared, encryptJWE(t, `{"sub":"alice","exp":9999999999}`, jose.A128KW, jose.A256GCM, sharedDec, "", nil), false},
		{"payload expired", rsShared, encryptJWE(t, mint(t, jose.RS256, rsKey, "k1", with(good(), "exp", rsNow.Unix()-1)), jose.A128KW, jose.A256GCM, sharedDec, "", nil), false},
		{"payload a JWE again", rsShared, encryptJWE(t, encryptJWE(t, signed, jose.A128KW, jose.A256GCM, sharedDec, "", nil), jose.A128KW, jose.A256GCM, sharedDec, "", nil), false},
		{"no decryption keys", newRS(t, RSSettings{JWKSURI: jwks}), encryptJWE(t, signed, jose.A128KW, jose.A256GCM, sharedDec, "", nil), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := rsDo(c.rs, d, bearerReq(c.tok))
			if c.ok {
				if out.res.Status != 0 || out.res.User != "alice" || out.env["OIDC_CLAIM_scope"] != "read write" {
					t.Fatalf("want alice, got %+v env %v", out.res, out.env)
				}
				if out.env["OIDC_access_token"] != c.tok {
					t.Errorf("OIDC_access_token is not the token as sent")
				}
				return
			}
			if out.res.Status != http.StatusUnauthorized || out.res.Header.Get("WWW-Authenticate") != bad {
				t.Fatalf("want 401 invalid_token, got %+v", out.res)
			}
		})
	}
}
