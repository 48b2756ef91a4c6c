package proxy

import (
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/internal/errorlog"
	"github.com/oidcgate/oidcgate/oidc"
)

// isOAuth20 and isMixedAuth name mod_auth_openidc's resource-server
// AuthTypes (compared case-insensitively, as the module does).
func isOAuth20(authType string) bool   { return strings.EqualFold(authType, "oauth20") }
func isMixedAuth(authType string) bool { return strings.EqualFold(authType, "auth-openidc") }
func isModAuthOpenIDC(authType string) bool {
	return isOpenIDConnect(authType) || isOAuth20(authType) || isMixedAuth(authType)
}

// rsSettings translates a server's OIDCOAuth* directives into the
// resource server's settings, with 2.4.12.3's defaults.
// File names are ServerRoot-relative (ap_server_root_relative).
func rsSettings(srv *apacheconf.Server, root string) (oidc.RSSettings, error) {
	full := func(p string) string {
		if p == "" || filepath.IsAbs(p) || root == "" {
			return p
		}
		return filepath.Join(root, p)
	}
	o := srv.OIDC
	str := func(name, def string) string {
		if v, ok := o.Value(name); ok {
			return v.String()
		}
		return def
	}
	secs := func(name string, def int) time.Duration {
		if v, ok := o.Value(name); ok {
			return time.Duration(v.Int) * time.Second
		}
		return time.Duration(def) * time.Second
	}
	s := oidc.RSSettings{
		MetadataURL:             str("OIDCOAuthServerMetadataURL", ""),
		MetadataRefresh:         secs("OIDCProviderMetadataRefreshInterval", 0),
		IntrospectionEndpoint:   str("OIDCOAuthIntrospectionEndpoint", ""),
		RedirectURI:             str("OIDCRedirectURI", ""),
		IntrospectionMethod:     str("OIDCOAuthIntrospectionEndpointMethod", "POST"),
		IntrospectionParams:     str("OIDCOAuthIntrospectionEndpointParams", ""),
		IntrospectionTokenParam: str("OIDCOAuthIntrospectionTokenParamName", "token"),
		IntrospectionAuth:       str("OIDCOAuthIntrospectionEndpointAuth", ""),
		IntrospectionCertFile:   full(str("OIDCOAuthIntrospectionEndpointCert", "")),
		IntrospectionKeyFile:    full(str("OIDCOAuthIntrospectionEndpointKey", "")),
		ClientID:                str("OIDCOAuthClientID", ""),
		ClientSecret:            str("OIDCOAuthClientSecret", ""),
		ExpiryClaim:             "expires_in",
		ExpiryMandatory:         true,
		JWKSURI:                 str("OIDCOAuthVerifyJwksUri", ""),
		JWKSRefresh:             secs("OIDCJWKSRefreshInterval", 3600),
		Issuer:                  str("OIDCOAuthVerifyIssuer", ""),
		RemoteUserClaim:         "sub",
		ClaimPrefix:             str("OIDCClaimPrefix", "OIDC_CLAIM_"),
		ClaimDelimiter:          str("OIDCClaimDelimiter", ","),
		HTTPTimeoutLong:         secs("OIDCHTTPTimeoutLong", 60),
		HTTPTimeoutShort:        secs("OIDCHTTPTimeoutShort", 5),
		SSLValidateServer:       true,
		CABundlePath:            str("OIDCCABundlePath", ""),
		OutgoingProxy:           str("OIDCOutgoingProxy", ""),
	}
	s.IntrospectionKeyPassword = str("OIDCOAuthIntrospectionEndpointKeyPassword", "")
	if v, ok := o.Value("OIDCOAuthIntrospectionClientAuthBearerToken"); ok {
		b := v.String()
		s.IntrospectionBearer = &b
	}
	if v, ok := o.Value("OIDCOAuthSSLValidateServer"); ok {
		s.SSLValidateServer = v.Bool
	}
	if v, ok := o.Value("OIDCOAuthVerifyAudience"); ok {
		s.Audiences = v.Words
	}
	if v, ok := o.Value("OIDCOAuthTokenExpiryClaim"); ok {
		s.ExpiryClaim = v.String()
		if len(v.Words) > 1 {
			s.ExpiryAbsolute = v.Words[1] == "absolute"
		}
		if len(v.Words) > 2 {
			s.ExpiryMandatory = v.Words[2] == "mandatory"
		}
	}
	if v, ok := o.Value("OIDCOAuthRemoteUserClaim"); ok {
		s.RemoteUserClaim = v.String()
		if len(v.Words) > 1 {
			if len(v.Regexps) > 0 {
				s.RemoteUserRegexp = v.Regexps[0]
			} else {
				s.RemoteUserBadPattern = true
			}
		}
		if len(v.Words) > 2 {
			s.RemoteUserReplace = v.Words[2]
		}
	}
	if v, ok := o.Value("OIDCOAuthVerifySharedKeys"); ok {
		for _, w := range v.Words {
			k, err := sharedKey(w)
			if err != nil {
				return s, fmt.Errorf("OIDCOAuthVerifySharedKeys: %v", err)
			}
			s.SharedKeys = append(s.SharedKeys, k)
		}
	}
	if v, ok := o.Value("OIDCOAuthVerifyCertFiles"); ok {
		for _, w := range v.Words {
			file := w
			if _, f, ok := strings.Cut(w, "#"); ok {
				file = f
			}
			k, err := publicKeyFile(full(file))
			if err != nil {
				return s, fmt.Errorf("OIDCOAuthVerifyCertFiles: %v", err)
			}
			s.PublicKeys = append(s.PublicKeys, k)
		}
	}
	if err := rsDecryptKeys(o, &s); err != nil {
		return s, err
	}
	var err error
	if s.ClientKeys, s.ClientPublicKeys, err = oidcKeys(srv, root); err != nil {
		return s, err
	}
	return s, rsExtSettings(o, &s)
}

