package oidc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oidcgate/oidcgate/oidc/claims"
)

// Store is the server-side store sessions and nonces live in. Package
// cache's stores satisfy it.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
}

// Key prefixes in the store, one per purpose (mod_auth_openidc's cache
// sections).
const (
	keySession = "s:"
	keyNonce   = "n:"
	keySID     = "d:"
	keyJTI     = "t:"
)

// session is one logged-in user's state, stored server-side under its id.
type session struct {
	ID         string `json:"i"`
	RemoteUser string `json:"r"`
	// Expiry is the inactivity expiry; MaxExpiry the hard one (unix s).
	Expiry    int64 `json:"e"`
	MaxExpiry int64 `json:"se"`
	// Issuer is the provider that logged the user in, for ClientID.
	Issuer   string `json:"iss"`
	ClientID string `json:"cid,omitempty"`
	// CookieDomain is the host (or OIDCCookieDomain) the session was
	// issued for; it is only valid there.
	CookieDomain string `json:"cd"`
	// IDTokenClaims and UserInfoClaims are the raw JSON objects.
	IDTokenClaims  json.RawMessage `json:"idc"`
	UserInfoClaims json.RawMessage `json:"uic,omitempty"`
	// IDToken is the compact id_token.
	IDToken string `json:"idt,omitempty"`
	// UserInfoJWT is the userinfo response when it was a JWT.
	UserInfoJWT string `json:"uij,omitempty"`
	AccessToken string `json:"at,omitempty"`
	// AccessTokenExpires is unix seconds, 0 when the provider sent no
	// expires_in.
	AccessTokenExpires int64  `json:"ate,omitempty"`
	RefreshToken       string `json:"rt,omitempty"`
	// State is the state of the login, for "browser back" detection;
	// OriginalURL where it returned to.
	State       string `json:"rs,omitempty"`
	OriginalURL string `json:"ou,omitempty"`
	// SessionState is the authorization response's session_state, kept
	// when the provider has a check_session_iframe (session management).
	SessionState string `json:"ss,omitempty"`
	// SID is "<sid or sub>@<issuer>", the logout index; SubIndex is
	// "<sub>@<issuer>" too when the id_token had a sid (a logout token
	// may name either).
	SID      string `json:"sid,omitempty"`
	SubIndex string `json:"subi,omitempty"`
	// Created is when the user logged in (unix s), the access token's
	// last refresh.
	Created int64 `json:"t,omitempty"`

	// UserInfoRefreshed is when the userinfo claims were last read (unix
	// s), for OIDCUserInfoRefreshInterval.
	UserInfoRefreshed int64 `json:"uilr,omitempty"`

	// view is the decoded form this copy was made from (not stored).
	view *sessionView
	// inCookie: the session lives in the session cookie (client-cookie,
	// or the store failed with OIDCSessionCacheFallbackToCookie); sealed
	// is its cookie value as last saved.
	inCookie bool
	sealed   string
}

// moduleState renders the session as 2.4.12.3 stores it (what the info
// hook's "session" shows): claims as JSON strings, times as strings
// except the inactivity expiry, in the module's key order.
func (s *session) moduleState() []byte {
	var o orderedJSON
	o.add("idc", string(s.IDTokenClaims))
	if s.IDToken != "" {
		o.add("idt", s.IDToken)
	}
	o.add("iss", s.Issuer)
	if s.State != "" {
		o.add("rs", s.State)
	}
	o.add("ou", s.OriginalURL)
	if s.SessionState != "" {
		o.add("ss", s.SessionState)
	}
	if len(s.UserInfoClaims) > 0 {
		o.add("uic", string(s.UserInfoClaims))
	}
	if s.AccessToken != "" {
		o.add("at", s.AccessToken)
		if s.AccessTokenExpires > 0 {
			o.add("ate", strconv.FormatInt(s.AccessTokenExpires, 10))
		}
		o.add("atlr", strconv.FormatInt(s.Created, 10))
	}
	if s.RefreshToken != "" {
		o.add("rt", s.RefreshToken)
	}
	o.add("se", strconv.FormatInt(s.MaxExpiry, 10))
	o.add("cd", s.CookieDomain)
	o.add("r", s.RemoteUser)
	o.add("e", s.Expiry)
	o.add("i", s.ID)
	if s.SID != "" {
		o.add("sid", s.SID)
	}
	return o.compact()
}

var errNoSession = errors.New("no session")

// key is a store key: purpose, this relying party's namespace, then the
// id (kept last so no id can reach into another namespace).
func (rp *RelyingParty) key(purpose, id string) string {
	return purpose + rp.s.Namespace + ":" + id
}

func (rp *RelyingParty) loadSession(ctx context.Context, id string) (*session, error) {
	v, err := rp.loadView(ctx, id)
	if err != nil {
		return nil, err
	}
	s := *v.s // per request: the caller may change it
	s.view = v
	return &s, nil
}

