package proxy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

func testCert(t *testing.T, cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, serial int64, ca bool) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: ca, BasicConstraintsValid: ca, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key
}

// TestCheckCRLs: OpenSSL's CRL rules on a verified chain, including the
// cases the differential test does not reach (a CRL out of its validity,
// another issuer's CRL signed by the wrong key).
func TestCheckCRLs(t *testing.T) {
	root, rootKey := testCert(t, "root", nil, nil, 1, true)
	leaf, _ := testCert(t, "leaf", root, rootKey, 2, false)
	other, otherKey := testCert(t, "root", nil, nil, 3, true) // same name, other key
	now := time.Now()
	crl := func(signer *x509.Certificate, key *ecdsa.PrivateKey, this, next time.Time, revoked ...int64) *x509.RevocationList {
		tmpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: this, NextUpdate: next}
		for _, r := range revoked {
			tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: big.NewInt(r), RevocationTime: now})
		}
		der, err := x509.CreateRevocationList(rand.Reader, tmpl, signer, key)
		if err != nil {
			t.Fatal(err)
		}
		l, _ := x509.ParseRevocationList(der)
		return l
	}
	chain := []*x509.Certificate{leaf, root}
	valid := crl(root, rootKey, now.Add(-time.Hour), now.Add(time.Hour))
	for _, tt := range []struct {
		name    string
		crls    []*x509.RevocationList
		mode    string
		noCRLOK bool
		ok      bool
	}{
		{"valid, chain", []*x509.RevocationList{valid}, "chain", false, true},
		{"leaf revoked", []*x509.RevocationList{crl(root, rootKey, now.Add(-time.Hour), now.Add(time.Hour), 2)}, "leaf", false, false},
		{"root revoked, leaf mode", []*x509.RevocationList{crl(root, rootKey, now.Add(-time.Hour), now.Add(time.Hour), 1)}, "leaf", false, true},
		{"root revoked, chain mode", []*x509.RevocationList{crl(root, rootKey, now.Add(-time.Hour), now.Add(time.Hour), 1)}, "chain", false, false},
		{"expired CRL", []*x509.RevocationList{crl(root, rootKey, now.Add(-2*time.Hour), now.Add(-time.Hour))}, "leaf", false, false},
		{"CRL not yet valid", []*x509.RevocationList{crl(root, rootKey, now.Add(time.Hour), now.Add(2*time.Hour))}, "leaf", false, false},
		{"CRL of a namesake", []*x509.RevocationList{crl(other, otherKey, now.Add(-time.Hour), now.Add(time.Hour))}, "leaf", false, false},
		{"no CRL", nil, "chain", false, false},
		{"no CRL, no_crl_for_cert_ok", nil, "chain", true, true},
	} {
		if err := checkCRLs(chain, tt.crls, tt.mode, tt.noCRLOK, now); (err == nil) != tt.ok {
			t.Errorf("%s: %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

// TestClientCertificateChoice: mod_ssl's choice among client certificates
// by the backend's acceptable CAs.
func TestClientCertificateChoice(t *testing.T) {
	ca1, k1 := testCert(t, "ca1", nil, nil, 1, true)
	ca2, k2 := testCert(t, "ca2", nil, nil, 2, true)
	inter, ki := testCert(t, "inter", ca2, k2, 3, true)
	a, _ := testCert(t, "a", ca1, k1, 4, false)
	b, _ := testCert(t, "b", inter, ki, 5, false)
	certs := []machineCert{{cert: tls.Certificate{Leaf: a}, leaf: a}, {cert: tls.Certificate{Leaf: b}, leaf: b, chain: []*x509.Certificate{inter}}}
	for _, tt := range []struct {
		name string
		cas  [][]byte
		want *x509.Certificate
	}{
		{"no list: the first", nil, a},
		{"issuer", [][]byte{inter.RawSubject}, b},
		{"through the chain", [][]byte{ca2.RawSubject}, b},
		{"list order", [][]byte{ca2.RawSubject, ca1.RawSubject}, b},
		{"no match: none", [][]byte{[]byte("x")}, nil},
	} {
		got := clientCertificate(certs, &tls.CertificateRequestInfo{AcceptableCAs: tt.cas})
		if got.Leaf != tt.want {
			t.Errorf("%s: %v", tt.name, got.Leaf)
		}
	}
	if got := clientCertificate(nil, &tls.CertificateRequestInfo{}); len(got.Certificate) != 0 {
		t.Error("no certificates configured: something sent")
	}
}
