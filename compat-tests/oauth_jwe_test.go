package compattests

import (
	"bufio"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcgate/oidcgate/internal/jwkfile"
)

// oauthJWESecret is OIDCClientSecret: 2.4.12.3's resource server uses its
// bytes as they are as a symmetric decryption key (32 bytes: AES-256).
const oauthJWESecret = "client-secret-32-bytes-long-0123"

// oauthJWEConf renders a resource server that validates HS256 JWTs with a
// shared key and decrypts JWE bearer tokens with OIDCClientSecret and
// OIDCPrivateKeyFiles (both as 2.4.12.3 reads them).
func oauthJWEConf(listen, backend, dir, keyFile string) string {
	return fmt.Sprintf(`LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so
LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
LoadModule auth_openidc_module /usr/lib/apache2/modules/mod_auth_openidc.so
ServerName t.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[3]s/error.log
PidFile %[3]s/httpd.pid
OIDCOAuthVerifySharedKeys %[4]s
OIDCClientSecret %[5]s
OIDCPrivateKeyFiles %[6]s
<IfModule oidcgate.c>
  OIDCOAuthVerifyIssuer https://as.example
  OIDCOAuthVerifyAudience api
</IfModule>
<Location /api>
  AuthType oauth20
  Require valid-user
  ProxyPass http://%[2]s/api
</Location>
`, listen, backend, dir, oauthSecret, oauthJWESecret, keyFile)
}

