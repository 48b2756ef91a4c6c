// Package jwkfile loads the PEM key files of OIDCPrivateKeyFiles and
// OIDCPublicKeyFiles into JSON Web Keys the way mod_auth_openidc does: an
// optional "sig:"/"enc:" use prefix (upstream), an optional "kid#", then
// the file; a kid derived from the key when none is given; x5c, x5t and
// x5t#S256 from X.509 certificates.
//
// 2.4.12.3 reads RSA keys only; EC keys (P-256/384/521) and the use prefix
// are upstream's, accepted here too.
package jwkfile

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// Spec is one directive argument: [sig:|enc:][kid#]file.
type Spec struct {
	// Use is "sig", "enc" or "" (any).
	Use string
	// KID is the key identifier as written ("" = derived from the key).
	KID string
	// File is the file name as written.
	File string
}

// ParseSpec splits a directive argument as oidc_parse_enc_kid_key_tuple
// does without the encoding triplet, after upstream's use prefix.
func ParseSpec(arg string) (Spec, error) {
	if arg == "" {
		return Spec{}, errors.New("tuple value not set")
	}
	var s Spec
	switch {
	case strings.HasPrefix(arg, "sig:"):
		s.Use, arg = "sig", arg[len("sig:"):]
	case strings.HasPrefix(arg, "enc:"):
		s.Use, arg = "enc", arg[len("enc:"):]
	}
	if k, f, ok := strings.Cut(arg, "#"); ok {
		s.KID, s.File = k, f
	} else {
		s.File = arg
	}
	if s.File == "" {
		return Spec{}, errors.New("tuple value not set")
	}
	return s, nil
}

// Load reads the key a directive argument names; root is ServerRoot, for
// relative file names (ap_server_root_relative). private selects
// OIDCPrivateKeyFiles' reading (a private key) over OIDCPublicKeyFiles'
// (a public key or a certificate chain).
func Load(arg, root string, private bool) (jose.JSONWebKey, error) {
	s, err := ParseSpec(arg)
	if err != nil {
		return jose.JSONWebKey{}, err
	}
	name := s.File
	if root != "" && !filepath.IsAbs(name) {
		name = filepath.Join(root, name)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return jose.JSONWebKey{}, err
	}
	k, err := ParsePEM(b, private)
	if err != nil {
		return jose.JSONWebKey{}, err
	}
	k.Use = s.Use
	if s.KID != "" {
		k.KeyID = s.KID
	}
	return k, nil
}

// ParsePEM reads one key from PEM data: the first private key block when
// private, otherwise the first public key block or, failing that, the
// certificates (the first one's key, all of them as x5c). The kid is the
// derived one (DeriveKID).
func ParsePEM(data []byte, private bool) (jose.JSONWebKey, error) {
	var certs []*x509.Certificate
	var pub crypto.PublicKey
	rest := data
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if private {
			k, err := parsePrivate(blk)
			if err != nil {
				return jose.JSONWebKey{}, err
			}
			if k == nil {
				continue
			}
			return newJWK(k, nil)
		}
		switch blk.Type {
		case "PUBLIC KEY":
			k, err := x509.ParsePKIXPublicKey(blk.Bytes)
			if err != nil {
				return jose.JSONWebKey{}, fmt.Errorf("public key: %v", err)
			}
			if pub == nil {
				pub = k
			}
		case "RSA PUBLIC KEY":
			k, err := x509.ParsePKCS1PublicKey(blk.Bytes)
			if err != nil {
				return jose.JSONWebKey{}, fmt.Errorf("RSA public key: %v", err)
			}
			if pub == nil {
				pub = k
			}
		case "CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE":
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return jose.JSONWebKey{}, fmt.Errorf("certificate: %v", err)
			}
			certs = append(certs, c)
		}
	}
	switch {
	case pub != nil:
		// PEM_read_bio_PUBKEY wins over certificates in the same file.
		return newJWK(pub, nil)
	case len(certs) > 0:
		return newJWK(certs[0].PublicKey, certs)
	case private:
		return jose.JSONWebKey{}, errors.New("no private key found (PEM \"PRIVATE KEY\", \"RSA PRIVATE KEY\" or \"EC PRIVATE KEY\")")
	}
	return jose.JSONWebKey{}, errors.New("no public key or certificate found (PEM \"PUBLIC KEY\" or \"CERTIFICATE\")")
}

