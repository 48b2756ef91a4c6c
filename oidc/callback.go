package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/oidcgate/oidcgate/oidc/claims"
)

// authorizationResponse handles the provider's answer at the redirect URI
// (oidc_handle_authorization_response). responseMode is how it arrived.
func (rp *RelyingParty) authorizationResponse(ctx context.Context, x *exchange, sess *session, params url.Values, responseMode string) Result {
	// Stricter than 2.4.12.3 (which took one of them): a parameter that
	// decides the login must not repeat.
	for _, p := range []string{"state", "code", "id_token", "access_token"} {
		if len(params[p]) > 1 {
			rp.log.Error("authorization response contains a duplicated parameter", "param", p)
			return x.status(http.StatusBadRequest)
		}
	}
	state := params.Get("state")
	// Browser back: the state of the login that made the current session.
	if sess != nil && state != "" && sess.State == state {
		rp.log.Warn("browser back detected, redirecting to original URL: " + sess.OriginalURL)
		return x.redirect(sess.OriginalURL)
	}
	st, res, ok := rp.matchState(x, state)
	if !ok {
		if res != nil {
			return *res
		}
		if rp.s.DefaultURL != "" {
			return x.redirect(rp.absURL(x, rp.s.DefaultURL))
		}
		return x.status(http.StatusBadRequest)
	}
	if e := params.Get("error"); e != "" {
		if st.Prompt == "none" {
			// A silent session check failed: log out the top window.
			return rp.parentLogoutPage(x)
		}
		return rp.sendError(x, "OpenID Connect Provider error: "+e, params.Get("error_description"), http.StatusOK)
	}
	md, err := rp.prov.metadata(ctx)
	if err != nil || !issuerMatch(md.Issuer, st.Issuer) {
		rp.log.Error("no provider for the issuer in the state", "issuer", st.Issuer, "err", err)
		return x.status(http.StatusInternalServerError)
	}
	tokens, idc, err := rp.codeFlow(ctx, x, md, st, params, responseMode)
	if err != nil {
		rp.log.Error("authorization response could not be handled", "err", err)
		return rp.sendError(x, "OpenID Connect Provider error: Error in handling response type.", "", http.StatusOK)
	}
	uiRaw, uiJWT := rp.userInfo(ctx, md, tokens.AccessToken, idc)
	merged := idc
	if len(uiRaw) > 0 {
		if uic, err := claims.Parse(uiRaw); err == nil {
			merged = claims.Merge(uic, idc)
		}
	}
	user, err := rp.remoteUser(merged, md.Issuer)
	if err != nil {
		rp.log.Error("OIDCRemoteUserClaim is set to \""+rp.s.RemoteUserClaim+"\", but could not set the remote user", "err", err)
		return rp.sendError(x, "OpenID Connect Provider error: Remote user could not be set: contact the website administrator", "", http.StatusOK)
	}
	if st.Prompt == "none" && (sess == nil || sess.RemoteUser != user) {
		rp.log.Warn("user set from new id_token is different from current one")
		return rp.parentLogoutPage(x)
	}
	now := rp.now()
	s := &session{ID: randomString(20), RemoteUser: user, Expiry: now.Add(rp.s.SessionInactivityTimeout).Unix(),
		Issuer: md.Issuer, ClientID: rp.s.ClientID, IDTokenClaims: json.RawMessage(idc.JSON()), IDToken: tokens.IDToken,
		UserInfoClaims: uiRaw, UserInfoJWT: uiJWT, AccessToken: tokens.AccessToken, RefreshToken: tokens.RefreshToken,
		State: state, OriginalURL: st.OriginalURL, Created: now.Unix(), UserInfoRefreshed: now.Unix()}
	if tokens.ExpiresIn > 0 {
		s.AccessTokenExpires = now.Unix() + tokens.ExpiresIn
	}
	if rp.s.SessionMaxDuration == 0 {
		s.MaxExpiry = tokens.Exp
	} else {
		s.MaxExpiry = now.Add(rp.s.SessionMaxDuration).Unix()
	}
	s.SessionState = rp.sessionState(md, params)
	s.CookieDomain = rp.s.CookieDomain
	if s.CookieDomain == "" {
		s.CookieDomain = x.hostOnly()
	}
	sid := tokens.SID
	if sid == "" {
		sid = tokens.Sub
	}
	s.SID = sid + "@" + md.Issuer
	if tokens.SID != "" {
		s.SubIndex = tokens.Sub + "@" + md.Issuer
	}
	if sess != nil {
		// A fresh id on every login: the presented one could be planted.
		rp.deleteSession(ctx, sess)
	}
	if err := rp.saveSession(ctx, s); err != nil {
		rp.log.Error("session could not be saved", "err", err)
		return x.status(http.StatusInternalServerError)
	}
	rp.setSessionCookie(x, s, true)
	// The callback request has its user, as with Apache (%u in the access
	// log line of the redirect URI request; measured on 2.4.12.3).
	x.res.HasUser, x.res.User = true, user
	if st.Method == "form_post" {
		return rp.restorePage(x, st.OriginalURL)
	}
	return x.redirect(st.OriginalURL)
}

