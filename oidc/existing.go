package oidc

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oidcgate/oidcgate/oidc/claims"
)

// existingSession serves a request that carries a valid session
// (oidc_handle_existing_session).
func (rp *RelyingParty) existingSession(ctx context.Context, x *exchange, s *session) Result {
	x.res.HasUser, x.res.User = true, s.RemoteUser
	// The session is only valid on the host it was issued for.
	domain := rp.s.CookieDomain
	if domain == "" {
		domain = x.hostOnly()
	}
	if s.CookieDomain != domain {
		rp.log.Warn("aborting: detected attempt to play cookie against a different domain/host than issued for!", "issued", s.CookieDomain, "current", domain)
		x.res.HasUser, x.res.User = false, ""
		return x.status(http.StatusUnauthorized)
	}
	rp.scrub(x)
	if rp.now().Unix() > s.MaxExpiry {
		rp.log.Warn("maximum session duration exceeded for user: " + s.RemoteUser)
		rp.deleteSession(ctx, s)
		x.deleteSessionCookie()
		x.res.HasUser, x.res.User = false, ""
		return rp.unauthenticated(ctx, x)
	}
	saved := false
	if x.dir.Refresh {
		switch refreshed, err := rp.refreshBeforeExpiry(ctx, s, x.dir.RefreshBeforeExpiry); {
		case err != nil && x.dir.RefreshLogoutOnError:
			// 2.4.12.3: logout_on_error ends the session and goes to
			// OIDCDefaultLoggedOutURL; other failures are ignored.
			rp.log.Warn("access_token could not be refreshed, logging out", "err", err)
			x.res.HasUser, x.res.User = false, ""
			return rp.localLogout(ctx, x, s)
		case err != nil:
			rp.log.Warn("access_token could not be refreshed", "err", err)
		case refreshed:
			saved = true
		}
	}
	if rp.refreshUserInfo(ctx, s) {
		if err := rp.saveSession(ctx, s); err != nil {
			rp.log.Warn("error saving session", "err", err)
			return x.status(http.StatusInternalServerError)
		}
		saved = true
	}
	rp.passIdentity(x, s)
	// Slide the inactivity timer, at most once per 10% of the timeout
	// (capped at 60 s). The cookie is re-sent once, after the slide, when
	// the session changed: a cookie session (or a persistent cookie's
	// Expires) must carry the final expiry.
	interval := rp.s.SessionInactivityTimeout
	slack := interval / 10
	if slack > time.Minute {
		slack = time.Minute
	}
	now := rp.now()
	if time.Unix(s.Expiry, 0).Sub(now) < interval-slack {
		s.Expiry = now.Add(interval).Unix()
		if err := rp.saveSession(ctx, s); err != nil {
			rp.log.Warn("error saving session", "err", err)
			return x.status(http.StatusInternalServerError)
		}
		saved = true
	}
	if saved {
		rp.setSessionCookie(x, s, false)
	}
	rp.stripCookies(x)
	return x.res
}

// setSessionCookie sends the session cookie; with OIDCCookieSameSite On it
// is Lax when first set (at the callback, a cross-site navigation) and
// Strict afterwards.
// A client-cookie session sends the sealed session, chunked, with the same
// attributes (setCookieSession).
func (rp *RelyingParty) setSessionCookie(x *exchange, s *session, first bool) {
	c := cookie{name: x.dir.CookieName, value: s.ID, sameSite: x.cw.sameSiteNone()}
	if rp.s.CookieSameSite {
		c.sameSite = "Strict"
		if first {
			c.sameSite = "Lax"
		}
	}
	if rp.s.PersistentCookie {
		c.expires = time.Unix(s.Expiry, 0).UTC().Format(http.TimeFormat)
	}
	if s.inCookie {
		rp.setCookieSession(x, s, c)
		return
	}
	x.setCookie(c)
}

// passIdentity hands the backend the user's identity, in 2.4.12.3's
// order: OIDCAuthNHeader, userinfo claims/json/jwt, id_token
// claims/payload/serialized, then the tokens — later values replace
// earlier ones of the same name.
func (rp *RelyingParty) passIdentity(x *exchange, s *session) {
	v := s.view
	if v == nil {
		v = rp.newView(nil, s)
	}
	x.res.Claims = v.merged
	x.res.Authenticated = true
	if s.view != nil {
		if id := rp.viewIdentity(x, s, v); id != nil {
			id.apply(x)
			return
		}
	}
	rp.setIdentity(x, s, v)
}

