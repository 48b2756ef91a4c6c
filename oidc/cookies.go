package oidc

import (
	"net/http"
	"strconv"
	"strings"
)

// cookieEpoch is what an Expires of 0 renders as: the deletion date.
const cookieEpoch = "Thu, 01 Jan 1970 00:00:00 GMT"

// cookie is one Set-Cookie the module would send.
type cookie struct {
	name, value string
	// expires is an RFC 1123 date, "" for a browser-session cookie.
	expires string
	// sameSite is "Lax", "Strict", "None" or "".
	sameSite string
}

// cookieWriter formats cookies as oidc_util_set_cookie does: name=value;
// Path; Expires; Domain; Secure; HttpOnly; SameSite — in that order.
type cookieWriter struct {
	path     string
	domain   string
	secure   bool
	httpOnly bool
	// appendValue is OIDC_SET_COOKIE_APPEND from the request environment;
	// it replaces the SameSite suffix when set.
	appendValue string
}

func (cw cookieWriter) format(c cookie) string {
	var b strings.Builder
	b.WriteString(c.name)
	b.WriteByte('=')
	b.WriteString(c.value)
	b.WriteString("; Path=")
	b.WriteString(cw.path)
	expires := c.expires
	if c.value == "" {
		expires = cookieEpoch
	}
	if expires != "" {
		b.WriteString("; Expires=")
		b.WriteString(expires)
	}
	if cw.domain != "" {
		b.WriteString("; Domain=")
		b.WriteString(cw.domain)
	}
	if cw.secure {
		b.WriteString("; Secure")
	}
	if cw.httpOnly {
		b.WriteString("; HttpOnly")
	}
	switch {
	case cw.appendValue != "":
		b.WriteString("; ")
		b.WriteString(cw.appendValue)
	case c.sameSite != "":
		b.WriteString("; SameSite=")
		b.WriteString(c.sameSite)
	}
	return b.String()
}

// sameSiteNone is the suffix the module uses for deletions and with
// OIDCCookieSameSite Off: "None", and only over https.
func (cw cookieWriter) sameSiteNone() string {
	if cw.secure {
		return "None"
	}
	return ""
}

// requestCookies lists the request's cookies in order as the module reads
// them: the Cookie header split on ";", leading spaces dropped, name up to
// the first "=".
func requestCookies(h http.Header) [][2]string {
	var out [][2]string
	for _, line := range h.Values("Cookie") {
		for _, part := range strings.Split(line, ";") {
			part = strings.TrimLeft(part, " ")
			name, value, ok := strings.Cut(part, "=")
			if !ok {
				continue
			}
			out = append(out, [2]string{name, value})
		}
	}
	return out
}

// getCookie returns the first cookie called name.
func getCookie(h http.Header, name string) (string, bool) {
	for _, c := range requestCookies(h) {
		if c[0] == name {
			return c[1], true
		}
	}
	return "", false
}

// cookieDirPath is the request path up to and including its last "/",
// the module's default cookie path.
func cookieDirPath(path string) string {
	if path == "" {
		return "/"
	}
	i := strings.LastIndexByte(path, '/')
	if i <= 0 {
		return path[:1]
	}
	return path[:i+1]
}

// maxCookieSize is the module's OIDC_COOKIE_MAX_SIZE: a Set-Cookie value
// (attributes included) longer than this gets a warning in the error log.
const maxCookieSize = 4093

// cookieSizeWarning is the module's warning (oidc_util_set_cookie) for a
// Set-Cookie value of n bytes.
func cookieSizeWarning(n int) string {
	return "the length of the cookie value (" + strconv.Itoa(n) + ") is greater than 4093(!) bytes, this may not work with all browsers/server combinations: consider switching to a server side caching!"
}
