package oidc

import (
	"context"
	"errors"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// The keys that verify the provider's id_tokens and logout tokens: the
// provider's JWKS (jwks_uri), started afresh every OIDCJWKSRefreshInterval
// (and fetched again by go-oidc whenever a token names an unknown kid),
// plus OIDCProviderVerifyCertFiles' static keys, tried first, as
// oidc_proto_jwt_verify merges them.

// defaultJWKSRefresh is OIDCJWKSRefreshInterval's default.
const defaultJWKSRefresh = time.Hour

// keySet returns the key set for the provider's tokens (nil: no
// jwks_uri and no static keys).
func (p *provider) keySet() gooidc.KeySet {
	p.mu.Lock()
	defer p.mu.Unlock()
	refresh := p.settings.JWKSRefresh
	if refresh <= 0 {
		refresh = defaultJWKSRefresh
	}
	if p.keys != nil && p.now().Sub(p.keysAt) >= refresh {
		// Keys the provider no longer publishes stop validating.
		p.keys = gooidc.NewRemoteKeySet(gooidc.ClientContext(context.Background(), p.client), p.keysURL)
		p.keysAt = p.now()
	}
	var sets multiKeySet
	if len(p.settings.VerifyKeys) > 0 {
		sets = append(sets, &gooidc.StaticKeySet{PublicKeys: p.settings.VerifyKeys})
	}
	if p.keys != nil {
		sets = append(sets, p.keys)
	}
	switch len(sets) {
	case 0:
		return nil
	case 1:
		return sets[0]
	}
	return sets
}

// multiKeySet verifies with the first set that accepts the signature.
type multiKeySet []gooidc.KeySet

func (m multiKeySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	err := errors.New("no keys")
	for _, ks := range m {
		p, e := ks.VerifySignature(ctx, jwt)
		if e == nil {
			return p, nil
		}
		err = e
	}
	return nil, err
}
