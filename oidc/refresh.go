package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/oidcgate/oidcgate/oidc/claims"
	"github.com/oidcgate/oidcgate/oidc/urlcheck"
)

// refreshRequest answers "<redirect_uri>?refresh=<return_to>&access_token=<at>"
// (oidc_handle_refresh_token_request): the access token parameter must be
// the session's (it guards against cross-site requests); the refresh
// grant runs, the session is saved, and the browser goes back to
// return_to — with error_code=... when something failed.
func (rp *RelyingParty) refreshRequest(ctx context.Context, x *exchange, sess *session, query url.Values) Result {
	returnTo := query.Get("refresh")
	if returnTo == "" {
		rp.log.Error("refresh token request handler called with no URL to return to")
		return x.status(http.StatusInternalServerError)
	}
	allowed := x.dir.RedirectURLsAllowed
	if x.dir.RedirectURLsBad {
		allowed = neverMatch
	}
	if err := urlcheck.ValidateRedirect(returnTo, x.hostOnly(), allowed); err != nil {
		rp.log.Error("return_to URL validation failed: " + err.Error())
		return x.status(http.StatusInternalServerError)
	}
	code := ""
	at, hasAT := query["access_token"]
	switch {
	case !hasAT:
		code = "no_access_token"
	case sess == nil || sess.AccessToken == "":
		code = "no_access_token_exists"
	case len(at) != 1 || !constantEqual(at[0], sess.AccessToken):
		code = "no_access_token_match"
	default:
		if err := rp.refreshTokens(ctx, sess); err != nil {
			rp.log.Error("access_token could not be refreshed", "err", err)
			code = "refresh_failed"
			break
		}
		if err := rp.saveSession(ctx, sess); err != nil {
			code = "error saving session"
			break
		}
		rp.setSessionCookie(x, sess, false)
	}
	if code != "" {
		sep := "?"
		if strings.Contains(returnTo, "?") {
			sep = "&"
		}
		returnTo += sep + "error_code=" + escape(code)
	}
	return x.redirect(returnTo)
}

// refreshTokens runs the refresh grant for the session and stores what the
// provider returned: the new access token and its expiry, a rotated
// refresh token, and a new id_token's claims — only when it verifies and
// names the same subject (stricter than 2.4.12.3, which stored it
// unverified).
//
// As current upstream (not 2.4.12.3), one refresh token is spent once:
// requests presenting the same refresh token wait for the one grant and
// take its outcome, success or failure, for refreshCacheTTL — in this
// process through a lock, across instances sharing a Redis or memcached
// store through the store (sharedGrant). This is what
// keeps parallel requests of a client-cookie session — every copy of the
// cookie carries the refresh token the first request spent — from
// refreshing again with a refresh token the provider has rotated away
// (which fails, and with logout_on_error logs the user out).
func (rp *RelyingParty) refreshTokens(ctx context.Context, s *session) error {
	if s.RefreshToken == "" {
		return errors.New("no refresh_token in the session")
	}
	md, err := rp.prov.metadata(ctx)
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(s.RefreshToken))
	key := hex.EncodeToString(sum[:])
	mu := rp.refreshLock("rt:" + key)
	mu.Lock()
	o, ok := rp.recentRefresh(key)
	if ok && o.err != nil {
		// Another instance's grant may have succeeded after this one's
		// failed (the store's lock is best effort).
		if other, found := rp.awaitRefresh(ctx, rp.key(keyRefresh, key), "-"); found && other.err == nil {
			o = other
			rp.rememberRefresh(key, o)
		}
	}
	if !ok {
		// The grant's outcome is shared with every request waiting on this
		// refresh token, here and on the instances sharing the store, so
		// it must not depend on whether this request's client is still
		// there (a closed tab would otherwise fail, and with
		// logout_on_error log out, the others for refreshCacheTTL);
		// OIDCHTTPTimeoutLong still bounds it, as Apache's curl call.
		o = rp.sharedGrant(ctx, md, key, s.RefreshToken)
		rp.rememberRefresh(key, o)
	}
	mu.Unlock()
	if o.err != nil {
		return o.err
	}
	tr := o.tr
	now := o.at.Unix()
	s.AccessToken = tr.AccessToken
	s.AccessTokenExpires = 0
	if n, err := tr.ExpiresIn.Int64(); err == nil && n > 0 {
		s.AccessTokenExpires = now + n
	}
	s.Created = now
	if tr.RefreshToken != "" {
		s.RefreshToken = tr.RefreshToken
	}
	if tr.IDToken != "" {
		if err := rp.takeRefreshedIDToken(ctx, md, s, tr.IDToken); err != nil {
			rp.log.Warn("refreshed id_token ignored", "err", err)
		}
	}
	s.view = nil
	return nil
}