// parsePrivate reads a private key block; nil, nil for a block of
// another type.
func parsePrivate(blk *pem.Block) (crypto.PrivateKey, error) {
	if blk.Headers["Proc-Type"] != "" || blk.Type == "ENCRYPTED PRIVATE KEY" {
		// The module reads these with OpenSSL's default passphrase
		// prompt, which cannot answer at server start either.
		return nil, errors.New("the private key is encrypted: store it unencrypted (openssl pkey -in KEY -out PLAIN)")
	}
	switch blk.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("private key: %v", err)
		}
		return k, nil
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("RSA private key: %v", err)
		}
		return k, nil
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("EC private key: %v", err)
		}
		return k, nil
	}
	return nil, nil
}

// newJWK wraps a key of a supported type with its derived kid and, for a
// certificate chain, x5c and the thumbprints of the first certificate.
func newJWK(key any, certs []*x509.Certificate) (jose.JSONWebKey, error) {
	var pub crypto.PublicKey
	switch k := key.(type) {
	case *rsa.PrivateKey:
		pub = &k.PublicKey
	case *ecdsa.PrivateKey:
		pub = &k.PublicKey
	case *rsa.PublicKey, *ecdsa.PublicKey:
		pub = k
	default:
		return jose.JSONWebKey{}, fmt.Errorf("unsupported key type %T (RSA or EC keys only)", key)
	}
	kid, err := DeriveKID(pub)
	if err != nil {
		return jose.JSONWebKey{}, err
	}
	j := jose.JSONWebKey{Key: key, KeyID: kid}
	if len(certs) > 0 {
		j.Certificates = certs
		s1 := sha1.Sum(certs[0].Raw)
		s256 := sha256.Sum256(certs[0].Raw)
		j.CertificateThumbprintSHA1 = s1[:]
		j.CertificateThumbprintSHA256 = s256[:]
	}
	return j, nil
}

// DeriveKID is the kid the module gives a key configured without one:
// base64url(SHA-256) over the big-endian modulus and exponent of an RSA
// key, or over the curve's OpenSSL NID (4 bytes, big-endian) and the X
// and Y coordinates of an EC key (upstream).
func DeriveKID(pub crypto.PublicKey) (string, error) {
	var fp []byte
	switch k := pub.(type) {
	case *rsa.PublicKey:
		fp = append(k.N.Bytes(), big.NewInt(int64(k.E)).Bytes()...)
	case *ecdsa.PublicKey:
		nid, ok := curveNID[k.Curve]
		if !ok {
			return "", fmt.Errorf("unsupported curve %s", k.Curve.Params().Name)
		}
		fp = binary.BigEndian.AppendUint32(nil, nid)
		// BN_bn2bin: minimal big-endian, no padding to the field size.
		fp = append(fp, k.X.Bytes()...)
		fp = append(fp, k.Y.Bytes()...)
	default:
		return "", fmt.Errorf("unsupported key type %T (RSA or EC keys only)", pub)
	}
	sum := sha256.Sum256(fp)
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// curveNID are OpenSSL's NIDs of the curves cjose supports.
var curveNID = map[elliptic.Curve]uint32{
	elliptic.P256(): 415, // NID_X9_62_prime256v1
	elliptic.P384(): 715, // NID_secp384r1
	elliptic.P521(): 716, // NID_secp521r1
}

// Public returns the public half of a loaded key (itself when public).
func Public(k jose.JSONWebKey) jose.JSONWebKey {
	if k.IsPublic() {
		return k
	}
	return k.Public()
}
