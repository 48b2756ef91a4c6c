package compattests

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var testSerial atomic.Int64

// issue makes a certificate for cn signed by parent (nil: self-signed CA)
// with the given extended key usage; isCA makes it an intermediate or
// root that may also sign CRLs.
func issue(t *testing.T, parent *testCA, cn string, names []string, isCA bool, eku x509.ExtKeyUsage) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano() + testSerial.Add(1)), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	if isCA {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage |= x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{eku}
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	signer, signKey := tmpl, key
	if parent != nil {
		signer, signKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// keyPEM is the certificate followed by its key, as
// SSLProxyMachineCertificateFile wants them.
func (ca *testCA) keyPEM(t *testing.T) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return append(append([]byte{}, ca.pem...), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})...)
}

func (ca *testCA) tlsCert() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{ca.cert.Raw}, PrivateKey: ca.key}
}

// crl is a CRL of ca revoking the serial numbers of the given certificates.
func (ca *testCA) crl(t *testing.T, revoked ...*testCA) []byte {
	t.Helper()
	tmpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: time.Now().Add(-time.Hour), NextUpdate: time.Now().Add(24 * time.Hour)}
	for _, r := range revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: r.cert.SerialNumber, RevocationTime: time.Now().Add(-time.Minute)})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.cert, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
}

// startTLS starts a recording backend with its own TLS configuration.
func (b *tlsRecorder) startTLS(t *testing.T, cfg *tls.Config) string {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(b.handler))
	srv.Config.ErrorLog = nil
	cfg.GetConfigForClient = func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		sni := h.ServerName
		if sni == "" {
			sni = "-"
		}
		b.mu.Lock()
		b.hellos = append(b.hellos, sni)
		b.mu.Unlock()
		return nil, nil
	}
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	b.srvs = append(b.srvs, srv)
	return srv.Listener.Addr().String()
}