// refreshCacheTTL is how long a refresh grant's outcome answers requests
// presenting the same refresh token (current upstream's
// OIDC_REFRESH_CACHE_TTL).
const refreshCacheTTL = 30 * time.Second

// refreshOutcome is a refresh grant's result: the provider's answer or the
// error, and when it was asked.
type refreshOutcome struct {
	at  time.Time
	tr  refreshResponse
	err error
}

// refreshResponse is the token endpoint's answer to a refresh grant.
type refreshResponse struct {
	AccessToken  string          `json:"access_token"`
	TokenType    string          `json:"token_type"`
	ExpiresIn    json.Number     `json:"expires_in"`
	RefreshToken string          `json:"refresh_token"`
	IDToken      string          `json:"id_token"`
	Error        json.RawMessage `json:"error,omitempty"`
}

// recentRefresh is the outcome of a grant with the refresh token whose
// SHA-256 is key (hex), if it is younger than refreshCacheTTL.
func (rp *RelyingParty) recentRefresh(key string) (refreshOutcome, bool) {
	rp.refreshMu.Lock()
	defer rp.refreshMu.Unlock()
	o, ok := rp.refreshed[key]
	if !ok || rp.now().Sub(o.at) >= refreshCacheTTL || o.at.After(rp.now()) {
		return refreshOutcome{}, false
	}
	return o, true
}

// rememberRefresh keeps a grant's outcome for recentRefresh; the map drops
// what is stale when it grows, and starts over past 10000 entries.
func (rp *RelyingParty) rememberRefresh(key string, o refreshOutcome) {
	rp.refreshMu.Lock()
	defer rp.refreshMu.Unlock()
	if rp.refreshed == nil {
		rp.refreshed = map[string]refreshOutcome{}
	}
	if len(rp.refreshed) >= 1000 {
		for k, v := range rp.refreshed {
			if rp.now().Sub(v.at) >= refreshCacheTTL {
				delete(rp.refreshed, k)
			}
		}
		if len(rp.refreshed) >= 10000 {
			rp.refreshed = map[string]refreshOutcome{}
		}
	}
	rp.refreshed[key] = o
}

