package claims

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Defaults of 2.4.12.3 (src/config.c).
const (
	// DefaultPrefix is OIDCClaimPrefix's default (OIDC_DEFAULT_CLAIM_PREFIX).
	DefaultPrefix = "OIDC_CLAIM_"
	// DefaultDelimiter is OIDCClaimDelimiter's default
	// (OIDC_DEFAULT_CLAIM_DELIMITER).
	DefaultDelimiter = ","
	// DefaultRemoteUserClaim is OIDCRemoteUserClaim's default
	// (OIDC_DEFAULT_CLAIM_REMOTE_USER).
	DefaultRemoteUserClaim = "sub@"
)

// Pair is one header or environment variable that 2.4.12.3 sets for the
// backend: Name is the full name (prefix included), Value the raw rendered
// value before any encoding or header sanitising.
type Pair struct{ Name, Value string }

// HeaderName returns the header (and environment variable) name under which
// 2.4.12.3 passes a claim: prefix followed by the claim name in which every
// byte that is not an RFC 2616 token character is replaced by '-'
// (oidc_normalize_header_name). The prefix is used as configured, without
// normalisation.
//
// The replaced bytes are the CTLs 0-31 and 127, the separators
// ()<>@,;:\"/[]?={} space and tab, and — because the module tests
// "c < 32" on a signed char, as char is on amd64 — every byte >= 0x80, so a
// non-ASCII claim name gets one '-' per UTF-8 byte ("né" → "n--").
func HeaderName(prefix, claim string) string {
	b := make([]byte, 0, len(prefix)+len(claim))
	b = append(b, prefix...)
	for i := 0; i < len(claim); i++ {
		c := claim[i]
		if c < 32 || c >= 127 || strings.IndexByte("()<>@,;:\\\"/[]?={} \t", c) >= 0 {
			c = '-'
		}
		b = append(b, c)
	}
	return string(b)
}

// Render returns the pairs 2.4.12.3's oidc_util_set_app_infos sets for a
// claims object, in claim order. Values by JSON kind:
//
//   - string: as is (may contain any byte but NUL, including CR and LF);
//   - true/false: "1"/"0";
//   - integer: decimal ("%ld");
//   - real: apr_psprintf("%lf"), APR's own conversion with six decimals
//     ("1.500000", "0.000000" for 1e-7, "0.000000" for -0.0, 79 zeros for
//     1e300; see aprfmt.go);
//   - object: json_dumps(value, 0) — see [Claims.JSONSpaced];
//   - array: the string elements as is and the boolean elements as "1"/"0"
//     joined with delim, nothing escaped; numbers, nulls, objects and nested
//     arrays are skipped (the module logs a warning). The delimiter is put
//     in front of an element only when the text accumulated so far is not
//     apr_strnatcmp-equal to "", so leading empty or all-white-space string
//     elements are dropped: ["", "a"] → "a", [" ", "a"] → "a",
//     ["a", "", "b"] → "a,,b". An empty array gives "";
//   - null: no pair at all.
//
// Callers set the pairs in order with "set" semantics (a later pair replaces
// an earlier one of the same name, compared case-insensitively as APR
// tables do); distinct claims can map to one name ("a:b" and "a/b").
// 2.4.12.3 renders the userinfo claims first and the id_token claims after
// them, so the id_token value wins for a claim present in both.
func Render(c Claims, prefix, delim string) []Pair {
	if c.obj == nil {
		return nil
	}
	out := make([]Pair, 0, len(c.obj.keys))
	for i, k := range c.obj.keys {
		v, ok := renderValue(c.obj.vals[i], delim)
		if !ok {
			continue
		}
		out = append(out, Pair{Name: HeaderName(prefix, k), Value: v})
	}
	return out
}

func renderValue(v *value, delim string) (string, bool) {
	switch v.kind {
	case String:
		return v.str, true
	case True:
		return "1", true
	case False:
		return "0", true
	case Integer:
		return strconv.FormatInt(v.i, 10), true
	case Real:
		return aprFormatF(v.f), true
	case Object:
		return string(appendJSON(nil, v, dumpJansson)), true
	case Array:
		s := ""
		for _, e := range v.arr {
			var t string
			switch e.kind {
			case String:
				t = e.str
			case True:
				t = "1"
			case False:
				t = "0"
			default:
				continue
			}
			if !natEqual(s, "") {
				s = s + delim + t
			} else {
				s = t
			}
		}
		return s, true
	default: // Null
		return "", false
	}
}

