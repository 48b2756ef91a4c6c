package oidc

import (
	"crypto"
	"regexp"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/oidcgate/oidcgate/oidc/claims"
	"github.com/oidcgate/oidcgate/oidc/urlcheck"
)

// Settings are a virtual host's relying-party settings (mod_auth_openidc's
// server-level directives), with 2.4.12.3's defaults already applied by the
// caller.
type Settings struct {
	// Namespace separates this relying party's sessions, nonces and logout
	// index from other virtual hosts' in a shared store (2.4.12.3 gives
	// each virtual host its own cache); stable across reloads.
	Namespace string
	// MetadataURL is OIDCProviderMetadataURL; empty with static endpoints.
	MetadataURL string
	// Static endpoints (OIDCProvider*); with MetadataURL they override the
	// discovered values.
	Issuer, AuthorizationEndpoint, TokenEndpoint, UserInfoEndpoint string
	JWKSURI, EndSessionEndpoint, RevocationEndpoint                string
	// CheckSessionIFrame is OIDCProviderCheckSessionIFrame (session
	// management; overrides the discovered check_session_iframe).
	CheckSessionIFrame string
	// LogoutRequestParams is upstream's OIDCLogoutRequestParams: a query
	// string appended as written to the end_session_endpoint redirect.
	LogoutRequestParams string
	// MetadataRefresh is OIDCProviderMetadataRefreshInterval (0: never
	// refreshed once fetched).
	MetadataRefresh time.Duration

	ClientID, ClientSecret string
	// XForwarded is OIDCXForwardedHeaders: the forwarded headers trusted
	// for the current URL (none by default).
	XForwarded urlcheck.ForwardedTrust
	// RedirectURI is OIDCRedirectURI: absolute, or a path resolved against
	// the current request.
	RedirectURI string
	// Scope is OIDCScope ("openid" by default).
	Scope string
	// AuthRequestParams is OIDCAuthRequestParams (a query string; "name=#"
	// copies the parameter from the current request).
	AuthRequestParams string
	// ResponseMode is OIDCResponseMode ("" = not sent).
	ResponseMode string
	// PKCEMethod is OIDCPKCEMethod: "S256" (oidcgate's default), "plain" or
	// "none".
	PKCEMethod string
	// TokenEndpointAuth is OIDCProviderTokenEndpointAuth:
	// client_secret_basic (default), client_secret_post,
	// client_secret_jwt, private_key_jwt or none.
	TokenEndpointAuth string
	// PrivateKeys are OIDCPrivateKeyFiles in configuration order (the
	// first signs private_key_jwt assertions; all may decrypt), and
	// PublicKeys OIDCPublicKeyFiles (published at ?jwks; the first one's
	// x5t goes into the assertion header). Loaded by internal/jwkfile.
	PrivateKeys, PublicKeys []jose.JSONWebKey
	// TokenEndpointCertFile, TokenEndpointKeyFile and
	// TokenEndpointKeyPassword are OIDCClientTokenEndpointCert/Key/
	// KeyPassword: the TLS client certificate (PEM) presented to the token
	// endpoint only (code and refresh grants), as in 2.4.12.3.
	TokenEndpointCertFile, TokenEndpointKeyFile, TokenEndpointKeyPassword string
	// IDTokenSignedAlg is OIDCIDTokenSignedResponseAlg ("" = any the
	// provider supports except none).
	IDTokenSignedAlg string
	// UserInfoSignedAlg, UserInfoEncryptedAlg and UserInfoEncryptedEnc are
	// OIDCUserInfoSignedResponseAlg, OIDCUserInfoEncryptedResponseAlg and
	// OIDCUserInfoEncryptedResponseEnc: with an alg set, the userinfo
	// response must be a JWT (userinfo_jwt.go).
	UserInfoSignedAlg, UserInfoEncryptedAlg, UserInfoEncryptedEnc string
	// ValidateIssuer is OIDCValidateIssuer (default on).
	ValidateIssuer bool
	// IDTokenAudValues is upstream's OIDCIDTokenAudValues ("@" = ClientID;
	// nil: not configured, the aud must contain ClientID): an exhaustive
	// list of accepted aud values (claims.CheckIDTokenAud).
	IDTokenAudValues []string
	// IATSlack is OIDCIDTokenIatSlack (600 s).
	IATSlack time.Duration
	// JWKSRefresh is OIDCJWKSRefreshInterval (3600 s when zero): the
	// provider's key set is fetched afresh after it.
	JWKSRefresh time.Duration
	// VerifyKeys are OIDCProviderVerifyCertFiles' public keys: they
	// verify id_tokens (and logout tokens) besides the provider's JWKS.
	VerifyKeys []crypto.PublicKey

	// CryptoPassphrase is OIDCCryptoPassphrase: it encrypts state cookies.
	CryptoPassphrase string

	// StateTimeout is OIDCStateTimeout (300 s).
	StateTimeout time.Duration
	// StateMaxCookies and StateDeleteOldest are OIDCStateMaxNumberOfCookies
	// (7, false).
	StateMaxCookies   int
	StateDeleteOldest bool
	// StateInputXFF and StateInputUA are OIDCStateInputHeaders (2.4.12.3:
	// both).
	StateInputXFF, StateInputUA bool

	// SessionInactivityTimeout and SessionMaxDuration (300 s, 8 h; 0 max
	// duration = the id_token's exp).
	SessionInactivityTimeout, SessionMaxDuration time.Duration
	// PersistentCookie is OIDCSessionCookiePersistent or OIDCSessionType's
	// :persistent: the session cookie gets Expires = the inactivity expiry.
	PersistentCookie bool
	// ClientCookieSession is OIDCSessionType client-cookie: the whole
	// session, sealed, is the session cookie. CookieStoreIDToken is its
	// :store_id_token (without it the raw id_token is not kept).
	ClientCookieSession, CookieStoreIDToken bool
	// SessionCookieChunkSize is OIDCSessionCookieChunkSize (the proxy
	// passes the module's 4000 by default); 0 disables chunking.
	SessionCookieChunkSize int
	// CacheFallbackToCookie is OIDCSessionCacheFallbackToCookie: with
	// server-cache, a session the store cannot take goes into the cookie.
	CacheFallbackToCookie bool
	// CookieDomain is OIDCCookieDomain ("" = host-only cookies).
	CookieDomain string
	// CookieHTTPOnly is OIDCCookieHTTPOnly (on).
	CookieHTTPOnly bool
	// CookieSameSite is 2.4.12.3's OIDCCookieSameSite flag (off).
	CookieSameSite bool

	// RemoteUserClaim is OIDCRemoteUserClaim's claim ("sub@" by default),
	// with its optional pattern and replacement.
	RemoteUserClaim   string
	RemoteUserRegexp  *regexp.Regexp
	RemoteUserReplace string
	// RemoteUserBadPattern: a pattern was configured that Go cannot
	// compile; the module never matches it, so every login fails.
	RemoteUserBadPattern bool

	// ClaimPrefix and ClaimDelimiter are OIDCClaimPrefix ("OIDC_CLAIM_")
	// and OIDCClaimDelimiter (",").
	ClaimPrefix, ClaimDelimiter string
	// PassIDTokenAs is OIDCPassIDTokenAs: any of claims, payload,
	// serialized (default claims).
	PassIDTokenAs []string
	// PassUserInfoAs is OIDCPassUserInfoAs: any of claims, json, jwt and
	// current upstream's json:NAME (default claims).
	PassUserInfoAs []string
	// WhiteListedClaims and BlackListedClaims are OIDCWhiteListedClaims and
	// OIDCBlackListedClaims (nil: not configured). 2.4.12.3 keeps them per
	// virtual host even when written in a section, and filters the
	// id_token and userinfo claims with them before storing them in the
	// session (see claims.Filter): the claims passed to the backend and
	// those Require claim sees are both filtered.
	WhiteListedClaims, BlackListedClaims []string
	// FilterClaimsExpr is upstream's OIDCFilterClaimsExpr (nil: none): a
	// jq program applied to the id_token and userinfo claims after the
	// white and black lists (see filterClaims).
	FilterClaimsExpr *claims.JQFilter

	// DefaultURL is OIDCDefaultURL; DefaultLoggedOutURL is
	// OIDCDefaultLoggedOutURL.
	DefaultURL, DefaultLoggedOutURL string
	// InfoHook is OIDCInfoHook's list of fields (nil: the info hook is off).
	InfoHook []string
	// ErrorTemplate is the content of OIDCHTMLErrorTemplate ("" = the
	// built-in page).
	ErrorTemplate string
	// PreserveTemplate and RestoreTemplate are the contents of upstream's
	// OIDCPreservePostTemplates files ("" = the built-in pages), checked
	// at load time: two "%s" (form data, URL) and one "%s" (URL).
	PreserveTemplate, RestoreTemplate string

	// LogoutXFrameOptions is OIDCLogoutXFrameOptions for the front-channel
	// logout page ("" = DENY).
	LogoutXFrameOptions string
	// TokenEndpointParams is OIDCProviderTokenEndpointParams: extra form
	// parameters (a query string) for every token request.
	TokenEndpointParams string
	// UserInfoPostParam is OIDCUserInfoTokenMethod post_param: the access
	// token goes in a POST body instead of the Authorization header.
	UserInfoPostParam bool
	// UserInfoRefresh is OIDCUserInfoRefreshInterval (0: never).
	UserInfoRefresh time.Duration
	// AuthRequestPOST is OIDCProviderAuthRequestMethod POST: the
	// authorization request is an auto-submitted form.
	AuthRequestPOST bool

	// Several providers (providers.go): MetadataDir is OIDCMetadataDir
	// ("" = the one provider above); DiscoverIssuersAllowed is upstream's
	// OIDCDiscoverIssuersAllowed (nil = any issuer).
	MetadataDir            string
	DiscoverIssuersAllowed []*regexp.Regexp
	// Registration holds what dynamic client registration sends.
	Registration Registration
	// confResponseType is a metadata-dir provider's .conf response_type.
	confResponseType string

	// HTTP client settings for calls to the provider.
	HTTPTimeoutLong, HTTPTimeoutShort time.Duration
	SSLValidateServer                 bool
	CABundlePath                      string
	OutgoingProxy                     string
}

