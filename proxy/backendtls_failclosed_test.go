package proxy

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// TestBackendTLSFailsClosedOnLoadError: when SSLProxyMachineCertificateFile
// has no certificate with its key (AH02206) or SSLProxyCARevocationFile
// does not parse, a backend certificate from a CA the system trusts — but
// not SSLProxyCACertificateFile's — is refused: the check never falls back
// to the system's roots. After AH02206 Apache goes on without a client
// certificate, so SSLProxyCACertificateFile's certificates still pass;
// after a CRL that does not load (Apache does not start) nothing does. The
// system roots are a test CA (SSL_CERT_FILE, in a child process so that
// no earlier test has loaded the real ones).
func TestBackendTLSFailsClosedOnLoadError(t *testing.T) {
	if os.Getenv("OIDCGATE_FAILCLOSED_CHILD") == "" {
		dir := t.TempDir()
		sys := newTestCA(t)
		writePEM(t, filepath.Join(dir, "system.pem"), "CERTIFICATE", sys.cert.Raw)
		cmd := exec.Command(os.Args[0], "-test.run=^TestBackendTLSFailsClosedOnLoadError$", "-test.v")
		cmd.Env = append(os.Environ(), "OIDCGATE_FAILCLOSED_CHILD="+dir, "SSL_CERT_FILE="+filepath.Join(dir, "system.pem"), "SSL_CERT_DIR="+dir)
		// The child needs the system CA's key to issue the backend's
		// certificate: pass it as a file.
		kder, err := x509.MarshalECPrivateKey(sys.key)
		if err != nil {
			t.Fatal(err)
		}
		writePEM(t, filepath.Join(dir, "system.key"), "EC PRIVATE KEY", kder)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	dir := os.Getenv("OIDCGATE_FAILCLOSED_CHILD")
	sys := &testCA{}
	cb, _ := os.ReadFile(filepath.Join(dir, "system.pem"))
	kb, _ := os.ReadFile(filepath.Join(dir, "system.key"))
	cblk, _ := pem.Decode(cb)
	kblk, _ := pem.Decode(kb)
	var err error
	if sys.cert, err = x509.ParseCertificate(cblk.Bytes); err != nil {
		t.Fatal(err)
	}
	if sys.key, err = x509.ParseECPrivateKey(kblk.Bytes); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	evil := leafCert(t, sys, "localhost", []string{"localhost"}, now.Add(-time.Hour), now.Add(time.Hour))
	if _, err := evil.Verify(x509.VerifyOptions{DNSName: "localhost"}); err != nil {
		t.Fatalf("the test's system roots do not trust the certificate: %v", err)
	}
	private := newTestCA(t)
	caFile := filepath.Join(dir, "private-ca.pem")
	writePEM(t, caFile, "CERTIFICATE", private.cert.Raw)
	good := leafCert(t, private, "localhost", []string{"localhost"}, now.Add(-time.Hour), now.Add(time.Hour))
	noKey := filepath.Join(dir, "client-no-key.pem")
	writePEM(t, noKey, "CERTIFICATE", leafCert(t, private, "client", nil, now.Add(-time.Hour), now.Add(time.Hour)).Raw)
	badCRL := filepath.Join(dir, "bad.crl")
	writePEM(t, badCRL, "X509 CRL", []byte("not a CRL"))
	req := apacheconf.VerifyRequire
	for name, ssl := range map[string]*apacheconf.SSLServer{
		"machine-cert-without-key": {ProxyVerify: &req, ProxyCACertificateFile: &apacheconf.SSLPath{Path: caFile},
			ProxyMachineCertificateFile: &apacheconf.SSLPath{Path: noKey}},
		"unparsable-crl": {ProxyVerify: &req, ProxyCACertificateFile: &apacheconf.SSLPath{Path: caFile},
			ProxyCARevocationFile: &apacheconf.SSLPath{Path: badCRL}, ProxyCARevocationCheck: &apacheconf.SSLCRLCheck{Mode: "leaf", NoCRLForCertOK: true}},
	} {
		b, err := newBackendTLS(ssl, nil)
		if err == nil {
			t.Errorf("%s: no load error", name)
		}
		if err := b.check([]*x509.Certificate{evil}, "localhost"); err == nil {
			t.Errorf("%s: a certificate of a CA other than SSLProxyCACertificateFile's was accepted", name)
		}
		err = b.check([]*x509.Certificate{good}, "localhost")
		if wantOK := name == "machine-cert-without-key"; (err == nil) != wantOK {
			t.Errorf("%s: SSLProxyCACertificateFile's certificate: %v, want accepted %v", name, err, wantOK)
		}
	}
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