// sessionView is a stored session decoded once: its claims parsed and
// rendered, reused while the stored value stays the same (the hot path of
// every authenticated request).
type sessionView struct {
	raw                    []byte
	s                      *session
	idc, uic, merged       claims.Claims
	hasUserInfo            bool
	idPairs, uiPairs       []claims.Pair
	idPayload, uiJSONValue string

	// hasIDClaims is false when OIDCFilterClaimsExpr left no id_token
	// claims (no OIDC_id_token_payload then).
	hasIDClaims bool
	// uiExpr caches OIDCUserInfoClaimsExpr's result (userInfoToPass).
	uiExpr atomic.Pointer[uiExprResult]
	// lower: see lowerNames.
	lowerOnce sync.Once
	lower     map[string]string
	// identity: see viewIdentity.
	identity atomic.Pointer[identity]
}

// maxViews bounds the decoded-session cache; when full it starts over.
const maxViews = 4096

func (rp *RelyingParty) loadView(ctx context.Context, id string) (*sessionView, error) {
	if id == "" || len(id) > 256 {
		return nil, errNoSession
	}
	key := rp.key(keySession, id)
	rp.viewMu.RLock()
	v := rp.views[id]
	rp.viewMu.RUnlock()
	if v != nil {
		// A store that compares in place spares copying the session out
		// only to find it unchanged; on any error Get gives the answer.
		if c, ok := rp.store.(valueComparer); ok {
			if same, err := c.Equal(ctx, key, v.raw); err == nil && same {
				return v, nil
			}
		}
	}
	b, err := rp.store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	if v != nil && bytes.Equal(v.raw, b) {
		return v, nil
	}
	var s session
	if err := json.Unmarshal(b, &s); err != nil || s.ID != id || s.ClientID != rp.s.ClientID && rp.multi == nil {
		// A value that is not the session it claims to be: treat as
		// absent (oidc_session_load_cache_by_uuid).
		return nil, errNoSession
	}
	v = rp.newView(b, &s)
	rp.viewMu.Lock()
	if rp.views == nil || len(rp.views) >= maxViews {
		rp.views = map[string]*sessionView{}
	}
	rp.views[id] = v
	rp.viewMu.Unlock()
	return v, nil
}

// valueComparer is cache.Comparer: a store that tells whether a key
// still holds a value without copying it out.
type valueComparer interface {
	Equal(ctx context.Context, key string, value []byte) (bool, error)
}

func (rp *RelyingParty) newView(raw []byte, s *session) *sessionView {
	v := &sessionView{raw: raw, s: s}
	v.idc, _ = claims.Parse(s.IDTokenClaims)
	v.idc, v.hasIDClaims = rp.filterClaims(v.idc)
	v.merged = v.idc
	if len(s.UserInfoClaims) > 0 {
		v.uic, _ = claims.Parse(s.UserInfoClaims)
		v.uic, v.hasUserInfo = rp.filterClaims(v.uic)
	}
	if v.hasUserInfo {
		v.merged = claims.Merge(v.uic, v.idc)
		v.uiPairs = claims.Render(v.uic, rp.s.ClaimPrefix, rp.s.ClaimDelimiter)
		v.uiJSONValue = string(v.uic.JSON())
	}
	v.idPairs = claims.Render(v.idc, rp.s.ClaimPrefix, rp.s.ClaimDelimiter)
	v.idPayload = string(v.idc.JSON())
	return v
}

func (rp *RelyingParty) forgetView(id string) {
	rp.viewMu.Lock()
	delete(rp.views, id)
	rp.viewMu.Unlock()
}

func (rp *RelyingParty) saveSession(ctx context.Context, s *session) error {
	if rp.s.ClientCookieSession || s.inCookie {
		return rp.saveCookieSession(s)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	ttl := time.Until(time.Unix(s.Expiry, 0))
	if now := rp.now(); !now.IsZero() {
		ttl = time.Unix(s.Expiry, 0).Sub(now)
	}
	if ttl <= 0 {
		ttl = time.Second
	}
	if err := rp.store.Set(ctx, rp.key(keySession, s.ID), b, ttl); err != nil {
		if rp.s.CacheFallbackToCookie {
			// oidc_session_save: a failed cache write falls back to a
			// client-cookie session; it stays one until it ends.
			rp.log.Warn("session could not be stored, falling back to a client-cookie session", "err", err)
			return rp.saveCookieSession(s)
		}
		return err
	}
	for _, idx := range []string{s.SID, s.SubIndex} {
		if idx != "" {
			_ = rp.store.Set(ctx, rp.key(keySID, idx), []byte(s.ID), ttl)
		}
	}
	return nil
}

func (rp *RelyingParty) deleteSession(ctx context.Context, s *session) {
	if s.inCookie {
		return // nothing stored: the caller deletes the cookie
	}
	rp.forgetView(s.ID)
	_ = rp.store.Delete(ctx, rp.key(keySession, s.ID))
	for _, idx := range []string{s.SID, s.SubIndex} {
		if idx != "" {
			_ = rp.store.Delete(ctx, rp.key(keySID, idx))
		}
	}
}