// matchState restores the state cookie of state and checks it belongs to
// this browser and has not expired. The cookie is deleted whatever the
// outcome. A non-nil Result is a response already decided (the timeout
// page).
func (rp *RelyingParty) matchState(x *exchange, state string) (*authState, *Result, bool) {
	if state == "" {
		rp.log.Error("state parameter is not set")
		return nil, nil, false
	}
	name := x.dir.StateCookiePrefix + state
	rp.cleanStateCookies(x, name, false)
	value, ok := getCookie(x.r.Header, name)
	if !ok {
		rp.log.Error("no \"" + name + "\" state cookie found: check domain and samesite cookie settings")
		return nil, nil, false
	}
	x.setCookie(cookie{name: name, sameSite: x.cw.sameSiteNone()})
	st, ok := rp.openState(value)
	if !ok {
		rp.log.Error("state cookie could not be decrypted")
		return nil, nil, false
	}
	if !constantEqual(rp.stateHash(x.r.Header, st.Nonce), state) {
		rp.log.Error("calculated state from cookie does not match state parameter passed back in URL")
		return nil, nil, false
	}
	if rp.stateExpired(st) {
		rp.log.Error("state has expired")
		if rp.s.DefaultURL == "" || x.q.Env["OIDC_NO_DEFAULT_URL_ON_STATE_TIMEOUT"] != "" {
			res := rp.sendError(x, "Invalid Authentication Response",
				"This is due to a timeout; please restart your authentication session by re-entering the URL/bookmark you originally wanted to access: "+st.OriginalURL, http.StatusOK)
			return nil, &res, false
		}
		return nil, nil, false
	}
	return st, nil, true
}

// tokenResult is what the code flow produced.
type tokenResult struct {
	AccessToken, RefreshToken, IDToken string
	ExpiresIn                          int64
	Sub, SID                           string
	Exp                                int64
}

// codeFlow redeems the code and validates the id_token.
func (rp *RelyingParty) codeFlow(ctx context.Context, x *exchange, md *Metadata, st *authState, params url.Values, responseMode string) (*tokenResult, claims.Claims, error) {
	wantMode := st.ResponseMode
	if wantMode == "" {
		wantMode = "query"
	}
	if responseMode != wantMode {
		return nil, claims.Claims{}, fmt.Errorf("requested response mode %q does not match the one used (%q)", wantMode, responseMode)
	}
	// RFC 9207 / mix-up defence (oidc_proto_validate_issuer_client_id):
	// an iss or client_id in the response must be exactly this
	// provider's and client's, before the code goes to its token endpoint.
	if v, ok := params["iss"]; ok && (len(v) == 0 || v[0] != md.Issuer) {
		return nil, claims.Claims{}, fmt.Errorf("configured issuer (%s) does not match the issuer provided in the response by the OP (%s)", md.Issuer, params.Get("iss"))
	}
	if v, ok := params["client_id"]; ok && (len(v) == 0 || v[0] != rp.s.ClientID) {
		return nil, claims.Claims{}, fmt.Errorf("configured client_id (%s) does not match the client_id provided in the response by the OP (%s)", rp.s.ClientID, params.Get("client_id"))
	}
	code := params.Get("code")
	if code == "" || params.Get("id_token") != "" || params.Get("access_token") != "" {
		return nil, claims.Claims{}, errors.New("the authorization response does not match the code flow")
	}
	auth, err := endpointAuth(rp.s.TokenEndpointAuth, rp.s.ClientID, rp.s.ClientSecret, rp.assertKey, md.TokenEndpoint, rp.now())
	if err != nil {
		return nil, claims.Claims{}, err
	}
	// x/oauth2 sends Basic credentials itself; every other method's
	// parameters go into the form.
	conf := &oauth2.Config{RedirectURL: x.redirectURI(),
		Endpoint: oauth2.Endpoint{AuthURL: md.AuthorizationEndpoint, TokenURL: md.TokenEndpoint, AuthStyle: oauth2.AuthStyleInParams}}
	var opts []oauth2.AuthCodeOption
	if auth.basicUser != "" {
		conf.ClientID, conf.ClientSecret, conf.Endpoint.AuthStyle = rp.s.ClientID, rp.s.ClientSecret, oauth2.AuthStyleInHeader
	}
	for k, v := range auth.params {
		opts = append(opts, oauth2.SetAuthURLParam(k, v[0]))
	}
	if st.Verifier != "" {
		opts = append(opts, oauth2.VerifierOption(st.Verifier))
	}
	if rp.fromMetadataDir {
		// The module sends the state too when the provider came from
		// OIDCMetadataDir (oidc_proto_resolve_code).
		opts = append(opts, oauth2.SetAuthURLParam("state", params.Get("state")))
	}
	for _, p := range appendExtraParams(nil, rp.s.TokenEndpointParams, nil) {
		opts = append(opts, oauth2.SetAuthURLParam(p.name, p.value))
	}
	tctx := context.WithValue(ctx, oauth2.HTTPClient, rp.tokenClient)
	tok, err := conf.Exchange(tctx, code, opts...)
	if err != nil {
		return nil, claims.Claims{}, fmt.Errorf("token request: %w", err)
	}
	if tt := tok.Type(); !strings.EqualFold(tt, "Bearer") && !strings.EqualFold(tt, "DPoP") {
		return nil, claims.Claims{}, fmt.Errorf("token_type %q is not Bearer", tok.TokenType)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return nil, claims.Claims{}, errors.New("no id_token in the token response")
	}
	idt, payload, err := rp.verifyIDToken(ctx, md, rawID, st.Nonce)
	if err != nil {
		return nil, claims.Claims{}, err
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return nil, claims.Claims{}, fmt.Errorf("at_hash: %w", err)
		}
	}
	idc, err := claims.Parse(payload)
	if err != nil {
		return nil, claims.Claims{}, err
	}
	res := &tokenResult{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, IDToken: rawID,
		Sub: idt.Subject, Exp: idt.Expiry.Unix()}
	if ei := tok.ExpiresIn; ei > 0 {
		res.ExpiresIn = ei
	}
	var extra struct {
		SID string `json:"sid"`
	}
	_ = json.Unmarshal(payload, &extra)
	res.SID = extra.SID
	return res, idc, nil
}

