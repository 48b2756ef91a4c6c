package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// OIDCMetadataDir: every provider has up to three files in the directory,
// named after its issuer (scheme "https://" or "http://" and one trailing
// slash dropped, then percent-encoded as curl does):
//
//	<name>.provider  the provider's discovery document (written by
//	                 discovery, refreshed per OIDCProviderMetadataRefreshInterval)
//	<name>.client    the client registration: client_id, client_secret, …
//	                 (written by dynamic client registration when absent)
//	<name>.conf      per-provider overrides of the server's settings
//
// 2.4.12.3 reads them on every request; oidcgate keeps the relying party it
// built from them until one of the files changes.

// issuerFilename is the file name stem for issuer
// (oidc_metadata_issuer_to_filename).
func issuerFilename(issuer string) string {
	p := issuer
	if strings.HasPrefix(p, "https://") {
		p = p[len("https://"):]
	} else if strings.HasPrefix(p, "http://") {
		p = p[len("http://"):]
	}
	p = strings.TrimSuffix(p, "/")
	return escape(p)
}

// filenameIssuer is the issuer a ".provider" file name stands for: always
// https (oidc_metadata_filename_to_issuer), so a provider whose issuer is
// http:// is not listed on the choice page — as in 2.4.12.3.
func filenameIssuer(name string) string {
	stem := name[:strings.LastIndexByte(name, '.')]
	u, err := url.QueryUnescape(stem)
	if err != nil {
		u = stem
	}
	return "https://" + u
}

// multiProvider is the relying parties of a metadata directory, one per
// issuer, rebuilt when their files change.
type multiProvider struct {
	dir string
	mu  sync.Mutex
	// entries are keyed by issuer as requested.
	entries map[string]*providerEntry
	// regMu serialises dynamic client registrations.
	regMu sync.Mutex
}

type providerEntry struct {
	rp    *RelyingParty
	stamp string
}

// fileStamp identifies a file version (modification time and size); ""
// when absent.
func fileStamp(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%d/%d", fi.ModTime().UnixNano(), fi.Size())
}

// metadataPath is the path of issuer's file with suffix in the directory.
func (m *multiProvider) path(issuer, suffix string) string {
	return filepath.Join(m.dir, issuerFilename(issuer)+"."+suffix)
}

// providerFor returns the relying party for issuer, built from the
// metadata directory (oidc_metadata_get). allowDiscovery lets a missing
// .provider be fetched from the issuer's discovery document and a missing
// .client be registered dynamically — only for the module's own choice
// page (CSRF checked).
func (rp *RelyingParty) providerFor(ctx context.Context, issuer string, allowDiscovery bool) (*RelyingParty, error) {
	m := rp.multi
	if m == nil {
		return nil, errors.New("no metadata directory")
	}
	if issuer == "" {
		return nil, errors.New("no issuer")
	}
	provPath := m.path(issuer, "provider")
	if err := rp.refreshProviderFile(ctx, issuer, provPath, allowDiscovery); err != nil {
		return nil, err
	}
	stamp := fileStamp(provPath) + "|" + fileStamp(m.path(issuer, "conf")) + "|" + fileStamp(m.path(issuer, "client"))
	m.mu.Lock()
	e := m.entries[issuer]
	m.mu.Unlock()
	if e != nil && e.stamp == stamp && e.rp.clientValid() {
		return e.rp, nil
	}
	child, err := rp.buildProvider(ctx, issuer)
	if err != nil {
		return nil, err
	}
	stamp = fileStamp(provPath) + "|" + fileStamp(m.path(issuer, "conf")) + "|" + fileStamp(m.path(issuer, "client"))
	m.mu.Lock()
	if m.entries == nil {
		m.entries = map[string]*providerEntry{}
	}
	m.entries[issuer] = &providerEntry{rp: child, stamp: stamp}
	m.mu.Unlock()
	return child, nil
}

