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
	// The OIDCIDToken*/OIDCUserInfo* response algorithms the client asks
	// for.
	IDTokenEncryptedAlg, IDTokenEncryptedEnc                      string
	UserInfoSignedAlg, UserInfoEncryptedAlg, UserInfoEncryptedEnc string
	// PublicKeys: the relying party has public keys (OIDCPublicKeyFiles),
	// so without ClientJwksURI jwks_uri is <redirect_uri>?jwks=rsa.
	PublicKeys bool
}

// registrationRequest builds the registration request as 2.4.12.3 does
// (oidc_metadata_client_register); redirectURI is absolute.
func registrationRequest(s *Settings, redirectURI string) (map[string]any, error) {
	r := s.Registration
	name := r.ClientName
	if name == "" {
		name = "OpenID Connect Apache Module (mod_auth_openidc)"
	}
	data := map[string]any{
		"client_name":    name,
		"redirect_uris":  []string{redirectURI},
		"response_types": []string{"code", "id_token", "id_token token", "code id_token", "code token", "code id_token token"},
		"grant_types":    []string{"authorization_code", "implicit", "refresh_token"},
	}
	if s.TokenEndpointAuth != "" {
		data["token_endpoint_auth_method"] = s.TokenEndpointAuth
	}
	if r.ClientContact != "" {
		data["contacts"] = []string{r.ClientContact}
	}
	if r.ClientJwksURI != "" {
		data["jwks_uri"] = r.ClientJwksURI
	} else if r.PublicKeys {
		data["jwks_uri"] = redirectURI + "?jwks=rsa"
	}
	for k, v := range map[string]string{"id_token_signed_response_alg": s.IDTokenSignedAlg,
		"id_token_encrypted_response_alg": r.IDTokenEncryptedAlg, "id_token_encrypted_response_enc": r.IDTokenEncryptedEnc,
		"userinfo_signed_response_alg": r.UserInfoSignedAlg, "userinfo_encrypted_response_alg": r.UserInfoEncryptedAlg,
		"userinfo_encrypted_response_enc": r.UserInfoEncryptedEnc} {
		if v != "" {
			data[k] = v
		}
	}
	data["initiate_login_uri"] = redirectURI
	data["frontchannel_logout_uri"] = redirectURI + "?logout=get"
	data["backchannel_logout_uri"] = redirectURI + "?logout=backchannel"
	if s.DefaultLoggedOutURL != "" {
		data["post_logout_redirect_uris"] = []string{s.DefaultLoggedOutURL}
	}
	if r.EndpointJSON != "" {
		var extra map[string]any
		if err := json.Unmarshal([]byte(r.EndpointJSON), &extra); err != nil {
			return nil, fmt.Errorf("OIDCProviderRegistrationEndpointJson is not a JSON object: %v", err)
		}
		for k, v := range extra {
			data[k] = v
		}
	}
	return data, nil
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
	data, err := registrationRequest(s, ru)
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(data)
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