// verifyIDToken checks the id_token's signature (go-oidc, with a key set
// re-fetched on an unknown kid), iss (one trailing "/" tolerated), aud,
// azp, exp, iat within OIDCIDTokenIatSlack, sub, and the nonce, which may
// be used only once.
func (rp *RelyingParty) verifyIDToken(ctx context.Context, md *Metadata, raw, nonce string) (*gooidc.IDToken, []byte, error) {
	idt, payload, err := rp.verifyIDTokenNoNonce(ctx, md, raw)
	if err != nil {
		return nil, nil, err
	}
	var c struct {
		Nonce *string `json:"nonce"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, nil, err
	}
	if c.Nonce == nil || !constantEqual(*c.Nonce, nonce) {
		return nil, nil, errors.New("id_token nonce does not match")
	}
	// Replay protection: a nonce is accepted once within 2×slack+10s.
	key := rp.key(keyNonce, nonce)
	if _, err := rp.store.Get(ctx, key); err == nil {
		return nil, nil, errors.New("id_token nonce was already used (replay)")
	}
	if err := rp.store.Set(ctx, key, []byte{1}, 2*rp.s.IATSlack+10*time.Second); err != nil {
		rp.log.Warn("could not store the nonce for replay protection", "err", err)
	}
	return idt, payload, nil
}

// verifyIDTokenNoNonce runs every id_token check but the nonce (a
// refreshed id_token carries none).
func (rp *RelyingParty) verifyIDTokenNoNonce(ctx context.Context, md *Metadata, raw string) (*gooidc.IDToken, []byte, error) {
	ks := rp.prov.keySet()
	if ks == nil {
		return nil, nil, errors.New("the provider has no jwks_uri")
	}
	if isJWE(raw) { // a JWE whose payload is the signed id_token (jwe.go)
		inner, err := rp.jweDecrypter().decrypt(raw, maxJWE)
		if err != nil {
			return nil, nil, fmt.Errorf("id_token: %w", err)
		}
		raw = string(inner)
	}
	algs := md.Algorithms
	if rp.s.IDTokenSignedAlg != "" {
		algs = []string{rp.s.IDTokenSignedAlg}
	}
	algs = withoutNone(algs)
	v := gooidc.NewVerifier(md.Issuer, ks, &gooidc.Config{ClientID: rp.s.ClientID, SupportedSigningAlgs: algs,
		SkipIssuerCheck: true, Now: rp.now, SkipClientIDCheck: rp.s.IDTokenAudValues != nil})
	idt, err := v.Verify(gooidc.ClientContext(ctx, rp.prov.client), raw)
	if err != nil {
		return nil, nil, err
	}
	if rp.s.ValidateIssuer && !issuerMatch(md.Issuer, idt.Issuer) {
		return nil, nil, fmt.Errorf("id_token issuer %q does not match %q", idt.Issuer, md.Issuer)
	}
	var c struct {
		Sub *string          `json:"sub"`
		Iat *json.Number     `json:"iat"`
		Azp *string          `json:"azp"`
		Exp *json.Number     `json:"exp"`
		Aud *json.RawMessage `json:"aud"`
	}
	payload := make([]byte, 0)
	var all json.RawMessage
	if err := idt.Claims(&all); err != nil {
		return nil, nil, err
	}
	payload = append(payload, all...)
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, nil, err
	}
	if c.Sub == nil || *c.Sub == "" {
		return nil, nil, errors.New("id_token has no sub")
	}
	if c.Exp == nil {
		return nil, nil, errors.New("id_token has no exp")
	}
	if c.Iat == nil {
		return nil, nil, errors.New("id_token has no iat")
	}
	iat, err := c.Iat.Int64()
	if err != nil {
		return nil, nil, errors.New("id_token iat is not an integer")
	}
	// Whole seconds, so no value can overflow into the window.
	now, slack := rp.now().Unix(), int64(rp.s.IATSlack/time.Second)
	if iat < now-slack || iat > now+slack {
		return nil, nil, fmt.Errorf("id_token iat %d is outside the allowed slack of %v", iat, rp.s.IATSlack)
	}
	if rp.s.IDTokenAudValues != nil { // upstream's OIDCIDTokenAudValues
		var aud json.RawMessage
		if c.Aud != nil {
			aud = *c.Aud
		}
		if err := claims.CheckIDTokenAud(aud, rp.s.ClientID, rp.s.IDTokenAudValues); err != nil {
			return nil, nil, err
		}
	}
	if c.Azp != nil && *c.Azp != rp.s.ClientID {
		return nil, nil, fmt.Errorf("id_token azp %q is not the client_id", *c.Azp)
	}
	return idt, payload, nil
}

func withoutNone(algs []string) []string {
	out := algs[:0:0]
	for _, a := range algs {
		if a != "none" && a != "" {
			out = append(out, a)
		}
	}
	return out
}

// issuerMatch compares issuers tolerating one trailing "/" difference.
func issuerMatch(a, b string) bool {
	return a == b || strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/") && len(a)-len(b) <= 1 && len(b)-len(a) <= 1
}

// userInfo calls the userinfo endpoint; failure is not fatal at login. It
// returns the claims JSON and, when the provider answered with a JWT, the
// JWT.
func (rp *RelyingParty) userInfo(ctx context.Context, md *Metadata, accessToken string, idc claims.Claims) (json.RawMessage, string) {
	if md.UserInfoEndpoint == "" || accessToken == "" {
		return nil, ""
	}
	var req *http.Request
	var err error
	if rp.s.UserInfoPostParam {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, md.UserInfoEndpoint, strings.NewReader(url.Values{"access_token": {accessToken}}.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, md.UserInfoEndpoint, nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+accessToken)
		}
	}
	if err != nil {
		return nil, ""
	}
	resp, err := rp.prov.client.Do(req)
	if err != nil {
		rp.log.Error("userinfo request failed", "err", err)
		return nil, ""
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		rp.log.Error("userinfo request failed", "status", resp.StatusCode, "err", err)
		return nil, ""
	}
	body, uiJWT, err := rp.userInfoJWT(ctx, body) // userinfo_jwt.go
	if err != nil {
		rp.log.Error("userinfo response could not be validated", "err", err)
		return nil, ""
	}
	uic, err := claims.Parse(body)
	if err != nil {
		rp.log.Error("userinfo response is not a JSON object", "err", err)
		return nil, ""
	}
	sub, _ := uic.Get("sub")
	idSub, _ := idc.Get("sub")
	if len(sub) == 0 || string(sub) != string(idSub) {
		rp.log.Error("userinfo sub does not match the id_token sub")
		return nil, ""
	}
	return json.RawMessage(uic.JSON()), uiJWT
}

// remoteUser derives REMOTE_USER per OIDCRemoteUserClaim.
func (rp *RelyingParty) remoteUser(c claims.Claims, issuer string) (string, error) {
	if rp.s.RemoteUserBadPattern {
		return "", errors.New("the OIDCRemoteUserClaim pattern cannot match")
	}
	claim := rp.s.RemoteUserClaim
	if claim == "" {
		claim = "sub@"
	}
	return claims.RemoteUser(c, claim, rp.s.RemoteUserRegexp, rp.s.RemoteUserReplace, issuer)
}

// absURL makes a configured relative URL absolute against the request.
func (rp *RelyingParty) absURL(x *exchange, u string) string {
	if strings.HasPrefix(u, "/") {
		return x.q.Scheme + "://" + x.q.Host + u
	}
	return u
}
