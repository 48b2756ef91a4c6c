package oidc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// assertionKey signs private_key_jwt assertions: the first
// OIDCPrivateKeyFiles key, with the x5t of the first OIDCPublicKeyFiles
// key (2.4.12.3 adds it for Azure AD).
type assertionKey struct {
	key *jose.JSONWebKey
	x5t string
}

// newAssertionKey picks the signing key as 2.4.12.3 does — the first
// private key — except that, as current upstream (which has the "enc:"
// prefix), a key marked for encryption only never signs (zero without a
// usable key).
func newAssertionKey(priv, pub []jose.JSONWebKey) assertionKey {
	var k assertionKey
	for i := range priv {
		if priv[i].Use != "enc" {
			k.key = &priv[i]
			break
		}
	}
	if k.key == nil {
		return k
	}
	if len(pub) > 0 && len(pub[0].CertificateThumbprintSHA1) > 0 {
		k.x5t = base64.RawURLEncoding.EncodeToString(pub[0].CertificateThumbprintSHA1)
	}
	return k
}

// alg is the assertion's algorithm: RS256 for an RSA key (2.4.12.3's
// only choice), ES256/384/512 by curve for an EC key (upstream).
func (k assertionKey) alg() (jose.SignatureAlgorithm, error) {
	switch p := k.key.Key.(type) {
	case *ecdsa.PrivateKey:
		switch p.Curve {
		case elliptic.P256():
			return jose.ES256, nil
		case elliptic.P384():
			return jose.ES384, nil
		case elliptic.P521():
			return jose.ES512, nil
		}
		return "", errors.New("unsupported EC curve")
	}
	return jose.RS256, nil
}

// assertion is a private_key_jwt client assertion (RFC 7523) as
// oidc_proto_endpoint_auth_private_key_jwt builds it: header alg, kid
// and (from a certificate) x5t; the claims of client_secret_jwt.
func (k assertionKey) assertion(clientID, audience string, now time.Time) (string, error) {
	if k.key == nil {
		return "", errors.New("no private keys have been configured to use for private_key_jwt client authentication (OIDCPrivateKeyFiles)")
	}
	alg, err := k.alg()
	if err != nil {
		return "", err
	}
	opts := &jose.SignerOptions{}
	if k.x5t != "" {
		opts.WithHeader("x5t", k.x5t)
	}
	// A JSONWebKey signing key puts its kid into the header.
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: k.key}, opts)
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(assertionClaims{Iss: clientID, Sub: clientID, Aud: audience,
		JTI: randomString(16), Exp: now.Unix() + 60, Iat: now.Unix()})
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}
