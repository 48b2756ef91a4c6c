package cache

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// EncryptedStore is OIDCCacheEncrypt: every value is sealed as a compact
// JWE (alg dir, enc A256GCM) and every key replaced by
// base64url(SHA-256("<passphrase>:<key>")), as mod_auth_openidc does for
// its file, memcache and redis caches (on by default for them). Whoever
// can read or write the store learns neither the session ids (they are
// hashed with a secret) nor the sessions, and cannot forge an entry.
//
// The content key is PBKDF2-HMAC-SHA256(passphrase, salt
// "mod_auth_openidc-crypto-passphrase-v1", 210000 iterations, 32 bytes),
// upstream's derivation since 2.4.20; values are not compressed. Entries
// are shared by oidcgate instances with the same OIDCCryptoPassphrase,
// not with a running mod_auth_openidc 2.4.12.3 (which derives the key
// with a bare SHA-256 and wraps the value in a JWS first).
type EncryptedStore struct {
	inner      Store
	passphrase string
	key        []byte
	enc        jose.Encrypter
}

var _ Store = (*EncryptedStore)(nil)

// Encrypted wraps inner. Closing the wrapper closes inner.
func Encrypted(inner Store, passphrase string) (*EncryptedStore, error) {
	if passphrase == "" {
		return nil, errors.New("cache: OIDCCacheEncrypt needs OIDCCryptoPassphrase")
	}
	key, err := pbkdf2.Key(sha256.New, passphrase, []byte("mod_auth_openidc-crypto-passphrase-v1"), 210000, 32)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.DIRECT, Key: key}, nil)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return &EncryptedStore{inner: inner, passphrase: passphrase, key: key, enc: enc}, nil
}

// Key is the key under which key is stored in the inner store.
func (e *EncryptedStore) Key(key string) string {
	sum := sha256.Sum256([]byte(e.passphrase + ":" + key))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Get implements Store. A value that does not decrypt (another
// passphrase, tampered, not a JWE) is a miss, as in mod_auth_openidc.
func (e *EncryptedStore) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := e.inner.Get(ctx, e.Key(key))
	if err != nil {
		return nil, err
	}
	obj, err := jose.ParseEncryptedCompact(string(b), []jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		return nil, ErrNotFound
	}
	v, err := obj.Decrypt(e.key)
	if err != nil {
		return nil, ErrNotFound
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

// Set implements Store.
func (e *EncryptedStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	obj, err := e.enc.Encrypt(value)
	if err != nil {
		return fmt.Errorf("cache: encrypting: %w", err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		return fmt.Errorf("cache: encrypting: %w", err)
	}
	return e.inner.Set(ctx, e.Key(key), []byte(s), ttl)
}

// Add implements Adder when the inner store does; otherwise it fails
// with errors.ErrUnsupported.
func (e *EncryptedStore) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	a, ok := e.inner.(Adder)
	if !ok {
		return false, fmt.Errorf("cache: add: %w", errors.ErrUnsupported)
	}
	obj, err := e.enc.Encrypt(value)
	if err != nil {
		return false, fmt.Errorf("cache: encrypting: %w", err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		return false, fmt.Errorf("cache: encrypting: %w", err)
	}
	return a.Add(ctx, e.Key(key), []byte(s), ttl)
}

// Delete implements Store.
func (e *EncryptedStore) Delete(ctx context.Context, key string) error {
	return e.inner.Delete(ctx, e.Key(key))
}

// Inner is the wrapped store.
func (e *EncryptedStore) Inner() Store { return e.inner }

// Close implements Store.
func (e *EncryptedStore) Close() error { return e.inner.Close() }
