package oidc

// oidcgate's extensions of the resource server (the seed's
// "oidc-validation" filter): a token in a header of its own, validation
// of opaque tokens at the provider's userinfo endpoint, the claims (all
// or a chosen list) as one JSON header, strip-and-pass of a missing or
// invalid token, and a configurable status when enforcing. Every one is
// off unless an OIDCGate* extension directive (or OIDCPassUserInfoAs
// json:NAME) asks for it, so a configuration Apache + mod_auth_openidc
// accepts behaves exactly as there.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/oidcgate/oidcgate/oidc/claims"
)

// ValidateUserInfo is RSSettings.ValidateWith for validation at the
// provider's userinfo endpoint (OIDCGateOAuthValidateWith userinfo).
const ValidateUserInfo = "userinfo"

// tokenFromHeader reads OIDCGateOAuthTokenHeader's header: the raw token,
// or "Bearer <token>" (scheme compared case-insensitively).
func tokenFromHeader(h http.Header, name string) (string, bool) {
	vals := h.Values(name)
	if len(vals) == 0 {
		return "", false
	}
	v := strings.Trim(strings.Join(vals, ", "), " \t")
	if scheme, rest, ok := strings.Cut(v, " "); ok && strings.EqualFold(scheme, "Bearer") {
		v = strings.TrimLeft(rest, " \t")
	}
	if v == "" {
		return "", false
	}
	return v, true
}

// StripToken removes a bearer token from every place a accepts one: the
// OIDCGateOAuthTokenHeader header, a Bearer (or, with basic, Basic)
// Authorization header, the access_token query parameter and the token
// cookie (a form body has lost its access_token already when it was
// read). The request then goes on as if it never carried one.
func StripToken(r *http.Request, a AcceptTokenAs) {
	if a.HeaderName != "" {
		r.Header.Del(a.HeaderName)
	}
	if a.header() || a.Basic {
		line := strings.Join(r.Header.Values("Authorization"), ", ")
		scheme, _, _ := strings.Cut(line, " ")
		if a.header() && strings.EqualFold(scheme, "Bearer") || a.Basic && strings.EqualFold(scheme, "Basic") {
			r.Header.Del("Authorization")
		}
	}
	if a.Query && r.URL != nil && r.URL.RawQuery != "" {
		r.URL.RawQuery = withoutParam(r.URL.RawQuery, "access_token")
		if path, _, ok := strings.Cut(r.RequestURI, "?"); ok {
			r.RequestURI = path
			if r.URL.RawQuery != "" {
				r.RequestURI += "?" + r.URL.RawQuery
			}
		}
	}
	if a.Cookie {
		removeCookie(r.Header, a.CookieName)
	}
}

// withoutParam returns a query without the parameters named name, the
// others byte for byte in order.
func withoutParam(raw, name string) string {
	var kept []string
	for _, kv := range strings.Split(raw, "&") {
		k, _, _ := strings.Cut(kv, "=")
		if uk, err := url.QueryUnescape(k); err == nil && uk == name {
			continue
		}
		if kv != "" {
			kept = append(kept, kv)
		}
	}
	return strings.Join(kept, "&")
}

// removeCookie drops the cookie name from the Cookie header(s).
func removeCookie(h http.Header, name string) {
	lines := h.Values("Cookie")
	if len(lines) == 0 {
		return
	}
	var keep []string
	for _, line := range lines {
		for _, part := range strings.Split(line, ";") {
			part = strings.TrimLeft(part, " ")
			if strings.TrimSpace(part) == "" {
				continue
			}
			n, _, _ := strings.Cut(part, "=")
			if n == name {
				continue
			}
			keep = append(keep, part)
		}
	}
	h.Del("Cookie")
	if len(keep) > 0 {
		h.Set("Cookie", strings.Join(keep, "; "))
	}
}

// passUnauthenticated is OIDCGateOAuthUnAuthAction pass: the token is
// stripped, spoofed identity headers are removed and the request goes on
// without a user (r->user = "", as OIDCUnAuthAction pass does for the
// relying party).
func (rs *ResourceServer) passUnauthenticated(x *exchange, d *RSDir) Result {
	StripToken(x.r, d.Accept)
	rs.scrub(x)
	x.res.HasUser, x.res.User, x.res.Pass, x.res.Authenticated = true, "", true, false
	x.res.Claims = claims.Claims{}
	return x.res
}

// sameHeader compares header names as Apache's scrubbing does: case
// insensitively, '-' and '_' alike.
func sameHeader(a, b string) bool {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "_", "-") }
	return norm(a) == norm(b)
}

