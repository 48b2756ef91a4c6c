package jwkfile

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func pemBytes(typ string, der []byte, headers map[string]string) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der, Headers: headers})
}

func selfSigned(t *testing.T, key *rsa.PrivateKey, cn string) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Unix(1700000000, 0), NotAfter: time.Unix(1900000000, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseSpec(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Spec
		err  bool
	}{
		{in: "/k.pem", want: Spec{File: "/k.pem"}},
		{in: "kid1#/k.pem", want: Spec{KID: "kid1", File: "/k.pem"}},
		{in: "sig:kid1#/k.pem", want: Spec{Use: "sig", KID: "kid1", File: "/k.pem"}},
		{in: "enc:/k.pem", want: Spec{Use: "enc", File: "/k.pem"}},
		{in: "#/k.pem", want: Spec{File: "/k.pem"}},
		// only the first # separates: the rest belongs to the file name
		{in: "a#b#c", want: Spec{KID: "a", File: "b#c"}},
		{in: "", err: true},
		{in: "kid#", err: true},
	} {
		got, err := ParseSpec(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseSpec(%q) = %+v, %v; want %+v, err %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestParsePEM(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cert := selfSigned(t, rk, "leaf")
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	ca := selfSigned(t, other, "ca")
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(rk)
	ecder, _ := x509.MarshalECPrivateKey(ek)
	spki, _ := x509.MarshalPKIXPublicKey(&rk.PublicKey)
	rsaKID := func() string {
		s := sha256.Sum256(append(rk.N.Bytes(), 1, 0, 1))
		return base64.RawURLEncoding.EncodeToString(s[:])
	}()
	for _, tc := range []struct {
		name    string
		data    []byte
		private bool
		kid     string
		x5c     int
		errSub  string
	}{
		{name: "pkcs1 private", data: pemBytes("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk), nil), private: true, kid: rsaKID},
		{name: "pkcs8 private", data: pemBytes("PRIVATE KEY", pkcs8, nil), private: true, kid: rsaKID},
		{name: "ec private", data: pemBytes("EC PRIVATE KEY", ecder, nil), private: true},
		{name: "private after other blocks", data: append(pemBytes("CERTIFICATE", cert.Raw, nil), pemBytes("PRIVATE KEY", pkcs8, nil)...), private: true, kid: rsaKID},
		{name: "encrypted legacy", data: pemBytes("RSA PRIVATE KEY", []byte{1}, map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"}), private: true, errSub: "encrypted"},
		{name: "encrypted pkcs8", data: pemBytes("ENCRYPTED PRIVATE KEY", []byte{1}, nil), private: true, errSub: "encrypted"},
		{name: "public key as private", data: pemBytes("PUBLIC KEY", spki, nil), private: true, errSub: "no private key"},
		{name: "garbage private", data: pemBytes("PRIVATE KEY", []byte("xx"), nil), private: true, errSub: "private key"},
		{name: "spki public", data: pemBytes("PUBLIC KEY", spki, nil), kid: rsaKID},
		{name: "pkcs1 public", data: pemBytes("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rk.PublicKey), nil), kid: rsaKID},
		{name: "certificate", data: pemBytes("CERTIFICATE", cert.Raw, nil), kid: rsaKID, x5c: 1},
		{name: "chain", data: append(pemBytes("CERTIFICATE", cert.Raw, nil), pemBytes("CERTIFICATE", ca.Raw, nil)...), kid: rsaKID, x5c: 2},
		{name: "public key wins over certificate", data: append(pemBytes("CERTIFICATE", ca.Raw, nil), pemBytes("PUBLIC KEY", spki, nil)...), kid: rsaKID},
		{name: "nothing", data: []byte("not pem"), errSub: "no public key"},
		{name: "private key as public", data: pemBytes("PRIVATE KEY", pkcs8, nil), errSub: "no public key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParsePEM(tc.data, tc.private)
			if tc.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errSub) {
					t.Fatalf("err = %v, want %q", err, tc.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.IsPublic() == tc.private {
				t.Errorf("IsPublic = %v", k.IsPublic())
			}
			if tc.kid != "" && k.KeyID != tc.kid {
				t.Errorf("kid = %s, want %s", k.KeyID, tc.kid)
			}
			if k.KeyID == "" {
				t.Error("no kid")
			}
			if len(k.Certificates) != tc.x5c {
				t.Errorf("x5c = %d, want %d", len(k.Certificates), tc.x5c)
			}
			if tc.x5c > 0 {
				s1 := sha1.Sum(cert.Raw)
				if string(k.CertificateThumbprintSHA1) != string(s1[:]) {
					t.Error("x5t is not the leaf's SHA-1")
				}
			}
			if !k.Valid() {
				t.Error("invalid JWK")
			}
		})
	}
}

func TestDeriveKIDEC(t *testing.T) {
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fp := append([]byte{0, 0, 1, 159}, ek.X.Bytes()...) // 415
	fp = append(fp, ek.Y.Bytes()...)
	s := sha256.Sum256(fp)
	got, err := DeriveKID(&ek.PublicKey)
	if err != nil || got != base64.RawURLEncoding.EncodeToString(s[:]) {
		t.Fatalf("DeriveKID = %s, %v", got, err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	if err := os.WriteFile(filepath.Join(dir, "k.pem"), pemBytes("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk), nil), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := Load("sig:mykid#k.pem", dir, true)
	if err != nil || k.KeyID != "mykid" || k.Use != "sig" || k.IsPublic() {
		t.Fatalf("Load = %+v, %v", k, err)
	}
	if p := Public(k); !p.IsPublic() || p.KeyID != "mykid" {
		t.Errorf("Public = %+v", p)
	}
	if _, err := Load("missing.pem", dir, true); err == nil {
		t.Error("missing file loaded")
	}
}

func FuzzParsePEM(f *testing.F) {
	rk, _ := rsa.GenerateKey(rand.Reader, 1024)
	f.Add(pemBytes("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk), nil), true)
	f.Add(pemBytes("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rk.PublicKey), nil), false)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, private bool) {
		k, err := ParsePEM(data, private)
		if err == nil && (k.KeyID == "" || k.Key == nil) {
			t.Fatalf("key without kid: %+v", k)
		}
	})
}