// sharedKey reads "[<enc>#<kid>#]<key>" or "<kid>#<key>" or "<key>"
// (oidc_parse_enc_kid_key_tuple with triplets): enc is b64, b64url, hex
// or plain.
func sharedKey(w string) ([]byte, error) {
	first, rest, ok := strings.Cut(w, "#")
	if !ok {
		return []byte(w), nil
	}
	_, key, triple := strings.Cut(rest, "#")
	if !triple {
		return []byte(rest), nil
	}
	switch first {
	case "b64":
		return base64.StdEncoding.DecodeString(key)
	case "b64url":
		return base64.RawURLEncoding.DecodeString(strings.TrimRight(key, "="))
	case "hex":
		return hex.DecodeString(key)
	case "plain":
		return []byte(key), nil
	}
	return nil, fmt.Errorf("unknown key encoding %q", first)
}

// publicKeyFile reads a PEM X.509 certificate or public key.
func publicKeyFile(name string) (crypto.PublicKey, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return nil, fmt.Errorf("%s: no certificate or public key found", name)
		}
		switch blk.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", name, err)
			}
			return c.PublicKey, nil
		case "PUBLIC KEY":
			return x509.ParsePKIXPublicKey(blk.Bytes)
		case "RSA PUBLIC KEY":
			return x509.ParsePKCS1PublicKey(blk.Bytes)
		}
	}
}

// resourceServers builds one resource server per server that configures
// one, caching introspection results in store.
func resourceServers(cfg *apacheconf.Config, store oidc.Store, log *slog.Logger) map[*apacheconf.Server]*oidc.ResourceServer {
	out := map[*apacheconf.Server]*oidc.ResourceServer{}
	for _, srv := range append([]*apacheconf.Server{cfg.Main}, cfg.VHosts...) {
		// Every server gets one, configured or not: without keys or an
		// introspection endpoint every token fails validation (401
		// invalid_token), as in the module.
		rlog := log.With(errorlog.Module("auth_openidc"), errorlog.Server(srv))
		st, err := rsSettings(srv, cfg.ServerRoot)
		if err != nil {
			rlog.Error("resource server could not be set up", "server", srv.Name, "err", err)
			continue
		}
		st.Namespace = oidcNamespace(srv, oidc.Settings{ClientID: st.ClientID, Issuer: st.Issuer, MetadataURL: rsValidator(st)})
		rs, err := oidc.NewResourceServer(st, store, oidc.WithRSLogger(rlog))
		if err != nil {
			rlog.Error("resource server could not be set up", "server", srv.Name, "err", err)
			continue
		}
		out[srv] = rs
	}
	return out
}

