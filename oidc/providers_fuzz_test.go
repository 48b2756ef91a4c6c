package oidc

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzProviderFiles feeds the readers of .provider, .client and .conf
// files (a provider's discovery document and a registration answer come
// from the network) and of a registration JSON object: errors, never
// panics, and an accepted document has what the relying party needs.
func FuzzProviderFiles(f *testing.F) {
	for _, s := range []string{`{"issuer":"https://a","authorization_endpoint":"https://a/x","token_endpoint_auth_methods_supported":["x","client_secret_post"]}`,
		`{"issuer":["https://a"]}`, `{"client_id":"c","client_secret_expires_at":1.5}`, `{"scope":7,"idtoken_iat_slack":1e300}`,
		`{"response_types":["code"],"a":{"b":[1,2]}}`, `[`, `{"a":1}{`, `{"error":null,"issuer":"https://a/","authorization_endpoint":"http://a:1"}`} {
		f.Add(s)
	}
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, doc string) {
		if d, err := parseProviderMetadata([]byte(doc), "https://a", "f.provider"); err == nil {
			if !issuerMatch("https://a", d.Issuer) || !validHTTPURL(d.AuthorizationEndpoint) || !validEndpointAuth(d.TokenEndpointAuth) {
				t.Fatalf("accepted %q as %+v", doc, d)
			}
		} else if !strings.Contains(err.Error(), "f.provider") {
			t.Fatalf("error does not name the file: %v", err)
		}
		if c, err := parseClient([]byte(doc), "https://a", "f.client", now); err == nil && c.ClientID == "" {
			t.Fatalf("client without client_id from %q", doc)
		}
		s := Settings{}
		_ = applyConf(&s, []byte(doc), "https://a", "f.conf")
		if o, err := parseJSONObject(doc); err == nil {
			if _, err := parseJSONObject(string(o.marshal())); err != nil {
				t.Fatalf("re-encoded %q does not parse: %v", o.marshal(), err)
			}
		}
	})
}

// FuzzDiscoveryInput feeds what a browser or a foreign page sends to the
// discovery answer: query parameters and a JWT whose issuer only picks a
// provider.
func FuzzDiscoveryInput(f *testing.F) {
	f.Add("iss=https%3A%2F%2Fa&target_link_uri=x&iss=b", "a.eyJpc3MiOiJodHRwczovL2EifQ.c")
	f.Add("iss=%zz&x_csrf=+", "..")
	f.Fuzz(func(t *testing.T, rawQuery, jwt string) {
		v, ok := requestParam(rawQuery, "iss")
		if !ok && v != "" {
			t.Fatalf("value %q without the parameter", v)
		}
		if ok {
			if _, err := url.ParseQuery("iss=" + url.QueryEscape(v)); err != nil {
				t.Fatal(err)
			}
		}
		_ = unverifiedIssuer(jwt)
		_ = issuerFilename(v)
		if strings.Contains(issuerFilename(v), "/") {
			t.Fatalf("file name of %q has a slash", v)
		}
	})
}