// jweAround encrypts tok (compact) for key with alg/enc and kid ("" none).
func jweAround(t *testing.T, tok string, alg jose.KeyAlgorithm, enc jose.ContentEncryption, key any, kid string, zip bool) string {
	t.Helper()
	opts := (&jose.EncrypterOptions{}).WithContentType("JWT")
	if zip {
		opts.Compression = jose.DEFLATE
	}
	e, err := jose.NewEncrypter(enc, jose.Recipient{Algorithm: alg, Key: key, KeyID: kid}, opts)
	if err != nil {
		t.Fatal(err)
	}
	o, err := e.Encrypt([]byte(tok))
	if err != nil {
		t.Fatal(err)
	}
	s, err := o.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestOAuthJWEDifferential: JWE bearer tokens (AuthType oauth20) get the
// same answer from Apache + mod_auth_openidc 2.4.12.3 and oidcgate —
// decrypted with OIDCClientSecret's bytes or OIDCPrivateKeyFiles' RSA key
// (by the derived kid, or without a kid), for each key-management alg and
// content encryption cjose takes; refused when the kid names no key, the
// key does not fit the alg, the payload is not a valid signed token, or
// the JWE is compressed. The identity headers (OIDC_access_token is the
// JWE as sent) are compared too.
func TestOAuthJWEDifferential(t *testing.T) {
	requireApache(t)
	keyFile, err := filepath.Abs("testdata/pkjwt/client.key")
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := jwkfile.ParsePEM(pemBytes, true)
	if err != nil {
		t.Fatal(err)
	}
	pub := &jwk.Key.(*rsa.PrivateKey).PublicKey
	kid, err := jwkfile.DeriveKID(pub)
	if err != nil {
		t.Fatal(err)
	}
	be := newClaimBackend(t)
	fp := startFrontPair(t, func(listen, dir string) string { return oauthJWEConf(listen, be.Addr(), dir, keyFile) }, nil)
	exp := time.Now().Add(time.Hour).Unix()
	cl := map[string]any{"sub": "svc-1", "iss": "https://as.example", "aud": "api", "exp": exp, "scope": "read", "groups": []string{"g1", "g2"}}
	good := oauthJWT(cl, oauthSecret)
	expired := oauthJWT(map[string]any{"sub": "svc-1", "iss": "https://as.example", "aud": "api", "exp": time.Now().Add(-time.Hour).Unix()}, oauthSecret)
	badSig := oauthJWT(cl, "another-secret-of-32-bytes-long!")
	secret := []byte(oauthJWESecret)
	cases := []struct {
		name, tok string
		ok        bool // what Apache must answer (a sanity check on the set-up)
	}{
		{"dir A256GCM client secret", jweAround(t, good, jose.DIRECT, jose.A256GCM, secret, "", false), true},
		{"dir A128CBC-HS256 client secret", jweAround(t, good, jose.DIRECT, jose.A128CBC_HS256, secret, "", false), true},
		{"A256KW client secret", jweAround(t, good, jose.A256KW, jose.A192CBC_HS384, secret, "", false), true},
		{"RSA-OAEP derived kid", jweAround(t, good, jose.RSA_OAEP, jose.A128CBC_HS256, pub, kid, false), true},
		{"RSA-OAEP no kid A128GCM", jweAround(t, good, jose.RSA_OAEP, jose.A128GCM, pub, "", false), true},
		{"RSA1_5 A256CBC-HS512", jweAround(t, good, jose.RSA1_5, jose.A256CBC_HS512, pub, "", false), true},
		{"client secret's fingerprint as kid", jweAround(t, good, jose.DIRECT, jose.A256GCM, secret, fingerprint(secret), false), true},

		{"unknown kid", jweAround(t, good, jose.RSA_OAEP, jose.A128CBC_HS256, pub, "not-a-kid", false), false},
		{"A128KW with the secret's first 16 bytes", jweAround(t, good, jose.A128KW, jose.A256GCM, secret[:16], "", false), false},
		{"dir with the secret's SHA-256 (the RP's key)", jweAround(t, good, jose.DIRECT, jose.A256GCM, sha256Of(secret), "", false), false},
		{"RSA-OAEP-256", jweAround(t, good, jose.RSA_OAEP_256, jose.A128CBC_HS256, pub, "", false), false},
		{"compressed", jweAround(t, good, jose.RSA_OAEP, jose.A128CBC_HS256, pub, "", true), false},
		{"expired inside", jweAround(t, expired, jose.DIRECT, jose.A256GCM, secret, "", false), false},
		{"bad signature inside", jweAround(t, badSig, jose.DIRECT, jose.A256GCM, secret, "", false), false},
		{"claims instead of a JWS inside", jweAround(t, `{"sub":"svc-1","exp":9999999999}`, jose.DIRECT, jose.A256GCM, secret, "", false), false},
		{"five garbage parts", "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAA.AAAA.AAAA", false},
	}
	// Every key-management alg × content encryption go-jose makes, with
	// the key the module would use: the answers must agree (cjose's set).
	type caseT = struct {
		name, tok string
		ok        bool
	}
	encs := []jose.ContentEncryption{jose.A128CBC_HS256, jose.A192CBC_HS384, jose.A256CBC_HS512, jose.A128GCM, jose.A192GCM, jose.A256GCM}
	for _, alg := range []jose.KeyAlgorithm{jose.RSA1_5, jose.RSA_OAEP, jose.RSA_OAEP_256, jose.A256KW, jose.A256GCMKW, jose.DIRECT, jose.PBES2_HS256_A128KW} {
		for _, enc := range encs {
			var key any = secret
			if strings.HasPrefix(string(alg), "RSA") {
				key = pub
			}
			if alg == jose.DIRECT && enc != jose.A128CBC_HS256 && enc != jose.A256GCM {
				continue // dir needs a key of the enc's size; the secret has 32 bytes
			}
			ok := alg != jose.RSA_OAEP_256 && alg != jose.A256GCMKW && alg != jose.PBES2_HS256_A128KW
			cases = append(cases, caseT{fmt.Sprintf("matrix %s %s", alg, enc), jweAround(t, good, alg, enc, key, "", false), ok})
		}
	}
	do := func(addr, tok string) oauthResponse {
		t.Helper()
		conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(conn, "GET /api/x HTTP/1.1\r\nHost: t.example\r\nConnection: close\r\nAuthorization: Bearer %s\r\n\r\n", tok)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		out := oauthResponse{status: resp.StatusCode, wwwAuth: strings.Join(resp.Header.Values("WWW-Authenticate"), " | ")}
		if r := be.take(); r != nil {
			var lines []string
			for _, h := range r.Headers {
				if n := strings.ToLower(h[0]); strings.HasPrefix(n, "oidc") || n == "authorization" {
					lines = append(lines, h[0]+": "+h[1])
				}
			}
			sort.Strings(lines)
			out.backend = strings.Join(lines, "\n")
		}
		return out
	}
	for _, c := range cases {
		a, o := do(fp.Apache, c.tok), do(fp.OIDCGate, c.tok)
		if c.ok != (a.status == http.StatusOK) {
			t.Errorf("%s: Apache answered %d %q, want ok=%v", c.name, a.status, a.wwwAuth, c.ok)
		}
		if c.ok && !strings.Contains(a.backend, "OIDC_access_token: "+c.tok) {
			t.Errorf("%s: the backend did not get the JWE as OIDC_access_token:\n%s", c.name, a.backend)
		}
		if a != o {
			t.Errorf("%s:\n apache   %d %q\n%s\n oidcgate %d %q\n%s", c.name, a.status, a.wwwAuth, a.backend, o.status, o.wwwAuth, o.backend)
		}
	}
	if t.Failed() {
		b, _ := os.ReadFile(filepath.Join(fp.ApacheDir, "error.log"))
		t.Logf("apache error.log:\n%s\noidcgate log:\n%s", b, fp.OIDCGateLog.String())
	}
}

func sha256Of(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

// fingerprint is the kid cjose gives a symmetric key without one.
func fingerprint(b []byte) string { return base64.RawURLEncoding.EncodeToString(sha256Of(b)) }
