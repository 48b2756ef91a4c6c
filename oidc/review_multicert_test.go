package oidc

import (
	"net/http"
	"testing"
)

// TestMetadataDirTokenEndpointClientCert: with OIDCMetadataDir and
// OIDCClientTokenEndpointCert, a provider's relying party is built (it
// panicked on the OIDCPassCookies-wrapped transport) and its token client
// carries the certificate under the pass-cookies wrapper.
func TestMetadataDirTokenEndpointClientCert(t *testing.T) {
	m := newMultiHarness(t, func(s *Settings) {
		s.TokenEndpointCertFile = "../internal/pemkey/testdata/cert.pem"
		s.TokenEndpointKeyFile = "../internal/pemkey/testdata/pbes2-aes256.key"
		s.TokenEndpointKeyPassword = "s3cret"
	})
	m.loginVia(m.op2)
	m.rp.multi.mu.Lock()
	e := m.rp.multi.entries[m.op2.issuer]
	m.rp.multi.mu.Unlock()
	if e == nil {
		t.Fatal("no relying party for provider 2")
	}
	ct, ok := e.rp.tokenClient.Transport.(cookieTransport)
	if !ok {
		t.Fatalf("token client transport %T, want the OIDCPassCookies wrapper", e.rp.tokenClient.Transport)
	}
	tr, ok := ct.base.(*http.Transport)
	if !ok || len(tr.TLSClientConfig.Certificates) != 1 {
		t.Fatalf("token client's transport has no client certificate: %T", ct.base)
	}
}