// setIdentity sets the identity values one by one (passIdentity).
func (rp *RelyingParty) setIdentity(x *exchange, s *session, v *sessionView) {
	if h := x.dir.AuthNHeader; h != "" {
		x.setHeader(h, s.RemoteUser)
	}
	if x.dir.PassHeaders {
		x.reserveHeaders(len(v.uiPairs) + len(v.idPairs) + 8)
		x.lower = v.lowerNames()
	}
	set := func(name, value string) { rp.setAppInfo(x, name, value) }
	ui := rp.userInfoToPass(x, v)
	if has(rp.s.PassUserInfoAs, "claims") && ui.pass {
		for _, p := range ui.pairs {
			set(p.Name, p.Value)
		}
	}
	if ui.pass {
		for _, w := range rp.s.PassUserInfoAs {
			// json, or current upstream's json:NAME (NAME as is, no
			// prefix; the proxy scrubs a spoofed one).
			if w == "json" {
				set("OIDC_userinfo_json", ui.json)
			} else if name, ok := strings.CutPrefix(w, "json:"); ok && name != "" {
				set(name, ui.json)
			}
		}
	}
	if has(rp.s.PassUserInfoAs, "jwt") && s.UserInfoJWT != "" && !ui.failed {
		set("OIDC_userinfo_jwt", s.UserInfoJWT)
	}
	if has(rp.s.PassIDTokenAs, "claims") {
		for _, p := range v.idPairs {
			set(p.Name, p.Value)
		}
	}
	if has(rp.s.PassIDTokenAs, "payload") && v.hasIDClaims {
		set("OIDC_id_token_payload", v.idPayload)
	}
	if has(rp.s.PassIDTokenAs, "serialized") && s.IDToken != "" {
		set("OIDC_id_token", s.IDToken)
	}
	if x.dir.PassRefreshToken && s.RefreshToken != "" {
		set("OIDC_refresh_token", s.RefreshToken)
	}
	if s.AccessToken != "" && !x.dir.HideAccessToken {
		set("OIDC_access_token", s.AccessToken)
	}
	if s.AccessTokenExpires > 0 && !x.dir.HideAccessToken {
		set("OIDC_access_token_expires", strconv.FormatInt(s.AccessTokenExpires, 10))
	}
}

// setAppInfo sets one value as a request header and/or environment
// variable per OIDCPassClaimsAs.
func (rp *RelyingParty) setAppInfo(x *exchange, name, value string) {
	value = claims.Encode(value, x.dir.PassEncoding)
	if x.dir.PassHeaders {
		x.setHeader(name, headerSafe(value))
	}
	if x.dir.PassEnv && x.q.Env != nil {
		x.q.Env[name] = value
	}
}

// setHeader replaces the request header name, compared case-insensitively
// as in Apache's tables, with one value under name's exact spelling:
// mod_proxy forwards header names as they were set. The index of the
// header's names is built once per request.
func (x *exchange) setHeader(name, value string) {
	h := x.r.Header
	if x.hdrIdx == nil {
		x.hdrIdx = x.indexes.get(len(h) + 32)
		for k := range h {
			x.hdrIdx[strings.ToLower(k)] = k
		}
	}
	lk, ok := x.lower[name]
	if !ok {
		lk = strings.ToLower(name)
	}
	if old, ok := x.hdrIdx[lk]; ok && old != name {
		delete(h, old)
	}
	h[name] = x.oneValue(value)
	x.hdrIdx[lk] = name
}

// headerSafe is the module's header value sanitising (LF becomes a
// space) plus CR, which Go cannot send in a header at all (Apache would
// forward it raw; the backend would see a broken header).
func headerSafe(v string) string {
	v = claims.HeaderValue(v)
	if strings.IndexByte(v, '\r') >= 0 {
		v = strings.ReplaceAll(v, "\r", " ")
	}
	return v
}

func has(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