// clientValid reports that a provider's client registration has not
// expired (client_secret_expires_at).
func (rp *RelyingParty) clientValid() bool {
	return rp.clientExpires == 0 || rp.now().Unix() <= rp.clientExpires
}

// refreshProviderFile fetches the discovery document into the .provider
// file when it is absent (and discovery is allowed) or older than
// OIDCProviderMetadataRefreshInterval (oidc_metadata_provider_get). A
// failed refresh keeps the old file, touched so it is not retried at once.
func (rp *RelyingParty) refreshProviderFile(ctx context.Context, issuer, path string, allowDiscovery bool) error {
	fi, statErr := os.Stat(path)
	have := statErr == nil
	if have && (rp.s.MetadataRefresh <= 0 || rp.now().Before(fi.ModTime().Add(rp.s.MetadataRefresh))) {
		return nil
	}
	if !have && !allowDiscovery {
		return fmt.Errorf("no metadata found for the requested issuer (%s), and Discovery is not allowed", issuer)
	}
	u := issuer
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		u = "https://" + u
	}
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	u += ".well-known/openid-configuration"
	body, err := rp.getJSON(ctx, u)
	if err == nil {
		_, err = parseProviderMetadata(body, issuer, path)
	}
	if err != nil {
		if have {
			now := rp.now()
			_ = os.Chtimes(path, now, now)
			return nil
		}
		return err
	}
	if err := os.WriteFile(path, body, 0o600); err != nil {
		return fmt.Errorf("could not write %s: %v", path, err)
	}
	return nil
}

// getJSON fetches a JSON document (OIDCHTTPTimeoutShort's world: bounded
// size, no redirects).
func (rp *RelyingParty) getJSON(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := rp.prov.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", u, resp.StatusCode)
	}
	return body, nil
}

// providerDoc is what the relying party reads from a .provider file.
type providerDoc struct {
	Metadata
	RegistrationEndpoint   string
	CheckSessionIframe     string
	BackchannelLogout      bool
	TokenEndpointAuth      string
	tokenEndpointAuthGiven bool
}

