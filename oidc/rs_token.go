package oidc

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// AcceptTokenAs is OIDCOAuthAcceptTokenAs: where a bearer token may come
// from. The zero value is the module's default (header only).
type AcceptTokenAs struct {
	Header, Post, Query, Cookie, Basic bool
	// CookieName is cookie:<name>'s name ("PA.global" by default).
	CookieName string
	// HeaderName is OIDCGateOAuthTokenHeader: a header holding the raw
	// token or "Bearer <token>", looked at before every other place.
	HeaderName string
}

// DefaultTokenCookie is the cookie OIDCOAuthAcceptTokenAs cookie reads
// when no name is given (OIDC_OAUTH_ACCEPT_TOKEN_IN_COOKIE_NAME_DEFAULT).
const DefaultTokenCookie = "PA.global"

// ParseAcceptTokenAs reads OIDCOAuthAcceptTokenAs' words (header, post,
// query, cookie[:name], basic) as 2.4.12.3's
// oidc_parse_accept_oauth_token_in does; the cookie name of the last
// cookie word wins.
func ParseAcceptTokenAs(words []string) (AcceptTokenAs, error) {
	var a AcceptTokenAs
	for _, w := range words {
		name, opt, hasOpt := strings.Cut(w, ":")
		switch name {
		case "header":
			a.Header = true
		case "post":
			a.Post = true
		case "query":
			a.Query = true
		case "cookie":
			a.Cookie = true
			a.CookieName = DefaultTokenCookie
			if hasOpt {
				a.CookieName = opt
			}
		case "basic":
			a.Basic = true
		default:
			return a, errors.New("invalid value \"" + name + "\": must be one of header, post, query, cookie, basic")
		}
	}
	return a, nil
}

// header reports whether the Authorization: Bearer scheme is accepted
// (explicitly, or as the default when nothing is configured).
func (a AcceptTokenAs) header() bool {
	return a.Header || !(a.Post || a.Query || a.Cookie || a.Basic)
}

// onlyBasic: OIDCOAuthAcceptTokenAs is exactly "basic", which makes the
// WWW-Authenticate scheme Basic.
func (a AcceptTokenAs) onlyBasic() bool {
	return a.Basic && !a.Header && !a.Post && !a.Query && !a.Cookie
}

// Errors of token extraction.
var (
	// ErrDuplicateToken: access_token appears more than once in the
	// query or the form body (refused, as current upstream does).
	ErrDuplicateToken = errors.New("more than one access_token parameter")
	// ErrTokenTooLarge: the token is longer than MaxTokenSize.
	ErrTokenTooLarge = errors.New("access token too large")
)

// MaxTokenSize bounds the accepted bearer token (16 KiB): longer tokens
// are refused before any parsing or introspection call.
const MaxTokenSize = 16 << 10

// maxFormBody bounds the form body read to look for access_token; a
// larger body is passed on untouched and carries no token.
const maxFormBody = 1 << 20

// ExtractToken finds the bearer token as oidc_oauth_get_bearer_token
// does, in its order: the Authorization header (Bearer, or Basic's
// password), then a POST form body (the parameter is removed from the
// body the backend gets), then the query, then the cookie. The first place
// that yields a token wins; found is false when there is none ("Bearer"
// with nothing after it is an empty token found). As in current upstream,
// a place with a duplicated access_token yields nothing and the next place
// is tried; err is then ErrDuplicateToken when no place yielded a token.
// A token over MaxTokenSize is found with ErrTokenTooLarge.
func ExtractToken(r *http.Request, a AcceptTokenAs) (token string, found bool, err error) {
	tok, ok := "", false
	var dup error
	if a.HeaderName != "" {
		tok, ok = tokenFromHeader(r.Header, a.HeaderName)
	}
	if !ok && (a.header() || a.Basic) {
		// Apache joins repeated headers with ", ".
		tok, ok = tokenFromAuthorization(strings.Join(r.Header.Values("Authorization"), ", "), a.header(), a.Basic)
	}
	if !ok && a.Post && r.Method == http.MethodPost {
		var derr error
		if tok, ok, derr = tokenFromBody(r); derr != nil {
			dup = derr
		}
	}
	if !ok && a.Query {
		var derr error
		if tok, ok, derr = singleParam(r.URL.RawQuery); derr != nil {
			dup = derr
		}
	}
	if !ok && a.Cookie {
		tok, ok = getCookie(r.Header, a.CookieName)
	}
	if !ok {
		return "", false, dup
	}
	if len(tok) > MaxTokenSize {
		return "", true, ErrTokenTooLarge
	}
	return tok, true, nil
}

// tokenFromAuthorization reads "Bearer <token>" (scheme compared
// case-insensitively, spaces after it skipped) or, with basic, the
// password of "Basic base64(user:password)" (current upstream checks the
// scheme; 2.4.12.3 decoded any other scheme as Basic credentials).
func tokenFromAuthorization(line string, bearer, basic bool) (string, bool) {
	if line == "" {
		return "", false
	}
	scheme, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimLeft(rest, " ")
	if bearer && strings.EqualFold(scheme, "Bearer") {
		rest = strings.TrimLeft(rest, " \t\v\f\r\n")
		return rest, true
	}
	if basic && strings.EqualFold(scheme, "Basic") {
		dec, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			dec, err = base64.RawStdEncoding.DecodeString(rest)
		}
		if err == nil {
			if _, pw, ok := strings.Cut(string(dec), ":"); ok {
				return pw, true
			}
		}
	}
	return "", false
}

// singleParam returns the value of the one access_token parameter of a
// form-encoded string; more than one is an error.
func singleParam(raw string) (string, bool, error) {
	var val string
	found := false
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(kv, "=")
		if k, err := url.QueryUnescape(k); err != nil || k != "access_token" {
			continue
		}
		if found {
			return "", false, ErrDuplicateToken
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			continue
		}
		val, found = dv, true
	}
	return val, found, nil
}

// tokenFromBody reads access_token from an application/x-www-form-urlencoded
// POST body and gives the backend the body without it (the other
// parameters byte for byte, in order).
func tokenFromBody(r *http.Request) (string, bool, error) {
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/x-www-form-urlencoded") || r.Body == nil || r.Body == http.NoBody {
		return "", false, nil
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxFormBody+1))
	if err != nil || len(data) > maxFormBody {
		// Too large (or unreadable): put back what was read, no token.
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(data), r.Body), r.Body}
		return "", false, nil
	}
	_ = r.Body.Close()
	tok, ok, derr := singleParam(string(data))
	if derr != nil || !ok {
		setBody(r, data)
		return "", false, derr
	}
	var kept []string
	for _, kv := range strings.Split(string(data), "&") {
		k, _, _ := strings.Cut(kv, "=")
		if uk, err := url.QueryUnescape(k); err == nil && uk == "access_token" {
			continue
		}
		if kv != "" {
			kept = append(kept, kv)
		}
	}
	setBody(r, []byte(strings.Join(kept, "&")))
	return tok, true, nil
}

func setBody(r *http.Request, b []byte) {
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.ContentLength = int64(len(b))
	r.Header.Del("Transfer-Encoding")
	r.TransferEncoding = nil
	r.Header.Set("Content-Length", strconv.Itoa(len(b)))
}
