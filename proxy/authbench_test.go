package proxy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"
	"time"
)

// benchBearerSecret is compat-tests/bench/bearer.sh's shared key.
const benchBearerSecret = "bench-shared-key-of-at-least-32-bytes"

// benchBearerToken is the token compat-tests/bench/bearer signs with
// ALG=HS256: the same claims, the same header.
func benchBearerToken(b testing.TB) string {
	b.Helper()
	now := time.Now()
	cl, _ := json.Marshal(map[string]any{
		"sub": "svc-bench", "iss": "https://as.example", "aud": "api",
		"exp": now.Add(2 * time.Hour).Unix(), "iat": now.Unix(),
		"scope": "read write", "client_id": "bench-client", "groups": []string{"g1", "g2"},
	})
	in := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + base64.RawURLEncoding.EncodeToString(cl)
	m := hmac.New(sha256.New, []byte(benchBearerSecret))
	m.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// BenchmarkHandlerOAuthHS256 is BenchmarkHandler behind AuthType oauth20
// with a valid HS256 bearer token, as compat-tests/bench/bearer.sh
// (ALG=HS256) configures it: OIDCOAuthVerifySharedKeys,
// OIDCOAuthRemoteUserClaim sub, Require valid-user, everything else
// default (the token's claims go to the backend as headers and to the
// environment). The token is validated once and then served from the
// resource server's cache, as wrk's repeated token is.
func BenchmarkHandlerOAuthHS256(b *testing.B) {
	be := fixedBackend(b)
	cfg := loadConfig(b, `ServerName 127.0.0.1
OIDCOAuthRemoteUserClaim sub
OIDCOAuthVerifySharedKeys `+benchBearerSecret+`
<Location />
    AuthType oauth20
    Require valid-user
</Location>
ProxyPass / http://`+be+`/
`)
	s := NewSite(cfg, nil, slog.New(slog.DiscardHandler))
	defer s.Close()
	benchHandler(b, s, "127.0.0.1:8080", http.Header{"User-Agent": {"wrk"}, "Accept": {"*/*"},
		"Authorization": {"Bearer " + benchBearerToken(b)}})
}
