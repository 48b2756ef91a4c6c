package proxy

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/oidc"
)

// rsExtSettings adds the server-level oidcgate extensions of the
// resource server (OIDCGateOAuth*, OIDCPassUserInfoAs json:NAME) to s.
func rsExtSettings(o *apacheconf.OIDCServer, s *oidc.RSSettings) error {
	if v, ok := o.Value("OIDCGateOAuthValidateWith"); ok && v.String() == oidc.ValidateUserInfo {
		s.ValidateWith = oidc.ValidateUserInfo
	}
	if v, ok := o.Value("OIDCGateOAuthProviderMetadataURL"); ok {
		s.ProviderMetadataURL = v.String()
	}
	if s.ValidateWith == oidc.ValidateUserInfo && s.ProviderMetadataURL == "" {
		return errors.New("OIDCGateOAuthValidateWith userinfo needs OIDCGateOAuthProviderMetadataURL")
	}
	s.PassJSONHeader = o.PassUserInfoHeader()
	if v, ok := o.Value("OIDCGateOAuthPassClaims"); ok {
		s.PassClaims = v.Words
	}
	if v, ok := o.Value("OIDCGateOAuthPassClaimsEncoding"); ok && v.String() == "base64url" {
		s.PassClaimsEncoding = "base64url"
	}
	return nil
}

// rsExtDir adds the per-directory oidcgate extensions of the resource
// server to d.
func rsExtDir(o *apacheconf.OIDCDir, d *oidc.RSDir) {
	if v, ok := o.Value("OIDCGateOAuthTokenHeader"); ok {
		d.Accept.HeaderName = v.String()
	}
	if v, ok := o.Value("OIDCGateOAuthUnAuthAction"); ok {
		d.UnAuthPass = v.String() == "pass"
	}
	if v, ok := o.Value("OIDCGateOAuthEnforceStatus"); ok {
		d.EnforceStatus, _ = strconv.Atoi(v.String())
	}
}

// rsValidator names what validates a server's tokens, for its cache
// namespace: the introspection endpoint as before, or the provider whose
// userinfo endpoint does (so a result of one never validates a token for
// another, nor across a change of OIDCGateOAuthValidateWith).
func rsValidator(st oidc.RSSettings) string {
	if st.ValidateWith == oidc.ValidateUserInfo {
		return st.IntrospectionEndpoint + "\x00userinfo\x00" + st.ProviderMetadataURL
	}
	return st.IntrospectionEndpoint
}

// scrubUserInfoHeader removes a client's own OIDCPassUserInfoAs json:NAME
// header (any case, '-' and '_' alike) on every mod_auth_openidc path of
// the server: the resource server sets it, and no other path (the
// relying party of auth-openidc without a token, openid-connect) may let
// a spoofed one through.
// names are the server's (Site.userInfoHeaders, looked up once).
func scrubUserInfoHeader(r *http.Request, names []string) {
	if len(names) == 0 {
		return
	}
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "_", "-") }
	for k := range r.Header {
		nk := norm(k)
		for _, n := range names {
			if nk == norm(n) {
				delete(r.Header, k)
				break
			}
		}
	}
}
