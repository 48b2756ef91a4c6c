package oidc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"strings"
	"sync"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

var (
	testRSAOnce sync.Once
	testRSA     [2]*rsa.PrivateKey
)

// testRSAKeys are two RSA keys shared by the JWE tests (generating them
// is slow).
func testRSAKeys(t testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	testRSAOnce.Do(func() {
		for i := range testRSA {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			testRSA[i] = k
		}
	})
	return testRSA[0], testRSA[1]
}

// encryptJWE seals plain for key (the recipient's public or symmetric key).
func encryptJWE(t testing.TB, plain string, alg jose.KeyAlgorithm, enc jose.ContentEncryption, key any, kid string, opts *jose.EncrypterOptions) string {
	t.Helper()
	e, err := jose.NewEncrypter(enc, jose.Recipient{Algorithm: alg, Key: key, KeyID: kid}, opts)
	if err != nil {
		t.Fatalf("encrypter %s/%s: %v", alg, enc, err)
	}
	obj, err := e.Encrypt([]byte(plain))
	if err != nil {
		t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// secretKeyFor is the module's client-secret key for alg.
func secretKeyFor(secret string, n int) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:n]
}

// TestJWEDecrypt: what the relying party's and the resource server's
// decrypters accept and refuse (cjose 0.6.2.1's algorithms, the module's
// kid rule and client-secret derivation).
func TestJWEDecrypt(t *testing.T) {
	k1, k2 := testRSAKeys(t)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	const secret = "s3cret"
	rp := &jweDecrypter{keys: []JWEKey{{KID: "rsa1", Key: k1}, {KID: "rsa2", Key: k2, Use: "enc"}}, secret: secret, hashed: true}
	rsRaw := &jweDecrypter{secret: "0123456789abcdef0123456789abcdef"}
	shared := &jweDecrypter{keys: []JWEKey{SymmetricJWEKey("", []byte("0123456789abcdef"), ""), SymmetricJWEKey("sk", make([]byte, 32), "enc")}}
	sigOnly := &jweDecrypter{keys: []JWEKey{{KID: "s", Key: k1, Use: "sig"}}}
	const plain = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"
	for _, tc := range []struct {
		name string
		d    *jweDecrypter
		tok  string
		ok   bool
	}{
		{"RSA-OAEP kid", rp, encryptJWE(t, plain, jose.RSA_OAEP, jose.A128CBC_HS256, &k1.PublicKey, "rsa1", nil), true},
		{"RSA-OAEP no kid second key", rp, encryptJWE(t, plain, jose.RSA_OAEP, jose.A256GCM, &k2.PublicKey, "", nil), true},
		{"RSA1_5", rp, encryptJWE(t, plain, jose.RSA1_5, jose.A256CBC_HS512, &k1.PublicKey, "", nil), true},
		{"A128KW from the secret", rp, encryptJWE(t, plain, jose.A128KW, jose.A128CBC_HS256, secretKeyFor(secret, 16), "", nil), true},
		{"A192KW from the secret", rp, encryptJWE(t, plain, jose.A192KW, jose.A192CBC_HS384, secretKeyFor(secret, 24), "", nil), true},
		{"A256KW from the secret", rp, encryptJWE(t, plain, jose.A256KW, jose.A128GCM, secretKeyFor(secret, 32), "", nil), true},
		{"dir from the secret", rp, encryptJWE(t, plain, jose.DIRECT, jose.A128CBC_HS256, secretKeyFor(secret, 32), "", nil), true},
		{"dir A256GCM from the secret", rp, encryptJWE(t, plain, jose.DIRECT, jose.A256GCM, secretKeyFor(secret, 32), "", nil), true},
		{"dir with the secret's fingerprint kid", rp, encryptJWE(t, plain, jose.DIRECT, jose.A256GCM, secretKeyFor(secret, 32), keyFingerprint(secretKeyFor(secret, 32)), nil), true},
		{"resource server raw secret dir", rsRaw, encryptJWE(t, plain, jose.DIRECT, jose.A256GCM, []byte("0123456789abcdef0123456789abcdef"), "", nil), true},
		{"shared key no kid", shared, encryptJWE(t, plain, jose.A128KW, jose.A256GCM, []byte("0123456789abcdef"), "", nil), true},
		{"shared key by fingerprint kid", shared, encryptJWE(t, plain, jose.A128KW, jose.A256GCM, []byte("0123456789abcdef"), keyFingerprint([]byte("0123456789abcdef")), nil), true},
		{"shared key by configured kid", shared, encryptJWE(t, plain, jose.DIRECT, jose.A256GCM, make([]byte, 32), "sk", nil), true},

		{"unknown kid", rp, encryptJWE(t, plain, jose.RSA_OAEP, jose.A128CBC_HS256, &k1.PublicKey, "other", nil), false},
		{"kid of another key", rp, encryptJWE(t, plain, jose.RSA_OAEP, jose.A128CBC_HS256, &k1.PublicKey, "rsa2", nil), false},
		{"kid of an RSA key for an AES alg", rp, encryptJWE(t, plain, jose.A128KW, jose.A128CBC_HS256, secretKeyFor(secret, 16), "rsa1", nil), false},
		{"secret hashed for the RS", rsRaw, encryptJWE(t, plain, jose.DIRECT, jose.A256GCM, secretKeyFor("0123456789abcdef0123456789abcdef", 32), "", nil), false},
		{"raw secret for the RP", rp, encryptJWE(t, plain, jose.A128KW, jose.A128CBC_HS256, []byte("s3cret0123456789")[:16], "", nil), false},
		{"wrong secret", rp, encryptJWE(t, plain, jose.DIRECT, jose.A128CBC_HS256, secretKeyFor("other", 32), "", nil), false},
		{"sig-only key", sigOnly, encryptJWE(t, plain, jose.RSA_OAEP, jose.A128CBC_HS256, &k1.PublicKey, "", nil), false},
		{"sig-only key by kid", sigOnly, encryptJWE(t, plain, jose.RSA_OAEP, jose.A128CBC_HS256, &k1.PublicKey, "s", nil), false},
		{"RSA-OAEP-256 (not in cjose 0.6.2.1)", rp, encryptJWE(t, plain, jose.RSA_OAEP_256, jose.A128CBC_HS256, &k1.PublicKey, "", nil), false},
		{"A128GCMKW", rp, encryptJWE(t, plain, jose.A128GCMKW, jose.A128CBC_HS256, secretKeyFor(secret, 16), "", nil), false},
		{"ECDH-ES", rp, encryptJWE(t, plain, jose.ECDH_ES, jose.A128CBC_HS256, &ec.PublicKey, "", nil), false},
		{"PBES2", rp, encryptJWE(t, plain, jose.PBES2_HS256_A128KW, jose.A128CBC_HS256, []byte(secret), "", nil), false},
		{"compressed", rp, encryptJWE(t, plain, jose.RSA_OAEP, jose.A128CBC_HS256, &k1.PublicKey, "", &jose.EncrypterOptions{Compression: jose.DEFLATE}), false},
		{"no keys", &jweDecrypter{}, encryptJWE(t, plain, jose.RSA_OAEP, jose.A128CBC_HS256, &k1.PublicKey, "", nil), false},
		{"too long", rp, encryptJWE(t, strings.Repeat("x", maxJWE), jose.RSA_OAEP, jose.A128CBC_HS256, &k1.PublicKey, "", nil), false},
		{"not a JWE", rp, plain, false},
		{"garbage", rp, "a.b.c.d.e", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.d.decrypt(tc.tok, maxJWE)
			if tc.ok && (err != nil || string(got) != plain) {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok && err == nil {
				t.Fatalf("accepted: %q", got)
			}
		})
	}
}

