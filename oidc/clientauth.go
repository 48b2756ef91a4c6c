package oidc

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// Client authentication methods at the token, revocation and
// introspection endpoints (oidc_proto_token_endpoint_auth).
const (
	authBasic     = "client_secret_basic"
	authPost      = "client_secret_post"
	authSecretJWT = "client_secret_jwt"
	authNone      = "none"
	// authPrivateKeyJWT signs with the first OIDCPrivateKeyFiles key;
	// like the module it never falls back to none.
	authPrivateKeyJWT = "private_key_jwt"
	assertionTypeJWT  = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// clientAuth is how one request authenticates the client: Basic
// credentials, or form parameters.
type clientAuth struct {
	basicUser, basicPass string
	params               url.Values
}

// apply adds the credentials to form and req (req may be nil when the
// caller sets Basic credentials itself).
func (a clientAuth) apply(form url.Values, req *http.Request) {
	for k, v := range a.params {
		form[k] = v
	}
	if req != nil && a.basicUser != "" {
		req.SetBasicAuth(a.basicUser, a.basicPass)
	}
}

// endpointAuth chooses the client authentication as 2.4.12.3 does: no
// client id, none; client_secret_basic by default when a secret is set;
// without a secret (or with method none) the client is public and only
// its id is sent. audience is the endpoint's URL (the token endpoint for
// token and revocation requests), the aud of a client_secret_jwt or
// private_key_jwt assertion; key signs the latter.
func endpointAuth(method, clientID, secret string, key assertionKey, audience string, now time.Time) (clientAuth, error) {
	if clientID == "" {
		return clientAuth{}, nil
	}
	if method == "" && secret != "" {
		method = authBasic
	}
	if method == "" || method == authNone || secret == "" && method != authPrivateKeyJWT {
		return clientAuth{params: url.Values{"client_id": {clientID}}}, nil
	}
	switch method {
	case authBasic:
		// RFC 6749 §2.3.1: form-encode id and secret first.
		return clientAuth{basicUser: url.QueryEscape(clientID), basicPass: url.QueryEscape(secret)}, nil
	case authPost:
		return clientAuth{params: url.Values{"client_id": {clientID}, "client_secret": {secret}}}, nil
	case authSecretJWT:
		a, err := secretJWTAssertion(clientID, secret, audience, now)
		if err != nil {
			return clientAuth{}, err
		}
		return clientAuth{params: url.Values{"client_assertion_type": {assertionTypeJWT}, "client_assertion": {a}}}, nil
	case authPrivateKeyJWT:
		a, err := key.assertion(clientID, audience, now)
		if err != nil {
			return clientAuth{}, err
		}
		return clientAuth{params: url.Values{"client_assertion_type": {assertionTypeJWT}, "client_assertion": {a}}}, nil
	}
	return clientAuth{}, errors.New("client authentication " + method + " is not supported")
}

// assertionClaims are the claims of a client assertion, in the module's
// order.
type assertionClaims struct {
	Iss string `json:"iss"`
	Sub string `json:"sub"`
	Aud string `json:"aud"`
	JTI string `json:"jti"`
	Exp int64  `json:"exp"`
	Iat int64  `json:"iat"`
}

// secretJWTAssertion is a client_secret_jwt assertion (RFC 7523): HS256
// keyed with the client secret, iss and sub the client id, aud the
// endpoint, a random jti, valid for 60 seconds.
//
// The JWS is assembled here rather than by go-jose, which refuses HMAC
// keys shorter than the hash (RFC 7518 §3.2): 2.4.12.3 signs with
// whatever secret is configured, and providers verify such assertions.
func secretJWTAssertion(clientID, secret, audience string, now time.Time) (string, error) {
	payload, err := json.Marshal(assertionClaims{Iss: clientID, Sub: clientID, Aud: audience,
		JTI: randomString(16), Exp: now.Unix() + 60, Iat: now.Unix()})
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256"}`)) + "." +
		base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}
