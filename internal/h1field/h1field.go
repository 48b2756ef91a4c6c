// Package h1field holds the rules for the header fields of an HTTP/1.1
// request the proxy writes itself: which names and values net/http's
// client would send (and the errors it gives for the others), and how a
// value is trimmed on the wire.
package h1field

import (
	"fmt"
	"strings"
)

// CheckName returns net/http's error for a field name its client refuses
// (empty, or not an RFC 9110 token), or nil.
func CheckName(k string) error {
	if k == "" {
		return fmt.Errorf("net/http: invalid header field name %q", k)
	}
	for i := 0; i < len(k); i++ {
		if bytes[k[i]]&tokenByte == 0 {
			return fmt.Errorf("net/http: invalid header field name %q", k)
		}
	}
	return nil
}

// CheckValue returns net/http's error for a value of field k its client
// refuses (a control character other than tab), or nil.
func CheckValue(k, v string) error {
	for i := 0; i < len(v); i++ {
		if bytes[v[i]]&valueByte == 0 {
			return fmt.Errorf("net/http: invalid header field value for %q", k)
		}
	}
	return nil
}

// TrimOWS is textproto.TrimString: leading and trailing spaces and tabs
// (and CR/LF, which CheckValue refuses) go, as (*http.Request).Write
// trims values.
func TrimOWS(s string) string {
	for len(s) > 0 && isOWS(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isOWS(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isOWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// AppendLine appends the field line "k: v\r\n" with v trimmed.
func AppendLine(b []byte, k, v string) []byte {
	b = append(b, k...)
	b = append(b, ": "...)
	b = append(b, TrimOWS(v)...)
	return append(b, "\r\n"...)
}

const (
	tokenByte = 1 << iota // RFC 9110's tchar
	valueByte             // allowed in a field value: not a control character but tab
)

// bytes classifies each byte for CheckName and CheckValue.
var bytes = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		if (c >= ' ' || c == '\t') && c != 0x7f {
			t[c] |= valueByte
		}
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", byte(c)) >= 0 {
			t[c] |= tokenByte
		}
	}
	return t
}()
