package oidc

import (
	"net/url"
	"strings"
)

// Request parameters are read as mod_auth_openidc reads them, not as
// net/url does: pairs are split on "&" only (url.ParseQuery drops every
// pair that contains ";"), "+" is a space, and a "%" not followed by two
// hex digits stays as written (curl_easy_unescape) instead of failing.

// moduleUnescape decodes one query or form value as
// oidc_util_unescape_string does.
func moduleUnescape(s string) string {
	if !strings.ContainsAny(s, "+%") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// parseParams reads a query string or an application/x-www-form-urlencoded
// body into url.Values the module's way (oidc_util_read_form_encoded_params):
// every "&"-separated pair, the key up to the first "=", both decoded by
// moduleUnescape; empty pieces are skipped. Values keep their order, so a
// caller can still see duplicates.
func parseParams(s string) url.Values {
	v := url.Values{}
	for _, kv := range strings.Split(s, "&") {
		if kv == "" {
			continue
		}
		k, val, _ := strings.Cut(kv, "=")
		v[moduleUnescape(k)] = append(v[moduleUnescape(k)], moduleUnescape(val))
	}
	return v
}

// requestParam is oidc_util_get_request_parameter: the last "name=" pair
// of the raw query wins, its value decoded by moduleUnescape; ok is false
// when there is none.
func requestParam(rawQuery, name string) (string, bool) {
	v, found := "", false
	for _, kv := range strings.Split(rawQuery, "&") {
		if s, ok := strings.CutPrefix(kv, name+"="); ok {
			v, found = s, true
		}
	}
	if !found {
		return "", false
	}
	return moduleUnescape(v), true
}