// refreshGrant sends the refresh grant with refreshToken and returns the
// provider's answer.
func (rp *RelyingParty) refreshGrant(ctx context.Context, md *Metadata, refreshToken string) (refreshResponse, error) {
	var tr refreshResponse
	// The module's refresh request: grant_type, refresh_token and scope,
	// with the client's token endpoint authentication. x/oauth2's token
	// source cannot send the scope, so the form is built here.
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	if rp.s.Scope != "" {
		form.Set("scope", rp.s.Scope)
	}
	for _, p := range appendExtraParams(nil, rp.s.TokenEndpointParams, nil) {
		form.Add(p.name, p.value)
	}
	auth, err := endpointAuth(rp.s.TokenEndpointAuth, rp.s.ClientID, rp.s.ClientSecret, rp.assertKey, md.TokenEndpoint, rp.now())
	if err != nil {
		return tr, err
	}
	auth.apply(form, nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, md.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return tr, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	auth.apply(url.Values{}, req)
	resp, err := rp.tokenClient.Do(req)
	if err != nil {
		return tr, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return tr, err
	}
	if err := json.Unmarshal(body, &tr); err != nil {
		return tr, fmt.Errorf("token endpoint answered HTTP %d: %v", resp.StatusCode, err)
	}
	if len(tr.Error) > 0 || resp.StatusCode != http.StatusOK || tr.AccessToken == "" {
		return tr, fmt.Errorf("token endpoint answered HTTP %d: %s", resp.StatusCode, body)
	}
	return tr, nil
}

func (rp *RelyingParty) takeRefreshedIDToken(ctx context.Context, md *Metadata, s *session, raw string) error {
	idt, payload, err := rp.verifyIDTokenNoNonce(ctx, md, raw)
	if err != nil {
		return err
	}
	old, _ := claims.Parse(s.IDTokenClaims)
	oldSub, _ := old.Get("sub")
	var sub string
	if json.Unmarshal(oldSub, &sub) != nil || sub != idt.Subject {
		return errors.New("the refreshed id_token names another subject")
	}
	s.IDToken = raw
	s.IDTokenClaims = json.RawMessage(payload)
	if rp.s.SessionMaxDuration == 0 {
		s.MaxExpiry = idt.Expiry.Unix()
	}
	return nil
}

// refreshBeforeExpiry refreshes the session's access token when it
// expires within ttl seconds (OIDCRefreshAccessTokenBeforeExpiry). As in
// 2.4.12.3, a session without a refresh token or without an expiry is
// left alone. Parallel requests of one session refresh once: the first
// takes the session's lock and refreshes, the others wait and take the
// stored result. It reports whether s changed.
func (rp *RelyingParty) refreshBeforeExpiry(ctx context.Context, s *session, ttl int) (bool, error) {
	due := func(s *session) bool {
		return s.AccessTokenExpires != 0 && s.RefreshToken != "" && s.AccessTokenExpires-int64(ttl) <= rp.now().Unix()
	}
	if !due(s) {
		return false, nil
	}
	mu := rp.refreshLock(s.ID)
	mu.Lock()
	defer mu.Unlock()
	// Another request may have refreshed while this one waited.
	if cur, err := rp.loadSession(ctx, s.ID); err == nil && (cur.AccessToken != s.AccessToken || !due(cur)) {
		*s = *cur
		return false, nil
	}
	if err := rp.refreshTokens(ctx, s); err != nil {
		return false, err
	}
	if err := rp.saveSession(ctx, s); err != nil {
		return false, err
	}
	return true, nil
}

// refreshLock is the per-session lock of refreshBeforeExpiry.
func (rp *RelyingParty) refreshLock(id string) *sync.Mutex {
	rp.refreshMu.Lock()
	defer rp.refreshMu.Unlock()
	if rp.refreshing == nil || len(rp.refreshing) > 10000 {
		rp.refreshing = map[string]*sync.Mutex{}
	}
	m := rp.refreshing[id]
	if m == nil {
		m = &sync.Mutex{}
		rp.refreshing[id] = m
	}
	return m
}

// refreshUserInfo re-reads the userinfo claims when
// OIDCUserInfoRefreshInterval has passed since the last time
// (oidc_refresh_claims_from_userinfo_endpoint); a failure clears them, as
// in 2.4.12.3. It reports whether s changed.
func (rp *RelyingParty) refreshUserInfo(ctx context.Context, s *session) bool {
	if rp.s.UserInfoRefresh <= 0 {
		return false
	}
	now := rp.now()
	if time.Unix(s.UserInfoRefreshed, 0).Add(rp.s.UserInfoRefresh).After(now) {
		return false
	}
	md, err := rp.prov.metadata(ctx)
	if err != nil || md.UserInfoEndpoint == "" {
		return false
	}
	idc, _ := claims.Parse(s.IDTokenClaims)
	raw, jwt := rp.userInfo(ctx, md, s.AccessToken, idc)
	s.UserInfoClaims, s.UserInfoJWT = raw, jwt
	s.UserInfoRefreshed = now.Unix()
	s.view = nil
	return true
}