// Encodings accepted by the second argument of OIDCPassClaimsAs in 2.4.12.3.
// Without a second argument the values are passed unchanged (EncodingNone);
// "none" itself is not a valid argument in 2.4.12.3 (it is in later
// versions, whose default is latin1).
const (
	EncodingNone      = ""
	EncodingBase64URL = "base64url"
	EncodingLatin1    = "latin1"
)

// CheckEncoding validates the second argument of OIDCPassClaimsAs as
// 2.4.12.3's oidc_set_pass_claims_as does (compared with apr_strnatcmp, so
// white space around the word is ignored) and returns the canonical
// encoding name. The error text is the module's; measured with apache2 -t:
// "none" and "Latin1" are refused, " latin1" is accepted.
func CheckEncoding(arg string) (string, error) {
	switch {
	case natEqual(arg, EncodingBase64URL):
		return EncodingBase64URL, nil
	case natEqual(arg, EncodingLatin1):
		return EncodingLatin1, nil
	}
	return "", fmt.Errorf("unknown encoding option \"%s\", only \"base64url\" or \"latin1\" is supported", arg)
}

// Encode applies an OIDCPassClaimsAs encoding to a value as 2.4.12.3's
// oidc_util_set_app_info does, for headers and environment variables alike
// (and for every value passed that way, tokens included):
//
//   - base64url: unpadded base64url of the bytes ("hans" → "aGFucw"); an
//     empty value stays empty (oidc_base64url_encode refuses empty input and
//     the raw value is used);
//   - latin1: oidc_util_utf8_to_latin1 — each UTF-8 sequence becomes its
//     code point as one byte when <= 0xFF and '?' otherwise. Its decoder
//     does not validate: see the tests for what it does with broken input;
//   - "" (or anything else): unchanged.
func Encode(value, encoding string) string {
	switch encoding {
	case EncodingBase64URL:
		if value == "" {
			return ""
		}
		return base64.RawURLEncoding.EncodeToString([]byte(value))
	case EncodingLatin1:
		return utf8ToLatin1(value)
	}
	return value
}

// utf8ToLatin1 follows oidc_util_utf8_to_latin1 byte by byte: the code point
// accumulator is reset by ASCII and lead bytes, extended by continuation
// bytes (with 32-bit wrap-around), and emitted whenever the next byte is not
// a continuation byte — as a byte when <= 0xFF, '?' when <= 0x10FFFF,
// nothing otherwise. A zero code point is emitted as C's NUL, which ends
// nothing but adds nothing either.
func utf8ToLatin1(s string) string {
	var b []byte
	var cp uint32
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch <= 0x7f:
			cp = uint32(ch)
		case ch <= 0xbf:
			cp = cp<<6 | uint32(ch&0x3f)
		case ch <= 0xdf:
			cp = uint32(ch & 0x1f)
		case ch <= 0xef:
			cp = uint32(ch & 0x0f)
		default:
			cp = uint32(ch & 0x07)
		}
		next := at(s, i+1)
		if next&0xc0 != 0x80 && cp <= 0x10ffff {
			switch {
			case cp == 0:
			case cp <= 255:
				b = append(b, byte(cp))
			default:
				b = append(b, '?')
			}
		}
	}
	return string(b)
}

// HeaderValue returns a value as 2.4.12.3 puts it in a request header
// (oidc_util_hdr_table_set): every LF becomes a space. CR and the other
// control characters are left alone. Environment variables get the value
// unchanged. Measured end to end (testdata/apache_backend_request.golden):
// mod_proxy_http forwards such a value with its bare CR as is; Go's
// net/http refuses to send a header value containing CR, so a Go proxy has
// to decide what to do with it.
func HeaderValue(v string) string {
	return strings.ReplaceAll(v, "\n", " ")
}
