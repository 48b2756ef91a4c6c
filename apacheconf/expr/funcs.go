package expr

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// call applies a string function to its evaluated argument.
func (c *evalCtx) call(name, arg string) string {
	switch name {
	case "req":
		if c.trackVary && !strings.EqualFold(arg, "Host") {
			c.vary = append(c.vary, arg)
		}
		return c.v.Header(arg)
	case "req_novary":
		return c.v.Header(arg)
	case "resp":
		return c.v.ResponseHeader(arg)
	case "reqenv":
		s, _ := c.v.Env(arg)
		return s
	case "note":
		s, _ := c.v.Note(arg)
		return s
	case "osenv":
		s, _ := c.v.OSEnv(arg)
		return s
	case "env":
		// Apache's order (kept for ssl_expr compatibility): notes, the
		// request environment, then the process environment.
		if s, ok := c.v.Note(arg); ok {
			return s
		}
		if s, ok := c.v.Env(arg); ok {
			return s
		}
		s, _ := c.v.OSEnv(arg)
		return s
	case "tolower":
		return asciiMap(arg, 'A', 'Z', 'a'-'A')
	case "toupper":
		return asciiMap(arg, 'a', 'z', 'A'-'a')
	case "escape":
		return escapePath(arg)
	case "unescape":
		return unescapeURL(arg)
	case "base64":
		return base64.StdEncoding.EncodeToString([]byte(arg))
	case "unbase64":
		return unbase64(arg)
	case "sha1":
		h := sha1.Sum([]byte(arg))
		return hex.EncodeToString(h[:])
	case "md5":
		h := md5.Sum([]byte(arg))
		return hex.EncodeToString(h[:])
	}
	return ""
}

func asciiMap(s string, lo, hi byte, delta int) string {
	b := []byte(s)
	for i, c := range b {
		if c >= lo && c <= hi {
			b[i] = byte(int(c) + delta)
		}
	}
	return string(b)
}

// escapePath is ap_escape_uri: every byte but letters, digits and
// $-_.+!*'(),:;@&=/~ becomes %xx (lower-case hex).
func escapePath(s string) string {
	const keep = "$-_.+!*'(),:;@&=/~"
	const hexd = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	return b.String()
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// unescapeURL is ap_unescape_url_keep2f(s, 0): %xx decoded except %2F,
// which stays encoded; a bad escape or an encoded NUL gives "".
func unescapeURL(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return ""
		}
		h, ok1 := unhex(s[i+1])
		l, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return ""
		}
		d := h<<4 | l
		switch d {
		case 0:
			return ""
		case '/':
			b.WriteString(s[i : i+3])
		default:
			b.WriteByte(d)
		}
		i += 2
	}
	return b.String()
}

// unbase64 decodes as apr_base64_decode does: the leading run of base64
// alphabet characters (padding and anything after ends it), leftover
// bits ignored; the result ends at a decoded NUL, as a C string does.
func unbase64(s string) string {
	n := 0
	for n < len(s) && strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", s[n]) >= 0 {
		n++
	}
	in := s[:n]
	if n%4 == 1 {
		in = in[:n-1]
	}
	out, err := base64.RawStdEncoding.Strict().DecodeString(in)
	if err != nil {
		// Non-zero trailing bits: decode leniently.
		out, _ = base64.RawStdEncoding.DecodeString(in)
	}
	if i := strings.IndexByte(string(out), 0); i >= 0 {
		out = out[:i]
	}
	return string(out)
}

// fnmatch is apr_fnmatch: '*', '?', [...] classes (with ! or ^ negation
// and ranges) and backslash escapes. With pathname, wildcards do not
// match '/'; with fold, letters match either case.
func fnmatch(pattern, s string, pathname, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	return fnm(pattern, s, pathname, 0)
}

// fnmMaxStars bounds the backtracking on hostile patterns.
const fnmMaxStars = 64

func fnm(p, s string, pathname bool, stars int) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			if len(p) == 0 {
				return !pathname || strings.IndexByte(s, '/') < 0
			}
			if stars >= fnmMaxStars {
				return false
			}
			for i := 0; i <= len(s); i++ {
				if fnm(p, s[i:], pathname, stars+1) {
					return true
				}
				if i < len(s) && pathname && s[i] == '/' {
					return false
				}
			}
			return false
		case '?':
			if len(s) == 0 || pathname && s[0] == '/' {
				return false
			}
			p, s = p[1:], s[1:]
		case '[':
			if len(s) == 0 || pathname && s[0] == '/' {
				return false
			}
			ok, rest, valid := matchClass(p, s[0])
			if !valid {
				// An unclosed '[' is an ordinary character.
				if s[0] != '[' {
					return false
				}
				p, s = p[1:], s[1:]
				continue
			}
			if !ok {
				return false
			}
			p, s = rest, s[1:]
		case '\\':
			if len(p) > 1 {
				p = p[1:]
			}
			fallthrough
		default:
			if len(s) == 0 || s[0] != p[0] {
				return false
			}
			p, s = p[1:], s[1:]
		}
	}
	return len(s) == 0
}

// matchClass matches c against the bracket expression at the start of p
// and returns the pattern after it; valid is false when p has no closing
// bracket.
func matchClass(p string, c byte) (ok bool, rest string, valid bool) {
	i := 1
	neg := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		neg = true
		i++
	}
	first := true
	for i < len(p) {
		if p[i] == ']' && !first {
			return ok != neg, p[i+1:], true
		}
		first = false
		lo := p[i]
		if lo == '\\' && i+1 < len(p) {
			i++
			lo = p[i]
		}
		i++
		hi := lo
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			hi = p[i+1]
			if hi == '\\' && i+2 < len(p) {
				hi = p[i+2]
				i++
			}
			i += 2
		}
		if lo <= c && c <= hi {
			ok = true
		}
	}
	return false, "", false
}
