package proxy

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// Client certificates, protocol versions and CRLs towards https backends
// (mod_ssl's SSLProxyMachineCertificate*, SSLProxyProtocol,
// SSLProxyCARevocation*), compared with Debian's Apache 2.4 in
// compat-tests/https_backend_test.go.

// machineCert is one SSLProxyMachineCertificate* certificate with its key
// and the chain sent with it.
type machineCert struct {
	cert  tls.Certificate
	leaf  *x509.Certificate
	chain []*x509.Certificate // issuers from the chain file, leaf excluded
}

// errNoClientCerts is mod_ssl's AH02206: not fatal, the backend gets no
// client certificate.
var errNoClientCerts = errors.New("AH02206: no client certs found for SSL proxy")

// loadMachineCerts reads the client certificates: those of the file and of
// every file in the path that have their private key (in any order) in the
// same file — Apache 2.4.71 leaves out the others, and says AH02206 "no
// client certs found for SSL proxy" when none is left; the chain file's
// certificates complete each certificate's chain.
func loadMachineCerts(ssl *apacheconf.SSLServer) ([]machineCert, error) {
	var files []string
	if p := ssl.ProxyMachineCertificateFile; p != nil {
		files = append(files, p.Path)
	}
	if p := ssl.ProxyMachineCertificatePath; p != nil {
		ents, err := os.ReadDir(p.Path)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if !e.IsDir() {
				files = append(files, filepath.Join(p.Path, e.Name()))
			}
		}
	}
	var out []machineCert
	for _, f := range files {
		mc, err := readCertsAndKeys(f)
		if err != nil {
			return nil, err
		}
		out = append(out, mc...)
	}
	if len(files) > 0 && len(out) == 0 {
		return nil, errNoClientCerts
	}
	if len(out) == 0 || ssl.ProxyMachineCertificateChainFile == nil {
		return out, nil
	}
	b, err := os.ReadFile(ssl.ProxyMachineCertificateChainFile.Path)
	if err != nil {
		return nil, err
	}
	issuers := pemCerts(b)
	for i := range out {
		out[i].chain = buildChain(out[i].leaf, issuers)
		for _, c := range out[i].chain {
			out[i].cert.Certificate = append(out[i].cert.Certificate, c.Raw)
		}
	}
	return out, nil
}

// readCertsAndKeys pairs the certificates of one PEM file with their keys.
func readCertsAndKeys(file string) ([]machineCert, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	var keys []crypto.Signer
	for rest := b; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		switch blk.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			certs = append(certs, c)
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			if k := parseKey(blk); k != nil {
				keys = append(keys, k)
			}
		}
	}
	var out []machineCert
	for _, c := range certs {
		var key crypto.Signer
		for _, k := range keys {
			if samePublicKey(c.PublicKey, k.Public()) {
				key = k
				break
			}
		}
		if key == nil {
			continue // as mod_ssl: a certificate without its key is not used
		}
		out = append(out, machineCert{cert: tls.Certificate{Certificate: [][]byte{c.Raw}, PrivateKey: key, Leaf: c}, leaf: c})
	}
	return out, nil
}

func parseKey(blk *pem.Block) crypto.Signer {
	var k any
	var err error
	switch blk.Type {
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(blk.Bytes)
	default:
		k, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
	}
	if err != nil {
		return nil
	}
	s, _ := k.(crypto.Signer)
	return s
}

func samePublicKey(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	switch k := a.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return k.(equaler).Equal(b)
	}
	return false
}

func pemCerts(b []byte) []*x509.Certificate {
	var out []*x509.Certificate
	for rest := b; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			return out
		}
		if blk.Type == "CERTIFICATE" {
			if c, err := x509.ParseCertificate(blk.Bytes); err == nil {
				out = append(out, c)
			}
		}
	}
}

// buildChain follows the issuers of c through pool (subject and signature)
// up to a self-signed certificate or one whose issuer pool lacks; bounded
// by the pool's size.
func buildChain(c *x509.Certificate, pool []*x509.Certificate) []*x509.Certificate {
	var chain []*x509.Certificate
	for cur := c; len(chain) < len(pool); {
		if bytes.Equal(cur.RawIssuer, cur.RawSubject) && cur.CheckSignatureFrom(cur) == nil {
			break
		}
		var next *x509.Certificate
		for _, p := range pool {
			if bytes.Equal(p.RawSubject, cur.RawIssuer) && cur.CheckSignatureFrom(p) == nil {
				next = p
				break
			}
		}
		if next == nil {
			break
		}
		chain = append(chain, next)
		cur = next
	}
	return chain
}

