package oidc

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"math/big"

	"github.com/go-jose/go-jose/v4"
)

// jwksDocument is the answer to ?jwks: the OIDCPublicKeyFiles keys as
// oidc_handle_jwks writes them: its own spacing around the list, each key
// as cjose serialises it (kty, kid, then the key's parameters), followed
// by upstream's use, then x5c, x5t#S256 and x5t from a certificate.
// Private parameters are never written.
func jwksDocument(keys []jose.JSONWebKey) []byte {
	var b bytes.Buffer
	b.WriteString(`{ "keys" : [`)
	first := true
	for _, k := range keys {
		j := jwkJSON(k)
		if j == nil {
			continue
		}
		if !first {
			b.WriteString(",")
		}
		b.WriteString(" ")
		b.Write(j)
		b.WriteString(" ")
		first = false
	}
	b.WriteString(" ] }")
	return b.Bytes()
}

// jwkJSON serialises the public half of k in the module's member order;
// nil for a key type the module cannot write.
func jwkJSON(k jose.JSONWebKey) []byte {
	var o orderedJSON
	b64 := func(n *big.Int) string { return base64.RawURLEncoding.EncodeToString(n.Bytes()) }
	switch p := k.Public().Key.(type) {
	case *rsa.PublicKey:
		o.add("kty", "RSA")
		o.add("kid", k.KeyID)
		o.add("e", b64(big.NewInt(int64(p.E))))
		o.add("n", b64(p.N))
	case *ecdsa.PublicKey:
		size := (p.Curve.Params().BitSize + 7) / 8
		pad := func(n *big.Int) string { return base64.RawURLEncoding.EncodeToString(n.FillBytes(make([]byte, size))) }
		o.add("kty", "EC")
		o.add("kid", k.KeyID)
		o.add("crv", p.Curve.Params().Name)
		o.add("x", pad(p.X))
		o.add("y", pad(p.Y))
	default:
		return nil
	}
	if k.Use != "" {
		o.add("use", k.Use)
	}
	if len(k.Certificates) > 0 {
		x5c := make([]string, len(k.Certificates))
		for i, c := range k.Certificates {
			x5c[i] = base64.StdEncoding.EncodeToString(c.Raw)
		}
		o.add("x5c", x5c)
	}
	if len(k.CertificateThumbprintSHA256) > 0 {
		o.add("x5t#S256", base64.RawURLEncoding.EncodeToString(k.CertificateThumbprintSHA256))
	}
	if len(k.CertificateThumbprintSHA1) > 0 {
		o.add("x5t", base64.RawURLEncoding.EncodeToString(k.CertificateThumbprintSHA1))
	}
	return o.compact()
}
