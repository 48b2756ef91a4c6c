package oidc

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// Decrypting what the provider encrypts for oidcgate: JWE id_tokens,
// encrypted userinfo responses and JWE bearer tokens, as mod_auth_openidc
// 2.4.12.3 does with cjose 0.6.2.1 (oidc_jwe_decrypt, oidc_jwt_parse).

// jweKeyAlgs are the key-management algorithms the module decrypts with
// the keys it can hold (RSA private keys and symmetric keys): cjose's
// RSA1_5, RSA-OAEP, AES key wrap and "dir". RSA-OAEP-256 (cjose 0.6.2.1
// lacks it), AES-GCM key wrap, ECDH-ES and PBES2 are refused.
var jweKeyAlgs = []jose.KeyAlgorithm{jose.RSA1_5, jose.RSA_OAEP, jose.A128KW, jose.A192KW, jose.A256KW, jose.DIRECT}

// jweEncs are the content encryptions cjose 0.6.2.1 decrypts.
var jweEncs = []jose.ContentEncryption{jose.A128CBC_HS256, jose.A192CBC_HS384, jose.A256CBC_HS512,
	jose.A128GCM, jose.A192GCM, jose.A256GCM}

// maxJWE bounds a JWE id_token or userinfo response.
const maxJWE = 1 << 20

// JWEKey is a key that decrypts JWEs sent to oidcgate: an RSA (or EC)
// private key of OIDCPrivateKeyFiles or a symmetric key.
type JWEKey struct {
	// KID is the key's kid: a JWE naming a kid is decrypted with that
	// key only.
	KID string
	// Key is an *rsa.PrivateKey, *ecdsa.PrivateKey or []byte.
	Key any
	// Use is "sig", "enc" or "" (both); "sig" keys never decrypt.
	Use string
}

// SymmetricJWEKey is a key of OIDCOAuthDecryptSharedKeys: kid is the
// configured one, or (as cjose's fingerprint) the base64url SHA-256 of
// the key when none is given.
func SymmetricJWEKey(kid string, key []byte, use string) JWEKey {
	if kid == "" {
		kid = keyFingerprint(key)
	}
	return JWEKey{KID: kid, Key: key, Use: use}
}

// privateJWEKeys are the decryption keys among OIDCPrivateKeyFiles' keys.
func privateJWEKeys(keys []jose.JSONWebKey) []JWEKey {
	var out []JWEKey
	for _, k := range keys {
		out = append(out, JWEKey{KID: k.KeyID, Key: k.Key, Use: k.Use})
	}
	return out
}

func keyFingerprint(b []byte) string {
	h := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// kty is the JWK key type of k.
func (k JWEKey) kty() string {
	switch k.Key.(type) {
	case *rsa.PrivateKey:
		return "RSA"
	case *ecdsa.PrivateKey:
		return "EC"
	case []byte:
		return "oct"
	}
	return ""
}

// algKty is the key type a key-management algorithm needs
// (oidc_alg2kty).
func algKty(alg string) string {
	switch {
	case alg == "dir" || strings.HasSuffix(alg, "KW"):
		return "oct"
	case strings.HasPrefix(alg, "RSA"):
		return "RSA"
	}
	return ""
}

// secretKeySize is the length of the key derived from the client secret
// for a JWE alg (oidc_alg2keysize): 16, 24 or 32 bytes for AES key wrap,
// the whole SHA-256 otherwise.
func secretKeySize(alg string) int {
	switch alg {
	case "A128KW":
		return 16
	case "A192KW":
		return 24
	}
	return 32
}

// jweDecrypter holds the keys one kind of JWE is decrypted with.
type jweDecrypter struct {
	keys []JWEKey
	// secret, when not empty, adds a key made from the client secret:
	// hashed (the relying party: SHA-256 truncated to the alg's key size,
	// OpenID Connect Core 10.2) or the secret's bytes as they are (the
	// resource server's fallback in 2.4.12.3 and current upstream).
	secret string
	hashed bool
}

// isJWE reports whether tok has the five parts of a compact JWE: the
// module decrypts those and reads everything else as a JWS.
func isJWE(tok string) bool { return strings.Count(tok, ".") == 4 }

// decrypt returns the plaintext of a compact JWE of at most limit bytes.
// As in the module, a JWE with a kid is decrypted with the key of that kid
// only (which must suit the alg); without a kid every key of the alg's
// type is tried.
func (d *jweDecrypter) decrypt(tok string, limit int) ([]byte, error) {
	obj, err := parseCompactJWE(tok, limit, jweKeyAlgs, jweEncs)
	if err != nil {
		return nil, fmt.Errorf("JWE: %w", err)
	}
	alg, kid := obj.Header.Algorithm, obj.Header.KeyID
	keys := d.keys
	if d.secret != "" {
		keys = append(keys[:len(keys):len(keys)], d.secretKey(alg))
	}
	if len(keys) == 0 {
		return nil, errors.New("JWE: no decryption keys configured")
	}
	want := algKty(alg)
	tried := 0
	for _, k := range keys {
		if kid != "" && k.KID != kid {
			continue
		}
		if k.kty() != want || k.Use == "sig" {
			if kid != "" {
				return nil, fmt.Errorf("JWE: the key with kid %q cannot decrypt alg %q", kid, alg)
			}
			continue
		}
		tried++
		if plain, err := obj.Decrypt(k.Key); err == nil {
			return plain, nil
		}
		if kid != "" {
			return nil, fmt.Errorf("JWE could not be decrypted with kid %q", kid)
		}
	}
	if kid != "" {
		return nil, fmt.Errorf("JWE: no key with kid %q", kid)
	}
	return nil, fmt.Errorf("JWE (alg %q) could not be decrypted with any of the %d suitable keys", alg, tried)
}

// secretKey is the symmetric key made from the client secret for alg.
func (d *jweDecrypter) secretKey(alg string) JWEKey {
	key := []byte(d.secret)
	if d.hashed {
		h := sha256.Sum256(key)
		key = h[:secretKeySize(alg)]
	}
	return JWEKey{KID: keyFingerprint(key), Key: key}
}