// DirSettings are the per-directory settings of one request
// (mod_auth_openidc's directives allowed in Location/Directory).
type DirSettings struct {
	// CookieName is OIDCCookie (mod_auth_openidc_session).
	CookieName string
	// CookiePath is OIDCCookiePath ("" = the request's directory).
	CookiePath string
	// StateCookiePrefix is OIDCStateCookiePrefix (mod_auth_openidc_state_).
	StateCookiePrefix string
	// PassHeaders and PassEnv come from OIDCPassClaimsAs (both by default).
	PassHeaders, PassEnv bool
	// PassEncoding is OIDCPassClaimsAs' second argument for header values:
	// "" (none, 2.4.12.3's default), "latin1" or "base64url".
	PassEncoding string
	// PassRefreshToken is OIDCPassRefreshToken.
	PassRefreshToken bool
	// HideAccessToken is upstream's OIDCPassAccessToken Off: the access
	// token and its expiry are not passed (2.4.12.3 always passes them).
	HideAccessToken bool
	// AuthNHeader is OIDCAuthNHeader ("" = none).
	AuthNHeader string
	// UnAuthAction is OIDCUnAuthAction: auth, pass, 401, 407 or 410.
	UnAuthAction string
	// UnAuthExpr is true when OIDCUnAuthAction has an expression; the
	// caller evaluates it into UnAuthAction and XHR detection is off.
	UnAuthExpr bool
	// UnAutzAction is OIDCUnAutzAction: 401, 403 (default), 302 or auth;
	// UnAutzArg its second argument.
	UnAutzAction, UnAutzArg string
	// PathScope and PathAuthRequestParams are OIDCPathScope and
	// OIDCPathAuthRequestParams.
	PathScope, PathAuthRequestParams string
	// DiscoverURL is OIDCDiscoverURL: the external provider-choice page
	// ("" = the built-in one).
	DiscoverURL string
	// RedirectURLsAllowed is OIDCRedirectURLsAllowed; nil = same host only.
	RedirectURLsAllowed []*regexp.Regexp
	// RedirectURLsBad: patterns were configured but none compiles, so no
	// URL is allowed.
	RedirectURLsBad bool
	// Refresh is set by OIDCRefreshAccessTokenBeforeExpiry: the access
	// token is refreshed when it expires within RefreshBeforeExpiry
	// seconds; RefreshLogoutOnError is its logout_on_error.
	Refresh              bool
	RefreshBeforeExpiry  int
	RefreshLogoutOnError bool
	// PreservePost is OIDCPreservePost: a form POST that needs a login is
	// replayed after it.
	PreservePost bool
	// StripCookies is OIDCStripCookies: cookies removed from the request
	// before it goes to the backend.
	StripCookies []string
	// PassCookies is OIDCPassCookies: request cookies sent along on the
	// calls to the provider made for the request (see withPassCookies).
	PassCookies []string
	// WhiteListedClaims is OIDCWhiteListedClaims; with an empty
	// OIDCClaimPrefix, incoming headers named like them are scrubbed.
	WhiteListedClaims []string
	// UserInfoClaimsExpr is upstream's OIDCUserInfoClaimsExpr, evaluated
	// for this request (nil: none; see userInfoToPass). UserInfoClaimsExprErr
	// is set when the request's program could not be built: then no
	// userinfo is passed.
	UserInfoClaimsExpr    *claims.JQFilter
	UserInfoClaimsExprErr error
}
