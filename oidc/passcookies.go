package oidc

import (
	"context"
	"net/http"
	"strings"
)

// OIDCPassCookies (2.4.12.3, per directory): the named cookies of the
// browser's request go along, as one Cookie header, on every call the
// module makes to the provider while serving that request — discovery,
// token, userinfo, refresh and revocation (oidc_util_http_call sets
// CURLOPT_COOKIE). Names are taken in the configured order, each with the
// value of its first occurrence in the request, joined with "; "; names
// the request does not carry are left out, and with none no Cookie header
// is sent. Key-set (JWKS) downloads happen outside any request here and
// carry none.

type passCookiesKey struct{}

// withPassCookies returns ctx carrying the Cookie header that calls to
// the provider made for this request send.
func withPassCookies(ctx context.Context, h http.Header, names []string) context.Context {
	if v := passCookies(h, names); v != "" {
		return context.WithValue(ctx, passCookiesKey{}, v)
	}
	return ctx
}

// passCookies is the Cookie header OIDCPassCookies names make of the
// request's cookies ("" when none is present).
func passCookies(h http.Header, names []string) string {
	var parts []string
	for _, n := range names {
		if v, ok := getCookie(h, n); ok {
			parts = append(parts, n+"="+v)
		}
	}
	return strings.Join(parts, "; ")
}

// cookieTransport adds the request's pass-through cookies (see
// withPassCookies) to calls to the provider.
type cookieTransport struct{ base http.RoundTripper }

func (t cookieTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	v, _ := r.Context().Value(passCookiesKey{}).(string)
	if v == "" {
		return t.base.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	r.Header.Set("Cookie", v)
	return t.base.RoundTrip(r)
}

// passCookiesClient is a copy of c whose calls carry the pass-through
// cookies of the request they are made for.
func passCookiesClient(c *http.Client) *http.Client {
	cc := *c
	cc.Transport = cookieTransport{c.Transport}
	return &cc
}