// clientCertificate is mod_ssl's ssl_callback_proxy_cert: without
// client certificates, none; when the backend names no acceptable CAs,
// the first; otherwise, for each CA in the backend's order, the first
// certificate it issued, else the first whose chain holds a certificate
// it issued; no match sends none.
func clientCertificate(certs []machineCert, cri *tls.CertificateRequestInfo) *tls.Certificate {
	if len(certs) == 0 {
		return &tls.Certificate{}
	}
	if len(cri.AcceptableCAs) == 0 {
		return &certs[0].cert
	}
	for _, ca := range cri.AcceptableCAs {
		for i := range certs {
			if bytes.Equal(certs[i].leaf.RawIssuer, ca) {
				return &certs[i].cert
			}
		}
		for i := range certs {
			for _, c := range certs[i].chain {
				if bytes.Equal(c.RawIssuer, ca) {
					return &certs[i].cert
				}
			}
		}
	}
	return &tls.Certificate{}
}

// loadCRLs reads the CRLs of SSLProxyCARevocationFile and of every file in
// SSLProxyCARevocationPath (PEM "X509 CRL" blocks).
func loadCRLs(ssl *apacheconf.SSLServer) ([]*x509.RevocationList, error) {
	var files []string
	if p := ssl.ProxyCARevocationFile; p != nil {
		files = append(files, p.Path)
	}
	if p := ssl.ProxyCARevocationPath; p != nil {
		ents, err := os.ReadDir(p.Path)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if !e.IsDir() {
				files = append(files, filepath.Join(p.Path, e.Name()))
			}
		}
	}
	var out []*x509.RevocationList
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for rest := b; ; {
			var blk *pem.Block
			blk, rest = pem.Decode(rest)
			if blk == nil {
				break
			}
			if blk.Type != "X509 CRL" {
				continue
			}
			crl, err := x509.ParseRevocationList(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			out = append(out, crl)
		}
	}
	return out, nil
}

// errNoCRL is OpenSSL's X509_V_ERR_UNABLE_TO_GET_CRL.
var errNoCRL = errors.New("unable to get certificate CRL")

// checkCRLs is OpenSSL's CRL check over a verified chain (leaf first,
// trust anchor last): the leaf only (leaf) or every certificate (chain),
// each against a CRL its issuer signed. A certificate whose issuer has no
// CRL fails unless noCRLOK; an expired or not yet valid CRL fails; a
// listed serial number is revoked.
func checkCRLs(chain []*x509.Certificate, crls []*x509.RevocationList, mode string, noCRLOK bool, now time.Time) error {
	n := 1
	if mode == "chain" {
		n = len(chain)
	}
	for i := 0; i < n && i < len(chain); i++ {
		c := chain[i]
		issuer := c
		if i+1 < len(chain) {
			issuer = chain[i+1]
		}
		var crl *x509.RevocationList
		for _, l := range crls {
			if bytes.Equal(l.RawIssuer, c.RawIssuer) && l.CheckSignatureFrom(issuer) == nil {
				crl = l
				break
			}
		}
		if crl == nil {
			if noCRLOK {
				continue
			}
			return errNoCRL
		}
		if now.Before(crl.ThisUpdate) {
			return errors.New("CRL is not yet valid")
		}
		if !crl.NextUpdate.IsZero() && now.After(crl.NextUpdate) {
			return errors.New("CRL has expired")
		}
		for _, e := range crl.RevokedCertificateEntries {
			if e.SerialNumber != nil && e.SerialNumber.Cmp(c.SerialNumber) == 0 {
				return errors.New("certificate revoked")
			}
		}
	}
	return nil
}

// tlsHandshakeError is a failed handshake with a backend. An error after
// the handshake — with TLS 1.3, the backend refusing the client
// certificate arrives there — is not one: Apache answers it as a read
// error (502), not as a handshake failure (500).
type tlsHandshakeError struct{ err error }

func (e *tlsHandshakeError) Error() string { return e.err.Error() }
func (e *tlsHandshakeError) Unwrap() error { return e.err }

// isTLSAlert reports whether err is a TLS alert the backend sent after the
// handshake.
func isTLSAlert(err error) bool {
	var ae tls.AlertError
	return errors.As(err, &ae) || strings.Contains(err.Error(), "remote error: tls: ")
}

// proxyCipherSuites applies SSLProxyCipherSuite: the TLS 1.2 suites it
// names explicitly; Go's default when it uses OpenSSL aliases (HIGH,
// !aNULL…), which are not evaluated (lint says so); and when it names no
// suite Go implements, TLS 1.3 only (OpenSSL would offer Go's peers none of
// its TLS 1.2 suites either). TLS 1.3 suites are Go's own in any case, as
// SSLProxyCipherSuite does not touch them in mod_ssl.
func proxyCipherSuites(s string, minVer uint16) ([]uint16, uint16) {
	if s == "" {
		return nil, minVer
	}
	cl := apacheconf.ParseCipherList(s)
	switch {
	case len(cl.Aliases) > 0:
		return nil, minVer
	case len(cl.Suites) == 0:
		return nil, tls.VersionTLS13
	}
	return cl.Suites, minVer
}
