package compattests

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestClientCertTokenEndpoint: OIDCClientTokenEndpointCert/Key/KeyPassword
// with the real module and with oidcgate, against a Go TLS token endpoint
// that records the client certificate of every call. The key is a plain
// PEM key, or encrypted with "s3cret" as OpenSSL 3 writes it (PKCS#8 PBES2
// AES-256, legacy PEM AES-128): the module (curl + OpenSSL) and oidcgate
// must both decrypt it and present the certificate on the code grant.
func TestClientCertTokenEndpoint(t *testing.T) {
	requireApache(t)
	var mu sync.Mutex
	var calls []string // "METHOD path cn=CN"
	op := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cn := "-"
		if len(r.TLS.PeerCertificates) > 0 {
			cn = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		mu.Lock()
		calls = append(calls, fmt.Sprintf("%s %s cn=%s", r.Method, r.URL.Path, cn))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":"invalid_grant","error_description":"recorded"}`))
	}))
	op.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
	op.StartTLS()
	t.Cleanup(op.Close)
	td, err := filepath.Abs("../internal/pemkey/testdata")
	if err != nil {
		t.Fatal(err)
	}
	const presented = "POST /token cn=oidcgate-test-client"
	for _, key := range []struct {
		file, password string
		oidcgate       string // what oidcgate's provider sees when it differs from Apache's
	}{
		{file: "plain.key"}, {file: "pbes2-aes256.key", password: "s3cret"}, {file: "legacy-aes128.key", password: "s3cret"},
		// PKCS#8 with PKCS#12's PBE-SHA1-3DES (OpenSSL 1.0's default).
		{file: "pbes1.key", password: "s3cret"},
		// OpenSSL also reads scrypt-encrypted keys; oidcgate does not: it
		// makes no token request (lint says so).
		{file: "scrypt.key", password: "s3cret", oidcgate: "-"},
	} {
		t.Run(key.file, func(t *testing.T) {
			conf := func(listen, dir string) string {
				pw := ""
				if key.password != "" {
					pw = "OIDCClientTokenEndpointKeyPassword " + key.password + "\n"
				}
				return fmt.Sprintf(`LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so
LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so
LoadModule auth_openidc_module /usr/lib/apache2/modules/mod_auth_openidc.so
ServerName rp.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[2]s/error.log
PidFile %[2]s/pid
DefaultRuntimeDir %[2]s
OIDCProviderIssuer %[3]s
OIDCProviderAuthorizationEndpoint %[3]s/auth
OIDCProviderTokenEndpoint %[3]s/token
OIDCProviderJwksUri %[3]s/jwks
OIDCSSLValidateServer Off
OIDCClientID c
OIDCClientSecret s
OIDCRedirectURI /redirect_uri
OIDCCryptoPassphrase compat-tests-passphrase
OIDCClientTokenEndpointCert %[4]s/cert.pem
OIDCClientTokenEndpointKey %[4]s/%[5]s
%[6]s<Location />
  AuthType openid-connect
  Require valid-user
</Location>
`, listen, dir, op.URL, td, key.file, pw)
			}
			p := startFrontPair(t, conf, nil)
			for _, tg := range []struct{ name, addr string }{{"apache", p.Apache}, {"oidcgate", p.OIDCGate}} {
				mu.Lock()
				calls = nil
				mu.Unlock()
				c := newBrowser(t)
				h := do(t, c, "GET", "http://"+tg.addr+"/x", nil, browserHdr)
				loc, err := url.Parse(h.Location)
				if h.Status != 302 || err != nil || loc.Query().Get("state") == "" {
					t.Fatalf("%s: login start %d %q", tg.name, h.Status, h.Location)
				}
				do(t, c, "GET", "http://"+tg.addr+"/redirect_uri?code=abc&state="+url.QueryEscape(loc.Query().Get("state")), nil, browserHdr)
				mu.Lock()
				got := strings.Join(calls, "; ")
				mu.Unlock()
				want := presented
				if tg.name == "oidcgate" && key.oidcgate != "" {
					want = strings.TrimPrefix(key.oidcgate, "-")
				}
				if got != want {
					t.Errorf("%s: the provider saw %q, want %q", tg.name, got, want)
				}
			}
			if t.Failed() {
				t.Logf("oidcgate stderr:\n%s", p.OIDCGateLog)
			}
		})
	}
}