// parseProviderMetadata checks a provider's discovery document as
// oidc_metadata_provider_is_valid does; errors name file.
func parseProviderMetadata(b []byte, issuer, file string) (*providerDoc, error) {
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object: %v", file, err)
	}
	if e, ok := raw["error"]; ok && e != nil {
		return nil, fmt.Errorf("%s: the document is an error response: %v", file, e)
	}
	d := &providerDoc{}
	iss, _ := raw["issuer"].(string)
	if iss == "" {
		return nil, fmt.Errorf("%s: provider (%s) JSON metadata did not contain an \"issuer\" string", file, issuer)
	}
	if issuer != "" && !issuerMatch(issuer, iss) {
		return nil, fmt.Errorf("%s: requested issuer (%s) does not match the \"issuer\" value in the provider metadata file: %s", file, issuer, iss)
	}
	d.Issuer = iss
	if !anyOf(raw["response_types_supported"], validResponseType, true) {
		return nil, fmt.Errorf("%s: could not find a supported response type in provider metadata (%s) for entry \"response_types_supported\"", file, issuer)
	}
	if !anyOf(raw["response_modes_supported"], func(s string) bool { return s == "fragment" || s == "query" || s == "form_post" }, true) {
		return nil, fmt.Errorf("%s: could not find a supported response mode in provider metadata (%s) for entry \"response_modes_supported\"", file, issuer)
	}
	urlField := func(key string, mandatory bool, dst *string) error {
		v, present := raw[key]
		s, isString := v.(string)
		if !present || !isString {
			if mandatory {
				return fmt.Errorf("%s: provider (%s) JSON metadata does not contain the mandatory \"%s\" string entry", file, issuer, key)
			}
			return nil
		}
		if !validHTTPURL(s) {
			return fmt.Errorf("%s: \"%s\" is not a valid http URL for key \"%s\"", file, s, key)
		}
		*dst = s
		return nil
	}
	for _, f := range []struct {
		key       string
		mandatory bool
		dst       *string
	}{
		{"authorization_endpoint", true, &d.AuthorizationEndpoint},
		{"token_endpoint", false, &d.TokenEndpoint},
		{"userinfo_endpoint", false, &d.UserInfoEndpoint},
		{"jwks_uri", false, &d.JWKSURI},
	} {
		if err := urlField(f.key, f.mandatory, f.dst); err != nil {
			return nil, err
		}
	}
	// Optional endpoints: an invalid URL is left out.
	for key, dst := range map[string]*string{"revocation_endpoint": &d.RevocationEndpoint,
		"end_session_endpoint": &d.EndSessionEndpoint, "registration_endpoint": &d.RegistrationEndpoint,
		"check_session_iframe": &d.CheckSessionIframe} {
		if s, ok := raw[key].(string); ok && validHTTPURL(s) {
			*dst = s
		}
	}
	d.TokenEndpointAuth = "client_secret_basic"
	if v, ok := raw["token_endpoint_auth_methods_supported"]; ok {
		first := ""
		if arr, ok := v.([]any); ok {
			for _, e := range arr {
				if s, ok := e.(string); ok && validEndpointAuth(s) {
					first = s
					break
				}
			}
		}
		if first == "" {
			return nil, fmt.Errorf("%s: could not find a supported token endpoint authentication method in provider metadata (%s) for entry \"token_endpoint_auth_methods_supported\"", file, issuer)
		}
		d.TokenEndpointAuth, d.tokenEndpointAuthGiven = first, true
	}
	d.BackchannelLogout = jsonBool(raw["backchannel_logout_supported"], false)
	if arr, ok := raw["id_token_signing_alg_values_supported"].([]any); ok {
		for _, e := range arr {
			if s, ok := e.(string); ok {
				d.Algorithms = append(d.Algorithms, s)
			}
		}
	}
	return d, nil
}

// anyOf reports that v is an array holding a string valid accepts; absent
// counts as absentOK (oidc_valid_string_in_array).
func anyOf(v any, valid func(string) bool, absentOK bool) bool {
	if v == nil {
		return absentOK
	}
	arr, ok := v.([]any)
	if !ok {
		return false
	}
	for _, e := range arr {
		if s, ok := e.(string); ok && valid(s) {
			return true
		}
	}
	return false
}

func validResponseType(s string) bool {
	switch s {
	case "code", "id_token", "id_token token", "code id_token", "code token", "code id_token token":
		return true
	}
	return false
}

func validEndpointAuth(s string) bool {
	switch s {
	case "client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none":
		return true
	}
	return false
}

// validHTTPURL is oidc_valid_http_url: an http or https URL with a host.
func validHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// jsonBool reads a boolean as oidc_metadata_parse_boolean: a JSON
// boolean, a boolean word or a number; anything else is def.
func jsonBool(v any, def bool) bool {
	switch t := v.(type) {
	case bool:
		return t
	case float64:
		return t != 0
	case string:
		switch strings.ToLower(t) {
		case "true", "on", "yes", "1":
			return true
		case "false", "off", "no", "0":
			return false
		}
	}
	return def
}

