package oidc

import (
	"crypto/sha256"
	"errors"

	jose "github.com/go-jose/go-jose/v4"
)

// sealer encrypts what mod_auth_openidc encrypts with OIDCCryptoPassphrase
// (state cookies): a compact JWE, alg "dir", enc "A256GCM", keyed with
// SHA-256 of the passphrase as in 2.4.12.3. The plaintext format is
// oidcgate's own: values are not interchangeable with the module's, so a
// switch-over only invalidates logins that are in flight.
type sealer struct{ key []byte }

func newSealer(passphrase string) *sealer {
	k := sha256.Sum256([]byte(passphrase))
	return &sealer{key: k[:]}
}

func (s *sealer) seal(plain []byte) (string, error) {
	enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.DIRECT, Key: s.key}, nil)
	if err != nil {
		return "", err
	}
	obj, err := enc.Encrypt(plain)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// maxSealed bounds what open accepts: cookies are at most a few KiB.
const maxSealed = 16 << 10

func (s *sealer) open(sealed string) ([]byte, error) { return s.openLimit(sealed, maxSealed) }

// openLimit is open for values up to limit bytes. A "zip" header is
// refused: seal never compresses, so such a value was not made here.
func (s *sealer) openLimit(sealed string, limit int) ([]byte, error) {
	obj, err := parseCompactJWE(sealed, limit, []jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		return nil, err
	}
	return obj.Decrypt(s.key)
}

// parseCompactJWE parses a compact JWE of at most limit bytes whose alg
// and enc are among those given. A "zip" header is refused: nothing
// oidcgate opens is compressed (the module's JOSE library, cjose, does
// not inflate either), and refusing it rules out decompression bombs.
func parseCompactJWE(s string, limit int, algs []jose.KeyAlgorithm, encs []jose.ContentEncryption) (*jose.JSONWebEncryption, error) {
	if len(s) > limit {
		return nil, errors.New("sealed value too long")
	}
	obj, err := jose.ParseEncryptedCompact(s, algs, encs)
	if err != nil {
		return nil, err
	}
	if obj.Header.ExtraHeaders[jose.HeaderKey("zip")] != nil {
		return nil, errors.New("compressed JWE refused")
	}
	return obj, nil
}