// TestHTTPSBackendClientTLS compares Apache and oidcgate towards https
// backends that want client certificates (SSLProxyMachineCertificateFile,
// …Path, …ChainFile, and the choice among several by the backend's
// acceptable CAs), speak one TLS version (SSLProxyProtocol) or one cipher
// suite (SSLProxyCipherSuite), or present a revoked certificate
// (SSLProxyCARevocationFile/Path/Check).
func TestHTTPSBackendClientTLS(t *testing.T) {
	requireApache(t)
	ca := issue(t, nil, "oidcgate server CA", nil, true, 0)
	ca2 := issue(t, nil, "oidcgate other CA", nil, true, 0)
	good := issue(t, ca, "localhost", []string{"localhost", "127.0.0.1"}, false, x509.ExtKeyUsageServerAuth)
	revoked := issue(t, ca, "localhost", []string{"localhost", "127.0.0.1"}, false, x509.ExtKeyUsageServerAuth)
	clientCA := issue(t, nil, "client CA one", nil, true, 0)
	clientCA2 := issue(t, nil, "client CA two", nil, true, 0)
	clientRoot := issue(t, nil, "client root", nil, true, 0)
	clientInter := issue(t, clientRoot, "client intermediate", nil, true, 0)
	c1 := issue(t, clientCA, "client-one", nil, false, x509.ExtKeyUsageClientAuth)
	c2 := issue(t, clientCA, "client-two", nil, false, x509.ExtKeyUsageClientAuth)
	cOther := issue(t, clientCA2, "client-of-ca2", nil, false, x509.ExtKeyUsageClientAuth)
	cInter := issue(t, clientInter, "client-via-intermediate", nil, false, x509.ExtKeyUsageClientAuth)

	pool := func(cas ...*testCA) *x509.CertPool {
		p := x509.NewCertPool()
		for _, c := range cas {
			p.AddCert(c.cert)
		}
		return p
	}
	rec := &tlsRecorder{}
	srv := func(c *testCA) []tls.Certificate { return []tls.Certificate{c.tlsCert()} }
	be := map[string]string{
		"good":    rec.startTLS(t, &tls.Config{Certificates: srv(good)}),
		"revoked": rec.startTLS(t, &tls.Config{Certificates: srv(revoked)}),
		"tls12":   rec.startTLS(t, &tls.Config{Certificates: srv(good), MaxVersion: tls.VersionTLS12}),
		"tls13":   rec.startTLS(t, &tls.Config{Certificates: srv(good), MinVersion: tls.VersionTLS13}),
		"aes128":  rec.startTLS(t, &tls.Config{Certificates: srv(good), MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}),
		"client":  rec.startTLS(t, &tls.Config{Certificates: srv(good), ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool(clientCA)}),
		"client2": rec.startTLS(t, &tls.Config{Certificates: srv(good), ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool(clientCA2)}),
		"root":    rec.startTLS(t, &tls.Config{Certificates: srv(good), ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool(clientRoot)}),
	}
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatal("openssl is needed to hash the CRL directory (as c_rehash does for Apache)")
	}
	prepare := func(dir string) {
		w := func(name string, b []byte) {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		w("ca.pem", ca.pem)
		w("c1.pem", c1.keyPEM(t))
		w("c1-and-other.pem", append(c1.keyPEM(t), cOther.keyPEM(t)...))
		w("cinter.pem", cInter.keyPEM(t))
		w("chain.pem", append(append([]byte{}, clientInter.pem...), clientRoot.pem...))
		w("crl.pem", ca.crl(t, revoked))
		w("crl-other.pem", ca2.crl(t))
		w("nokey.pem", c1.pem)
		for sub, files := range map[string]map[string][]byte{"certs": {"c2.pem": c2.keyPEM(t)}, "crls": {"crl.pem": ca.crl(t, revoked)}} {
			os.Mkdir(filepath.Join(dir, sub), 0o755)
			for n, b := range files {
				w(filepath.Join(sub, n), b)
			}
		}
		if out, err := exec.Command(openssl, "rehash", filepath.Join(dir, "crls")).CombinedOutput(); err != nil {
			t.Fatalf("openssl rehash: %v %s", err, out)
		}
	}
	conf := func(listen, dir string) string {
		var b strings.Builder
		b.WriteString(loadModules("mpm_event", "authz_core", "proxy", "proxy_http", "ssl"))
		fmt.Fprintf(&b, "ServerName front.example\nListen %[1]s\nUser nobody\nGroup nogroup\nErrorLog %[2]s/error.log\nLogLevel info\nPidFile %[2]s/httpd.pid\n"+
			"<VirtualHost %[1]s>\n  ServerName default.local\n</VirtualHost>\n", listen, dir)
		vh := func(name, body, backend string) {
			fmt.Fprintf(&b, "<VirtualHost %s>\n  ServerName %s\n  SSLProxyEngine On\n%s  ProxyPass / https://localhost:%s/\n</VirtualHost>\n",
				listen, name, body, strings.TrimPrefix(be[backend], "127.0.0.1:"))
		}
		d := dir + "/"
		vh("mc-none.local", "", "client")
		vh("mc-file.local", "  SSLProxyMachineCertificateFile "+d+"c1.pem\n", "client")
		vh("mc-path.local", "  SSLProxyMachineCertificatePath "+d+"certs\n", "client")
		vh("mc-no-match.local", "  SSLProxyMachineCertificateFile "+d+"c1.pem\n", "client2")
		vh("mc-select.local", "  SSLProxyMachineCertificateFile "+d+"c1-and-other.pem\n", "client2")
		vh("mc-select-first.local", "  SSLProxyMachineCertificateFile "+d+"c1-and-other.pem\n", "client")
		vh("mc-chain.local", "  SSLProxyMachineCertificateFile "+d+"cinter.pem\n  SSLProxyMachineCertificateChainFile "+d+"chain.pem\n", "root")
		vh("mc-no-chain.local", "  SSLProxyMachineCertificateFile "+d+"cinter.pem\n", "root")
		vh("mc-no-key.local", "  SSLProxyMachineCertificateFile "+d+"nokey.pem\n", "client")
		vh("mc-unasked.local", "  SSLProxyMachineCertificateFile "+d+"c1.pem\n", "good")
		vh("proto-default.local", "", "good")
		vh("proto-12.local", "  SSLProxyProtocol -all +TLSv1.2\n", "good")
		vh("proto-12-to-13.local", "  SSLProxyProtocol -all +TLSv1.2\n", "tls13")
		vh("proto-13-to-12.local", "  SSLProxyProtocol TLSv1.3\n", "tls12")
		vh("proto-range.local", "  SSLProxyProtocol -all +TLSv1.2 +TLSv1.3\n", "tls12")
		cs := func(list string) string { return "  SSLProxyCipherSuite " + list + "\n" }
		vh("cs-match.local", cs("ECDHE-ECDSA-AES128-GCM-SHA256"), "aes128")
		vh("cs-other.local", cs("ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256"), "aes128")
		vh("cs-removed.local", cs("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:!ECDHE-ECDSA-AES128-GCM-SHA256"), "aes128")
		vh("cs-alias.local", cs("HIGH:!aNULL:!MD5"), "aes128")
		vh("cs-dhe-only.local", cs("DHE-RSA-AES128-GCM-SHA256"), "aes128")
		vh("cs-tls13-untouched.local", cs("ECDHE-ECDSA-AES256-GCM-SHA384"), "tls13")
		req := "  SSLProxyVerify require\n  SSLProxyCACertificateFile " + d + "ca.pem\n"
		vh("crl-chain-revoked.local", req+"  SSLProxyCARevocationFile "+d+"crl.pem\n  SSLProxyCARevocationCheck chain\n", "revoked")
		vh("crl-leaf-revoked.local", req+"  SSLProxyCARevocationFile "+d+"crl.pem\n  SSLProxyCARevocationCheck leaf\n", "revoked")
		vh("crl-chain-good.local", req+"  SSLProxyCARevocationFile "+d+"crl.pem\n  SSLProxyCARevocationCheck chain\n", "good")
		vh("crl-unchecked.local", req+"  SSLProxyCARevocationFile "+d+"crl.pem\n", "revoked")
		vh("crl-path.local", req+"  SSLProxyCARevocationPath "+d+"crls\n  SSLProxyCARevocationCheck leaf\n", "revoked")
		vh("crl-missing.local", req+"  SSLProxyCARevocationFile "+d+"crl-other.pem\n  SSLProxyCARevocationCheck chain\n", "good")
		vh("crl-missing-ok.local", req+"  SSLProxyCARevocationFile "+d+"crl-other.pem\n  SSLProxyCARevocationCheck chain no_crl_for_cert_ok\n", "good")
		vh("crl-verify-none.local", "  SSLProxyCARevocationFile "+d+"crl.pem\n  SSLProxyCARevocationCheck chain\n", "revoked")
		return b.String()
	}
	fp := startFrontPair(t, conf, prepare)
	aAddr, oAddr := fp.Apache, fp.OIDCGate
	for _, host := range []string{
		"mc-none", "mc-file", "mc-path", "mc-no-match", "mc-select", "mc-select-first", "mc-chain", "mc-no-chain", "mc-no-key", "mc-unasked",
		"proto-default", "proto-12", "proto-12-to-13", "proto-13-to-12", "proto-range",
		"cs-match", "cs-other", "cs-removed", "cs-alias", "cs-dhe-only", "cs-tls13-untouched",
		"crl-chain-revoked", "crl-leaf-revoked", "crl-chain-good", "crl-unchecked", "crl-path", "crl-missing", "crl-missing-ok", "crl-verify-none",
	} {
		t.Run(host, func(t *testing.T) {
			a := rawGetFull(t, aAddr, "/x", host+".local", nil)
			aSeen := rec.take()
			o := rawGetFull(t, oAddr, "/x", host+".local", nil)
			oSeen := rec.take()
			_, ap, _ := net.SplitHostPort(aAddr)
			_, op, _ := net.SplitHostPort(oAddr)
			as := strings.ReplaceAll(fmt.Sprintf("%+v", a), ":"+ap, ":${PORT}")
			os := strings.ReplaceAll(fmt.Sprintf("%+v", o), ":"+op, ":${PORT}")
			t.Logf("apache2: %s\n backend: %+v", as, aSeen)
			if as != os {
				t.Errorf("response:\n apache2:  %s\n oidcgate: %s", as, os)
			}
			if a, o := fmt.Sprintf("%+v", aSeen), fmt.Sprintf("%+v", oSeen); a != o {
				t.Errorf("backend saw:\n apache2:  %s\n oidcgate: %s", a, o)
			}
		})
	}
	if t.Failed() {
		t.Logf("oidcgate log:\n%s", fp.OIDCGateLog.String())
		el, _ := os.ReadFile(filepath.Join(fp.ApacheDir, "error.log"))
		t.Logf("apache error.log:\n%s", el)
	}
}