// buildProvider reads issuer's files and builds its relying party: the
// server's settings, overridden by the .provider document, the .conf
// values and the .client registration, in that order.
func (rp *RelyingParty) buildProvider(ctx context.Context, issuer string) (*RelyingParty, error) {
	m := rp.multi
	provPath := m.path(issuer, "provider")
	b, err := os.ReadFile(provPath)
	if err != nil {
		return nil, fmt.Errorf("no metadata found for the requested issuer (%s): %v", issuer, err)
	}
	doc, err := parseProviderMetadata(b, issuer, provPath)
	if err != nil {
		return nil, err
	}
	s := *rp.s
	s.MetadataDir, s.MetadataURL, s.MetadataRefresh = "", "", 0
	s.Issuer, s.AuthorizationEndpoint, s.TokenEndpoint = doc.Issuer, doc.AuthorizationEndpoint, doc.TokenEndpoint
	s.UserInfoEndpoint, s.JWKSURI, s.EndSessionEndpoint, s.RevocationEndpoint = doc.UserInfoEndpoint, doc.JWKSURI, doc.EndSessionEndpoint, doc.RevocationEndpoint
	// Only the provider's own document (session management, sessmgmt.go).
	s.CheckSessionIFrame = doc.CheckSessionIframe
	// The module starts a metadata-dir provider empty: the server's
	// OIDCProviderVerifyCertFiles keys are not this provider's.
	s.VerifyKeys = nil
	// Nor are current upstream's provider-level OIDCLogoutRequestParams and
	// OIDCIDTokenAudValues (its metadata providers start without them).
	s.LogoutRequestParams, s.IDTokenAudValues = "", nil
	// The server's OIDCProviderTokenEndpointAuth is not used: the
	// provider's first supported method, then .conf, then .client.
	s.TokenEndpointAuth = doc.TokenEndpointAuth
	// A fresh provider uses the header for userinfo unless .conf says.
	s.UserInfoPostParam = false
	confPath := m.path(issuer, "conf")
	if cb, err := os.ReadFile(confPath); err == nil {
		if err := applyConf(&s, cb, issuer, confPath); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %v", confPath, err)
	}
	clientPath := m.path(issuer, "client")
	cl, err := readClient(clientPath, issuer, rp.now())
	if cl == nil {
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			rp.log.Error(err.Error())
		}
		// As the module: registration is not limited to CSRF-checked
		// answers (only fetching an unknown provider's document is).
		if doc.RegistrationEndpoint == "" {
			return nil, fmt.Errorf("no (valid) client metadata exists for provider (%s) in %s and provider JSON object did not contain a (valid) \"registration_endpoint\" string", issuer, clientPath)
		}
		if cl, err = rp.register(ctx, &s, doc, clientPath); err != nil {
			return nil, err
		}
	}
	s.ClientID, s.ClientSecret = cl.ClientID, cl.ClientSecret
	// The flow: .conf's response_type, else OIDCResponseType ("code")
	// when the client's response_types allow it, else their first
	// (oidc_metadata_client_parse). Only the code flow is implemented.
	rt := s.confResponseType
	if rt == "" {
		rt = "code"
		if len(cl.ResponseTypes) > 0 && !has(cl.ResponseTypes, rt) {
			rt = cl.ResponseTypes[0]
		}
	}
	if rt != "code" {
		return nil, fmt.Errorf("provider (%s): response type %q (%s / %s) is not implemented: oidcgate does the code flow only", issuer, rt, confPath, clientPath)
	}
	if cl.TokenEndpointAuthMethod != "" {
		if validEndpointAuth(cl.TokenEndpointAuthMethod) {
			s.TokenEndpointAuth = cl.TokenEndpointAuthMethod
		} else {
			rp.log.Warn(fmt.Sprintf("unsupported client auth method \"%s\" in client metadata for entry \"token_endpoint_auth_method\"", cl.TokenEndpointAuthMethod))
		}
	}
	if cl.IDTokenSignedResponseAlg != "" {
		s.IDTokenSignedAlg = cl.IDTokenSignedResponseAlg
	}
	client := rp.prov.client
	if s.SSLValidateServer != rp.s.SSLValidateServer {
		if client, err = newHTTPClient(&s); err != nil {
			return nil, err
		}
		client = passCookiesClient(client)
	}
	child := &RelyingParty{s: &s, redirectPath: redirectURIPath(s.RedirectURI), store: rp.store, seal: rp.seal, now: rp.now, log: rp.log,
		filter: rp.filter, removeAT: rp.removeAT, clientExpires: cl.ExpiresAt, fromMetadataDir: true}
	child.prov = &provider{settings: child.s, client: client, now: rp.now}
	child.assertKey = rp.assertKey
	child.tokenClient = withClientCert(client, "OIDCClientTokenEndpointCert/Key", s.TokenEndpointCertFile, s.TokenEndpointKeyFile, s.TokenEndpointKeyPassword, rp.log)
	return child, nil
}

