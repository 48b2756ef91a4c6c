package proxy

import (
	"errors"
	"strings"
)

// EncodedSlashes is Apache's AllowEncodedSlashes setting.
type EncodedSlashes uint8

const (
	// SlashesOff rejects a path containing %2F with 404 (Apache's default).
	SlashesOff EncodedSlashes = iota
	// SlashesOn decodes %2F to '/'.
	SlashesOn
	// SlashesNoDecode keeps %2F encoded in the decoded path.
	SlashesNoDecode
)

// NormalizeOptions are the settings that change how a path is normalised.
type NormalizeOptions struct {
	// MergeSlashes is Apache's MergeSlashes (default On): runs of '/'
	// become one.
	MergeSlashes   bool
	EncodedSlashes EncodedSlashes
}

// Errors of path normalisation; each maps to the status Apache answers.
var (
	// ErrBadPath: not an absolute path, a raw control character or space,
	// a bad %-escape, an encoded NUL, or ".." above the root (400).
	ErrBadPath = errors.New("bad request path")
	// ErrEncodedSlash: %2F with AllowEncodedSlashes Off (404).
	ErrEncodedSlash = errors.New("encoded slash in path")
)

// Status returns the HTTP status Apache answers for a normalisation error.
func Status(err error) int {
	if errors.Is(err, ErrEncodedSlash) {
		return 404
	}
	return 400
}

// NormalizePath turns a request's raw path (as on the request line, without
// the query) into Apache's r->uri: %XX of unreserved characters decoded,
// dot segments removed (".." may not climb above "/"), slashes merged when
// MergeSlashes is on, then every other %XX decoded, %2F handled per
// AllowEncodedSlashes.
func NormalizePath(raw string, opts NormalizeOptions) (string, error) {
	if !strings.HasPrefix(raw, "/") {
		return "", ErrBadPath
	}
	// Step 1: decode unreserved characters so that %2e%2e is a dot segment.
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c <= ' ' || c == 0x7f {
			// HttpProtocolOptions Strict: controls and spaces are not
			// allowed in the request target.
			return "", ErrBadPath
		}
		if c == '%' {
			if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
				return "", ErrBadPath
			}
			d := unhex(raw[i+1])<<4 | unhex(raw[i+2])
			if isUnreserved(d) {
				b.WriteByte(d)
			} else {
				b.WriteByte('%')
				b.WriteByte(upperHex(raw[i+1]))
				b.WriteByte(upperHex(raw[i+2]))
			}
			i += 2
			continue
		}
		b.WriteByte(c)
	}
	p, err := removeDotSegments(b.String(), opts.MergeSlashes, false)
	if err != nil {
		return "", ErrBadPath
	}
	// Step 2: decode the rest.
	b.Reset()
	decodedSlash := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		d := unhex(p[i+1])<<4 | unhex(p[i+2])
		switch {
		case d == 0:
			return "", ErrBadPath
		case d == '/':
			switch opts.EncodedSlashes {
			case SlashesOff:
				return "", ErrEncodedSlash
			case SlashesNoDecode:
				b.WriteString("%2F")
			default:
				b.WriteByte('/')
				decodedSlash = true
			}
		default:
			b.WriteByte(d)
		}
		i += 2
	}
	if decodedSlash {
		// AllowEncodedSlashes On: a decoded %2F may have made new "//",
		// "/./" or "/../" segments ("/x/..%2F..%2Fetc"); Apache normalises
		// again, a ".." at the root now simply dropped.
		return removeDotSegments(b.String(), opts.MergeSlashes, true)
	}
	return b.String(), nil
}

// removeDotSegments resolves "." and ".." segments of an absolute path and
// optionally merges slashes. A ".." that would climb above the root is
// ErrBadPath, or with clamp dropped.
func removeDotSegments(p string, merge, clamp bool) (string, error) {
	segs := strings.Split(p[1:], "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			// Pop the previous real segment; with merging off, empty
			// segments count as segments, as in Apache.
			if len(out) == 0 && !clamp {
				return "", ErrBadPath
			}
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		case "":
			if merge && !last {
				continue
			}
			out = append(out, s)
		default:
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/"), nil
}

// CanonPath re-encodes a decoded path the way mod_proxy builds the backend
// request line (ap_proxy_canonenc for paths): every byte outside
// A–Z a–z 0–9 ~ $ - _ . + ! * ' ( ) , ; : @ & = and '/' becomes %XX with
// upper-case hex. With keep2F (AllowEncodedSlashes NoDecode, where the
// decoded path still holds "%2F") a "%2F" stays as is, as Apache does.
func CanonPath(p string, keep2F bool) string {
	var b strings.Builder
	b.Grow(len(p) + 8)
	for i := 0; i < len(p); i++ {
		c := p[i]
		if keep2F && c == '%' && i+2 < len(p) && p[i+1] == '2' && (p[i+2] == 'F' || p[i+2] == 'f') {
			b.WriteString("%2F")
			i += 2
			continue
		}
		if isPathSafe(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

const hexDigits = "0123456789ABCDEF"

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

func upperHex(c byte) byte {
	if c >= 'a' && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}

func isUnreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

func isPathSafe(c byte) bool {
	if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '/' {
		return true
	}
	return strings.IndexByte("~$-_.+!*'(),;:@&=", c) >= 0
}

// LenientPath is the path Apache keeps in r->uri even for a request it
// refuses (what %U logs), built in Apache's order: %XX of unreserved
// characters decoded, dot segments resolved with ".." stopping at the
// root, slashes merged, then every other %XX decoded ("/d/..%2fx" logs
// "/d/../x").
func LenientPath(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		if raw[i] == '%' && i+2 < len(raw) && isHex(raw[i+1]) && isHex(raw[i+2]) {
			if d := unhex(raw[i+1])<<4 | unhex(raw[i+2]); isUnreserved(d) {
				b.WriteByte(d)
				i += 2
				continue
			}
		}
		b.WriteByte(raw[i])
	}
	p := b.String()
	if strings.HasPrefix(p, "/") {
		p = lenientDots(p)
	}
	b.Reset()
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			b.WriteByte(unhex(p[i+1])<<4 | unhex(p[i+2]))
			i += 2
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// lenientDots resolves dot segments of an absolute path, ".." stopping at
// the root, and merges slashes.
func lenientDots(p string) string {
	segs := strings.Split(p[1:], "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		case "":
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/")
}