// rsDir is a request's per-directory resource-server settings.
func rsDir(dir *apacheconf.DirConfig) *oidc.RSDir {
	d := &oidc.RSDir{}
	if dir.OIDC != nil {
		if v, ok := dir.OIDC.Value("OIDCOAuthAcceptTokenAs"); ok {
			d.Accept, _ = oidc.ParseAcceptTokenAs(v.Words)
		}
		if v, ok := dir.OIDC.Value("OIDCOAuthTokenIntrospectionInterval"); ok {
			d.IntrospectionInterval = v.Int
		}
		rsExtDir(dir.OIDC, d)
	}
	if dir.Authz != nil {
		d.AuthName = dir.Authz.AuthName
	}
	return d
}

// authenticateOAuth runs the resource server (oidc_oauth_check_userid).
// It reports whether the request goes on.
func (s *Site) authenticateOAuth(w http.ResponseWriter, r *http.Request, srv *apacheconf.Server, dir *apacheconf.DirConfig, uri string, env map[string]string, authType string, d *oidc.RSDir, tok oidc.Token) (oidc.Result, *oidc.Request, bool) {
	rs := s.rss[srv]
	if rs == nil {
		s.logFor(r).Error("AuthType "+authType+" without a resource-server configuration (OIDCOAuthServerMetadataURL, OIDCOAuthIntrospectionEndpoint, OIDCOAuthVerifyJwksUri, OIDCOAuthVerifySharedKeys or OIDCOAuthVerifyCertFiles)", "server", srv.Name)
		s.writeError(w, r, dir, http.StatusInternalServerError, "")
		return oidc.Result{}, nil, false
	}
	ds := s.dirs.dirSettings(dir.OIDC)
	// OIDCWhiteListedClaims is per server in 2.4.12.3: with an empty
	// claim prefix its names are scrubbed on this path too.
	ds.WhiteListedClaims = s.whiteLists[srv]
	q := &oidc.Request{HTTP: r, Path: uri, Dir: ds, Env: env, TLS: r.TLS != nil, LocalPort: int(localAddr(r).Port()), DeferHeaders: deferIdentity(dir)}
	res := rs.AuthenticateToken(q, d, tok)
	keepIdentity(r, res.Headers)
	copyHeaders(w.Header(), res.Header)
	if res.Status != 0 {
		s.writeError(w, r, dir, res.Status, "")
		return res, q, false
	}
	return res, q, true
}

// authenticateModule runs mod_auth_openidc's check_user_id for the
// request's AuthType: the relying party (openid-connect), the resource
// server (oauth20) or the choice between them (auth-openidc). oauth says
// the resource server authenticated the request.
func (s *Site) authenticateModule(w http.ResponseWriter, r *http.Request, srv *apacheconf.Server, dir *apacheconf.DirConfig, uri string, env map[string]string, authType string) (oidc.Result, *oidc.Request, bool, bool) {
	scrubUserInfoHeader(r, s.userInfoHeaders[srv])
	if isOpenIDConnect(authType) {
		res, q, ok := s.authenticateOIDC(w, r, srv, dir, uri, env)
		return res, q, ok, false
	}
	d := s.dirs.rsDir(dir)
	tok := oidc.FindToken(r, d.Accept)
	if isMixedAuth(authType) && !tok.Found {
		if r.Method == http.MethodOptions {
			s.scrubIdentity(r, srv, dir)
			return oidc.Result{HasUser: true, Pass: true}, nil, true, false
		}
		res, q, ok := s.authenticateOIDC(w, r, srv, dir, uri, env)
		return res, q, ok, false
	}
	res, q, ok := s.authenticateOAuth(w, r, srv, dir, uri, env, authType, d, tok)
	return res, q, ok, true
}
