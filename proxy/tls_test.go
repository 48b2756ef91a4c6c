package proxy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testCA makes a CA and issues leaf certificates for names.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert, key, pool}
}

// issue writes name.crt and name.key into dir.
func (ca *testCA) issue(t *testing.T, dir, name string) (string, string) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		DNSNames: []string{name}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	crt, kf := filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	os.WriteFile(crt, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(kf, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return crt, kf
}

func TestTLSVirtualHosts(t *testing.T) {
	be := newRecorder(t)
	dir := t.TempDir()
	ca := newTestCA(t)
	aCrt, aKey := ca.issue(t, dir, "a.example")
	bCrt, bKey := ca.issue(t, dir, "b.example")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	cfg := loadConfig(t, fmt.Sprintf(`ServerName front.example
Listen %[1]s https
<VirtualHost %[1]s>
  ServerName a.example
  SSLEngine on
  SSLCertificateFile %[2]s
  SSLCertificateKeyFile %[3]s
  ProxyPass /a http://%[6]s/a
</VirtualHost>
<VirtualHost %[1]s>
  ServerName b.example
  SSLEngine on
  SSLCertificateFile %[4]s
  SSLCertificateKeyFile %[5]s
  SSLProtocol -all +TLSv1.3
  Protocols h2 http/1.1
  ProxyPass /b http://%[6]s/b
</VirtualHost>
`, addr, aCrt, aKey, bCrt, bKey, be.srv.Listener.Addr().String()))
	srv := NewServer(cfg, nil, nil)
	if err := srv.Listen(cfg); err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	defer srv.Close()

	get := func(name, path string, h2 bool, maxVersion uint16) (*http.Response, *tls.ConnectionState, error) {
		tc := &tls.Config{RootCAs: ca.pool, ServerName: name, MaxVersion: maxVersion}
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: tc, ForceAttemptHTTP2: h2}, Timeout: 5 * time.Second}
		req, _ := http.NewRequest("GET", "https://"+addr+path, nil)
		req.Host = name
		resp, err := client.Do(req)
		if err != nil {
			return nil, nil, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp, resp.TLS, nil
	}
	resp, cs, err := get("a.example", "/a/x", true, 0)
	if err != nil || resp.StatusCode != 200 || cs.PeerCertificates[0].Subject.CommonName != "a.example" || resp.ProtoMajor != 1 {
		t.Fatalf("a.example: %v %+v", err, resp)
	}
	resp, cs, err = get("b.example", "/b/x", true, 0)
	if err != nil || resp.StatusCode != 200 || cs.PeerCertificates[0].Subject.CommonName != "b.example" || resp.ProtoMajor != 2 {
		t.Fatalf("b.example (SNI, h2): %v %+v", err, resp)
	}
	if _, _, err := get("b.example", "/b/x", false, tls.VersionTLS12); err == nil {
		t.Error("b.example allows only TLS 1.3 (SSLProtocol -all +TLSv1.3)")
	}
}