// clientDoc is a .client file (a registration response).
type clientDoc struct {
	ClientID                 string
	ClientSecret             string
	TokenEndpointAuthMethod  string
	IDTokenSignedResponseAlg string
	ExpiresAt                int64
	// ResponseTypes is the registered response_types (nil: absent).
	ResponseTypes []string
}

// readClient reads and checks a .client file (oidc_metadata_client_is_valid):
// it needs a client_id, and an expired client_secret_expires_at makes it
// invalid (nil, so that the client registers again).
func readClient(path, issuer string, now time.Time) (*clientDoc, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseClient(b, issuer, path, now)
}

func parseClient(b []byte, issuer, path string, now time.Time) (*clientDoc, error) {
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object: %v", path, err)
	}
	if e, ok := raw["error"]; ok && e != nil {
		return nil, fmt.Errorf("%s: the client metadata is an error response: %v", path, e)
	}
	c := &clientDoc{}
	c.ClientID, _ = raw["client_id"].(string)
	if c.ClientID == "" {
		return nil, fmt.Errorf("%s: client (%s) JSON metadata did not contain a \"client_id\" string", path, issuer)
	}
	c.ClientSecret, _ = raw["client_secret"].(string)
	c.TokenEndpointAuthMethod, _ = raw["token_endpoint_auth_method"].(string)
	if alg, ok := raw["id_token_signed_response_alg"].(string); ok && validSignedAlg(alg) {
		c.IDTokenSignedResponseAlg = alg
	}
	if arr, ok := raw["response_types"].([]any); ok {
		c.ResponseTypes = []string{}
		for _, e := range arr {
			if s, ok := e.(string); ok {
				c.ResponseTypes = append(c.ResponseTypes, s)
			}
		}
	}
	if f, ok := raw["client_secret_expires_at"].(float64); ok && f == float64(int64(f)) && f != 0 {
		c.ExpiresAt = int64(f)
		if now.Unix() > c.ExpiresAt {
			return nil, fmt.Errorf("%s: client (%s) secret expired", path, issuer)
		}
	}
	return c, nil
}

func validSignedAlg(s string) bool {
	switch s {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "HS256", "HS384", "HS512", "ES256", "ES384", "ES512", "EdDSA":
		return true
	}
	return false
}

func validEncAlg(s string) bool {
	switch s {
	case "RSA1_5", "A128KW", "A256KW", "RSA-OAEP", "RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW", "dir":
		return true
	}
	return false
}

func validEncEnc(s string) bool {
	switch s {
	case "A128CBC-HS256", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM":
		return true
	}
	return false
}

