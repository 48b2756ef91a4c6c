package compattests

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestOAuthOPIntrospectionPrivateKeyJWT: OIDCOAuthIntrospectionEndpointAuth
// private_key_jwt against oidc-provider's introspection endpoint, client
// "rs-pkjwt" (registered with the public key of testdata/pkjwt): the real
// module and oidcgate sign the assertion with OIDCPrivateKeyFiles, aud the
// introspection URL they call. The https front keeps the Host it was
// called with and sends X-Forwarded-Proto, so the provider accepts that
// URL as the assertion's audience. Compared: the answers, what the backend
// gets, and each introspection call (status 200 = the provider verified
// the assertion; the assertion's header and claim names).
func TestOAuthOPIntrospectionPrivateKeyJWT(t *testing.T) {
	requireApache(t)
	op := startOP(t, "http://127.0.0.1:1/redirect_uri")
	target, _ := url.Parse(op.Issuer)
	front := httptest.NewTLSServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host
		r.Out.Header.Set("X-Forwarded-Proto", "https")
	}})
	t.Cleanup(front.Close)
	_, ep := opTLSFront(t, op)
	introspection := front.URL + strings.TrimPrefix(ep["introspection_endpoint"], op.Issuer)
	key, _ := filepath.Abs("testdata/pkjwt/client.key")
	crt, _ := filepath.Abs("testdata/pkjwt/client.crt")
	be := newClaimBackend(t)
	fp := startFrontPair(t, func(listen, dir string) string {
		return opRSConf(listen, be.Addr(), dir, fmt.Sprintf(`OIDCOAuthIntrospectionEndpoint %s
OIDCOAuthClientID rs-pkjwt
OIDCPrivateKeyFiles %s
OIDCPublicKeyFiles %s
OIDCOAuthIntrospectionEndpointAuth private_key_jwt
OIDCOAuthRemoteUserClaim client_id`, introspection, key, crt))
	}, nil)
	opaque, _ := opClientCredentials(t, ep["token_endpoint"], "read write", "")
	readOnly, _ := opClientCredentials(t, ep["token_endpoint"], "read", "")
	op.backchannel(t)
	back := func() string {
		var lines []string
		for _, r := range op.backchannel(t) {
			var body []string
			for _, kv := range r.Body {
				v := kv[0]
				if kv[0] == "client_assertion" {
					parts := strings.Split(kv[1], ".")
					hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
					payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
					var c struct{ Iss, Sub, Aud string }
					json.Unmarshal(payload, &c)
					v += fmt.Sprintf("(header %s claims %s iss=%s sub=%s aud=%v)", hdr, strings.Join(jsonKeys(payload), ","), c.Iss, c.Sub, c.Aud == introspection)
				}
				body = append(body, v)
			}
			// The order of form fields carries no meaning (oidcgate sends
			// them sorted).
			sort.Strings(body)
			lines = append(lines, fmt.Sprintf("%s %s %d %s body=%s", r.Method, r.Path, r.Status, r.Auth, strings.Join(body, ",")))
		}
		return strings.Join(lines, "\n")
	}
	opRSCompare(t, fp, be, []opRSCase{
		{"opaque", "/api/x", "Bearer " + opaque},
		{"opaque write scope", "/write/x", "Bearer " + opaque},
		{"read only on write", "/write/x", "Bearer " + readOnly},
		{"unknown", "/api/x", "Bearer " + strings.Repeat("x", len(opaque))},
	}, back)
}