// userInfoJSON is the value of the OIDCPassUserInfoAs json:NAME header
// for the resource server: the claims as compact JSON, only
// OIDCGateOAuthPassClaims' (in that order, absent ones left out) when
// set, then encoded per OIDCGateOAuthPassClaimsEncoding.
func (rs *ResourceServer) userInfoJSON(c claims.Claims) string {
	var b []byte
	if len(rs.s.PassClaims) == 0 {
		b = c.JSON()
	} else {
		b = append(b, '{')
		n := 0
		for _, name := range rs.s.PassClaims {
			raw, ok := c.Get(name)
			if !ok {
				continue
			}
			if n > 0 {
				b = append(b, ',')
			}
			k, _ := json.Marshal(name)
			b = append(b, k...)
			b = append(b, ':')
			b = append(b, compactJSON(raw)...)
			n++
		}
		b = append(b, '}')
	}
	return claims.Encode(string(b), rs.s.PassClaimsEncoding)
}

func compactJSON(raw []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return raw
	}
	return buf.Bytes()
}

// userInfoEndpoint is the provider's userinfo endpoint: the static
// setting, else userinfo_endpoint of OIDCGateOAuthProviderMetadataURL's
// discovery document (kept MetadataRefresh, a failure remembered 10 s).
func (rs *ResourceServer) userInfoEndpoint(ctx context.Context) (string, error) {
	if rs.s.UserInfoEndpoint != "" {
		return rs.s.UserInfoEndpoint, nil
	}
	if rs.s.ProviderMetadataURL == "" {
		return "", errors.New("userinfo validation needs OIDCGateOAuthProviderMetadataURL")
	}
	refresh := rs.s.MetadataRefresh
	if refresh <= 0 {
		refresh = 24 * time.Hour
	}
	now := rs.now()
	rs.mu.Lock()
	ep, at, failed := rs.uiEndpoint, rs.uiAt, rs.uiFailed
	rs.mu.Unlock()
	if ep != "" && now.Sub(at) < refresh {
		return ep, nil
	}
	if now.Sub(failed) < metadataRetry {
		if ep != "" {
			return ep, nil
		}
		return "", errors.New("provider metadata could not be retrieved")
	}
	got, err := rs.fetchUserInfoEndpoint(ctx)
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if err != nil {
		rs.log.Error("could not retrieve metadata from url: "+rs.s.ProviderMetadataURL, "err", err)
		rs.uiFailed = now
		if rs.uiEndpoint != "" {
			return rs.uiEndpoint, nil
		}
		return "", err
	}
	rs.uiEndpoint, rs.uiAt = got, now
	return got, nil
}

func (rs *ResourceServer) fetchUserInfoEndpoint(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rs.s.ProviderMetadataURL, nil)
	if err != nil {
		return "", err
	}
	resp, err := rs.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	var md struct {
		UserInfo string `json:"userinfo_endpoint"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &md) != nil {
		return "", fmt.Errorf("discovery document: status %d or not JSON", resp.StatusCode)
	}
	if u, err := url.Parse(md.UserInfo); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", errors.New("discovery document has no usable userinfo_endpoint")
	}
	return md.UserInfo, nil
}

// validateUserInfo validates an (opaque or JWT) access token by calling
// the userinfo endpoint with it: a 200 answer holding a JSON object means
// valid, and that object is the claims. Results are cached by the
// token's SHA-256 like introspection results
// (OIDCOAuthTokenIntrospectionInterval: 0 caches 60 s, N>0 N seconds, -1
// not at all).
func (rs *ResourceServer) validateUserInfo(ctx context.Context, tok string, interval int) (claims.Claims, error) {
	if c, ok := rs.cached(ctx, tok, interval); ok {
		return c, nil
	}
	ep, err := rs.userInfoEndpoint(ctx)
	if err != nil {
		return claims.Claims{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ep, nil)
	if err != nil {
		return claims.Claims{}, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	resp, err := rs.client.Do(req)
	if err != nil {
		return claims.Claims{}, fmt.Errorf("could not get a response from the userinfo endpoint: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return claims.Claims{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return claims.Claims{}, fmt.Errorf("userinfo endpoint answered %d", resp.StatusCode)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return claims.Claims{}, errors.New("userinfo response is not a JSON object")
	}
	if e, ok := top["error"]; ok {
		return claims.Claims{}, fmt.Errorf("userinfo response contains an error: %s", e)
	}
	c, err := claims.Parse(body)
	if err != nil {
		return claims.Claims{}, err
	}
	now := rs.now()
	var until time.Time
	if interval > 0 {
		until = now.Add(time.Duration(interval) * time.Second)
	}
	rs.store_(ctx, tok, body, c, until, interval, now)
	return c, nil
}
