package oidc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

// Registration is what dynamic client registration sends (the server's
// directives; a provider's .conf overrides them).
type Registration struct {
	// ClientName is OIDCClientName ("OpenID Connect Apache Module
	// (mod_auth_openidc)" by default); ClientContact OIDCClientContact.
	ClientName, ClientContact string
	// ClientJwksURI is OIDCClientJwksUri.
	ClientJwksURI string
	// EndpointJSON is OIDCProviderRegistrationEndpointJson: a JSON object
	// whose members replace the request's.
	EndpointJSON string
	// Token is .conf's registration_token (an initial access token sent
	// as a bearer token).
	Token string
	// The OIDCIDTokenEncrypted* response algorithms the client asks for
	// (the userinfo ones are Settings' UserInfo* fields, which also decide
	// how the answer is read).
	IDTokenEncryptedAlg, IDTokenEncryptedEnc string
	// PublicKeys: the relying party has public keys (OIDCPublicKeyFiles),
	// so without ClientJwksURI jwks_uri is <redirect_uri>?jwks=rsa.
	PublicKeys bool
}

// jsonMember is one member of a JSON object built in order.
type jsonMember struct {
	key string
	val json.RawMessage
}

// jsonObject is a JSON object whose members keep their order, as
// jansson's objects do.
type jsonObject []jsonMember

// set replaces key's value in place or appends it (json_object_set).
func (o *jsonObject) set(key string, v any) {
	raw, ok := v.(json.RawMessage)
	if !ok {
		raw = marshalNoEscape(v)
	}
	for i := range *o {
		if (*o)[i].key == key {
			(*o)[i].val = raw
			return
		}
	}
	*o = append(*o, jsonMember{key, raw})
}

func (o jsonObject) marshal() []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(marshalNoEscape(m.key))
		b.WriteByte(':')
		b.Write(m.val)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// parseJSONObject reads a JSON object keeping its members' order.
func parseJSONObject(s string) (jsonObject, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var o jsonObject
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		o.set(k, v)
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, fmt.Errorf("not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the JSON object")
	}
	return o, nil
}

// registrationRequest builds the registration request as 2.4.12.3 does
// (oidc_metadata_client_register), members in its order; redirectURI is
// absolute.
func registrationRequest(s *Settings, redirectURI string) ([]byte, error) {
	r := s.Registration
	name := r.ClientName
	if name == "" {
		name = "OpenID Connect Apache Module (mod_auth_openidc)"
	}
	var o jsonObject
	o.set("client_name", name)
	o.set("redirect_uris", []string{redirectURI})
	o.set("response_types", []string{"code", "id_token", "id_token token", "code id_token", "code token", "code id_token token"})
	o.set("grant_types", []string{"authorization_code", "implicit", "refresh_token"})
	if s.TokenEndpointAuth != "" {
		o.set("token_endpoint_auth_method", s.TokenEndpointAuth)
	}
	if r.ClientContact != "" {
		o.set("contacts", []string{r.ClientContact})
	}
	if r.ClientJwksURI != "" {
		o.set("jwks_uri", r.ClientJwksURI)
	} else if r.PublicKeys {
		o.set("jwks_uri", redirectURI+"?jwks=rsa")
	}
	for _, kv := range [][2]string{{"id_token_signed_response_alg", s.IDTokenSignedAlg},
		{"id_token_encrypted_response_alg", r.IDTokenEncryptedAlg}, {"id_token_encrypted_response_enc", r.IDTokenEncryptedEnc},
		{"userinfo_signed_response_alg", s.UserInfoSignedAlg}, {"userinfo_encrypted_response_alg", s.UserInfoEncryptedAlg},
		{"userinfo_encrypted_response_enc", s.UserInfoEncryptedEnc}} {
		if kv[1] != "" {
			o.set(kv[0], kv[1])
		}
	}
	o.set("initiate_login_uri", redirectURI)
	o.set("frontchannel_logout_uri", redirectURI+"?logout=get")
	o.set("backchannel_logout_uri", redirectURI+"?logout=backchannel")
	// 2.4.12.3's default OIDCTokenBindingPolicy (optional) asks for
	// token-bound id_tokens.
	o.set("id_token_token_binding_cnf", "tbh")
	if s.DefaultLoggedOutURL != "" {
		o.set("post_logout_redirect_uris", []string{s.DefaultLoggedOutURL})
	}
	if r.EndpointJSON != "" {
		extra, err := parseJSONObject(r.EndpointJSON)
		if err != nil {
			return nil, fmt.Errorf("OIDCProviderRegistrationEndpointJson: %v", err)
		}
		for _, m := range extra {
			o.set(m.key, m.val)
		}
	}
	return o.marshal(), nil
}

// register registers the relying party at the provider's registration
// endpoint and keeps the answer in the .client file (path).
func (rp *RelyingParty) register(ctx context.Context, s *Settings, doc *providerDoc, path string) (*clientDoc, error) {
	m := rp.multi
	m.regMu.Lock()
	defer m.regMu.Unlock()
	// Registered meanwhile by another request?
	if c, err := readClient(path, doc.Issuer, rp.now()); err == nil {
		return c, nil
	}
	ru := s.RedirectURI
	if strings.HasPrefix(ru, "/") {
		// A relative OIDCRedirectURI is made absolute against the
		// request that triggered the registration.
		if base, ok := ctx.Value(requestBaseKey{}).(string); ok {
			ru = base + ru
		}
	}
	body, err := registrationRequest(s, ru)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, doc.RegistrationEndpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.Registration.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Registration.Token)
	}
	resp, err := rp.prov.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("dynamic client registration at %s: %v", doc.RegistrationEndpoint, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("dynamic client registration at %s: %v", doc.RegistrationEndpoint, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("dynamic client registration at %s: HTTP %d: %s", doc.RegistrationEndpoint, resp.StatusCode, bytes.TrimSpace(answer))
	}
	c, err := parseClient(answer, doc.Issuer, doc.RegistrationEndpoint, rp.now())
	if err != nil {
		return nil, fmt.Errorf("JSON parsing of dynamic client registration response failed: %v", err)
	}
	if err := os.WriteFile(path, answer, 0o600); err != nil {
		return nil, fmt.Errorf("could not write %s: %v", path, err)
	}
	return c, nil
}

// requestBaseKey carries scheme://host of the current request in the
// context, for registrations with a relative OIDCRedirectURI.
type requestBaseKey struct{}