// TestSecretKeySize: the client secret's SHA-256 is cut to the AES key
// wrap size, and used whole for every other alg (oidc_alg2keysize).
func TestSecretKeySize(t *testing.T) {
	for alg, n := range map[string]int{"A128KW": 16, "A192KW": 24, "A256KW": 32, "dir": 32, "RSA-OAEP": 32} {
		d := &jweDecrypter{secret: "x", hashed: true}
		if k := d.secretKey(alg).Key.([]byte); len(k) != n {
			t.Errorf("%s: %d bytes, want %d", alg, len(k), n)
		}
	}
	d := &jweDecrypter{secret: "raw secret"}
	if k := d.secretKey("dir"); string(k.Key.([]byte)) != "raw secret" || k.KID != keyFingerprint([]byte("raw secret")) {
		t.Errorf("raw secret key %+v", k)
	}
}

// FuzzJWEDecrypt: attacker-chosen compact JWEs (headers, kids, algs,
// ciphertexts) never panic, and nothing but a correctly encrypted value
// decrypts.
func FuzzJWEDecrypt(f *testing.F) {
	k1, _ := testRSAKeys(f)
	d := &jweDecrypter{keys: []JWEKey{{KID: "rsa1", Key: k1}, SymmetricJWEKey("", []byte("0123456789abcdef"), "")}, secret: "s3cret", hashed: true}
	f.Add(encryptJWE(f, "hello", jose.RSA_OAEP, jose.A128CBC_HS256, &k1.PublicKey, "rsa1", nil))
	f.Add(encryptJWE(f, "hello", jose.RSA1_5, jose.A256GCM, &k1.PublicKey, "", nil))
	f.Add(encryptJWE(f, "hello", jose.A128KW, jose.A256GCM, []byte("0123456789abcdef"), "", nil))
	f.Add(encryptJWE(f, "hello", jose.DIRECT, jose.A128CBC_HS256, secretKeyFor("s3cret", 32), "", nil))
	f.Add(encryptJWE(f, "hello", jose.RSA_OAEP, jose.A128CBC_HS256, &k1.PublicKey, "", &jose.EncrypterOptions{Compression: jose.DEFLATE}))
	f.Add("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiMSJ9....")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Fuzz(func(t *testing.T, tok string) {
		plain, err := d.decrypt(tok, maxJWE)
		if err == nil && string(plain) != "hello" {
			t.Fatalf("decrypted to %q", plain)
		}
	})
}