// applyConf applies a .conf file (oidc_metadata_conf_parse): the keys
// oidcgate honours override s; an unsupported algorithm makes the whole
// provider invalid, other invalid values are ignored (the server's value
// stays), as in 2.4.12.3.
func applyConf(s *Settings, b []byte, issuer, path string) error {
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("%s: not a JSON object: %v", path, err)
	}
	str := func(key string) (string, bool) {
		v, ok := raw[key].(string)
		return v, ok
	}
	for _, k := range []struct {
		key   string
		valid func(string) bool
		dst   *string
	}{
		{"id_token_signed_response_alg", validSignedAlg, &s.IDTokenSignedAlg},
		{"id_token_encrypted_response_alg", validEncAlg, &s.Registration.IDTokenEncryptedAlg},
		{"id_token_encrypted_response_enc", validEncEnc, &s.Registration.IDTokenEncryptedEnc},
		{"userinfo_signed_response_alg", validSignedAlg, &s.UserInfoSignedAlg},
		{"userinfo_encrypted_response_alg", validEncAlg, &s.UserInfoEncryptedAlg},
		{"userinfo_encrypted_response_enc", validEncEnc, &s.UserInfoEncryptedEnc},
	} {
		if v, ok := str(k.key); ok {
			if !k.valid(v) {
				return fmt.Errorf("%s: (%s) JSON conf data has \"%s\" entry but it contains an unsupported algorithm or encryption type: \"%s\"", path, issuer, k.key, v)
			}
			*k.dst = v
		}
	}
	if v, ok := str("client_jwks_uri"); ok && validHTTPURL(v) {
		s.Registration.ClientJwksURI = v
	}
	if v, ok := raw["ssl_validate_server"]; ok {
		s.SSLValidateServer = jsonBool(v, s.SSLValidateServer)
	}
	if v, ok := raw["validate_issuer"]; ok {
		s.ValidateIssuer = jsonBool(v, s.ValidateIssuer)
	}
	if v, ok := str("scope"); ok {
		s.Scope = v
	}
	secs := func(key string, min, max int64, dst *time.Duration) {
		if f, ok := raw[key].(float64); ok && f == float64(int64(f)) && int64(f) >= min && int64(f) <= max {
			*dst = time.Duration(f) * time.Second
		}
	}
	secs("idtoken_iat_slack", 0, 3600, &s.IATSlack)
	secs("session_max_duration", 0, 3600*24*365, &s.SessionMaxDuration)
	secs("userinfo_refresh_interval", 0, 3600*24*365, &s.UserInfoRefresh)
	if v, ok := str("auth_request_params"); ok {
		s.AuthRequestParams = v
	}
	if v, ok := str("token_endpoint_params"); ok {
		s.TokenEndpointParams = v
	}
	if v, ok := str("response_mode"); ok && (v == "fragment" || v == "query" || v == "form_post") {
		s.ResponseMode = v
	}
	if v, ok := str("pkce_method"); ok && (v == "plain" || v == "S256" || v == "referred_tb") {
		s.PKCEMethod = v
	}
	if v, ok := str("client_name"); ok {
		s.Registration.ClientName = v
	}
	if v, ok := str("client_contact"); ok {
		s.Registration.ClientContact = v
	}
	if v, ok := str("token_endpoint_auth"); ok && validEndpointAuth(v) {
		s.TokenEndpointAuth = v
	}
	if v, ok := str("registration_token"); ok {
		s.Registration.Token = v
	}
	if v, ok := str("registration_endpoint_json"); ok {
		s.Registration.EndpointJSON = v
	}
	if v, ok := str("userinfo_token_method"); ok {
		switch v {
		case "authz_header":
			s.UserInfoPostParam = false
		case "post_param":
			s.UserInfoPostParam = true
		}
	}
	if v, ok := str("response_type"); ok && validResponseType(v) {
		s.confResponseType = v
	}
	if v, ok := str("auth_request_method"); ok {
		switch v {
		case "GET":
			s.AuthRequestPOST = false
		case "POST":
			s.AuthRequestPOST = true
		}
	}
	return nil
}

// listProviders is the issuers offered on the choice page
// (oidc_metadata_list): every "*.provider" file whose provider and client
// metadata are valid, in file-name order.
func (rp *RelyingParty) listProviders(ctx context.Context) ([]*RelyingParty, error) {
	ents, err := os.ReadDir(rp.multi.dir)
	if err != nil {
		return nil, fmt.Errorf("error opening metadata directory '%s' (%v)", rp.multi.dir, err)
	}
	var out []*RelyingParty
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".") || filepath.Ext(name) != ".provider" {
			continue
		}
		child, err := rp.providerFor(ctx, filenameIssuer(name), false)
		if err != nil {
			rp.log.Error(err.Error())
			continue
		}
		out = append(out, child)
	}
	return out, nil
}
