package urlcheck

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// MaxRedirectLength is the longest redirect target, in bytes, that
// ValidateRedirect considers (mod_auth_openidc's OIDC_MAX_URL_LENGTH).
const MaxRedirectLength = 16384

// Error titles. They are the short identifiers mod_auth_openidc puts into
// OIDC_ERROR for a refused redirect target and must not be reworded.
const (
	// TitleTooLong: the target exceeds MaxRedirectLength.
	TitleTooLong = "URL too long"
	// TitleMalformedURL: the target does not parse, or has no host and is
	// not a path starting with a single '/'.
	TitleMalformedURL = "Malformed URL"
	// TitleNotAllowed: OIDCRedirectURLsAllowed is set and no pattern matches.
	TitleNotAllowed = "URL not allowed"
	// TitleInvalidRequest: the target names a host other than the current
	// request's host.
	TitleInvalidRequest = "Invalid Request"
	// TitleInvalidURL: the target contains characters or parts that are
	// never acceptable in a redirect target.
	TitleInvalidURL = "Invalid URL"
)

// Error is a refused redirect target. Title is the value mod_auth_openidc
// sets in OIDC_ERROR, Description the one for OIDC_ERROR_DESC.
//
// Descriptions quote the (backslash-normalised) target with control
// characters percent-encoded; they are still attacker-controlled text and
// must be escaped by whoever renders them into HTML.
type Error struct {
	Title       string
	Description string
}

// Error implements the error interface as "Title: Description".
func (e *Error) Error() string {
	return e.Title + ": " + e.Description
}

func refuse(title, format string, args ...any) *Error {
	return &Error{Title: title, Description: fmt.Sprintf(format, args...)}
}

// ValidateRedirect decides whether target, a URL taken from the request
// (logout=, target_link_uri, refresh return_to), may be redirected to. It
// returns nil or an *Error.
//
// currentHost is the host name of the current request as CurrentURL returns
// it: without port, IPv6 literals in brackets. allowed holds the compiled
// OIDCRedirectURLsAllowed patterns; when it is non-empty a target must match
// one of them (unanchored, as the patterns are written) and no host
// comparison is made; when it is empty an absolute target must name
// currentHost (ASCII case-insensitively; scheme and port are not compared).
//
// The checks, in order, are mod_auth_openidc's (HEAD) followed by this
// package's stricter ones:
//
//  1. longer than MaxRedirectLength → "URL too long";
//  2. every '\' is replaced by '/' in a working copy, which all later
//     checks (and the patterns) see;
//  3. the copy must parse as a URI reference the way Apache's
//     apr_uri_parse does → else "Malformed URL";
//  4. allowed patterns: one must match → else "URL not allowed"; without
//     patterns a host in the URL must equal currentHost → else
//     "Invalid Request";
//  5. a URL without host must start with '/' but not with "//" → else
//     "Malformed URL";
//  6. no CR or LF, none of the module's forbidden substrings ("/%09",
//     "/%2f", "/<TAB>", "/%68", "/http:", "/https:", "/javascript:",
//     "%01javascript:", the CJK look-alikes of '/', "/<", "/%5c") → else
//     "Invalid URL";
//  7. (stricter than the module) no control characters at all; no
//     userinfo; the host must be a plain ASCII name or a valid bracketed
//     IPv6 literal; a port must be decimal and at most 65535; without
//     patterns the scheme of an absolute URL must be http or https
//     (or absent: "//host/..."), with patterns it must not be a script or
//     data scheme; the percent-encoded forbidden substrings match in any
//     case → else "Invalid URL"; Go's net/url must parse the copy
//     → else "Malformed URL", and must see the same host in the copy and
//     in the original target → else "Invalid URL".
//
// Callers redirect to the original target, not to the normalised copy.
func ValidateRedirect(target string, currentHost string, allowed []*regexp.Regexp) error {
	if len(target) > MaxRedirectLength {
		return refuse(TitleTooLong, "URL value exceeds the maximum length of %d bytes", MaxRedirectLength)
	}
	norm := strings.ReplaceAll(target, `\`, "/")
	shown := quoteControls(norm)

	// The module quotes the target as it is; only a NUL, which it
	// could not hold, is shown escaped.
	raw := strings.ReplaceAll(norm, "\x00", "%00")
	u, ok := parseAPR(norm)
	if !ok {
		return refuse(TitleMalformedURL, "not a valid URL value: %s", raw)
	}

	if len(allowed) > 0 {
		matched := false
		for _, re := range allowed {
			if re != nil && re.MatchString(norm) {
				matched = true
				break
			}
		}
		if !matched {
			return refuse(TitleNotAllowed, "value does not match the list of allowed redirect URLs: %s", raw)
		}
	} else if u.hasHost {
		h := u.hostname
		if strings.Contains(h, ":") {
			h = "[" + h + "]"
		}
		if !asciiEqualFold(h, currentHost) {
			return refuse(TitleInvalidRequest, "URL value \"%s\" does not match the hostname of the current request \"%s\"",
				raw, currentHost)
		}
	}

	if !u.hasHost {
		if !strings.HasPrefix(norm, "/") {
			return refuse(TitleMalformedURL, "No hostname was parsed and it does not seem to be relative, i.e starting with '/': %s", raw)
		}
		if strings.HasPrefix(norm, "//") {
			return refuse(TitleMalformedURL, "No hostname was parsed and starting with '//': %s", raw)
		}
	}

	if strings.ContainsAny(norm, "\r\n") {
		return refuse(TitleInvalidURL, "URL value \"%s\" contains illegal \"\n\" or \"\r\" character(s)", raw)
	}
	if containsForbidden(norm, false) {
		return refuse(TitleInvalidURL, "URL value \"%s\" contains illegal character(s)", shown)
	}

	// Everything below is stricter than mod_auth_openidc.
	return strictChecks(target, norm, shown, u, len(allowed) > 0)
}

// forbidden lists substrings mod_auth_openidc refuses anywhere in a redirect
// target; fold says whether the module matches them case-insensitively.
// The look-alikes are CJK characters that some browsers have treated as '/'.
var forbidden = []struct {
	s    string
	fold bool
}{
	{"/%09", false}, {"/%2f", true}, {"/\t", false}, {"/%68", false},
	{"/http:", true}, {"/https:", true}, {"/javascript:", true}, {"%01javascript:", true},
	{"/\u3031", false}, {"/\u3035", false}, {"/\u309d", false}, {"/\u30fc", false},
	{"/\uff70", false}, {"/<", false}, {"/%5c", false}, {"/\\", false},
}

// containsForbidden reports whether s contains one of the forbidden
// substrings; with foldAll every entry is matched case-insensitively.
func containsForbidden(s string, foldAll bool) bool {
	var lower string
	for _, f := range forbidden {
		if f.fold || foldAll {
			if lower == "" {
				lower = asciiLower(s)
			}
			if strings.Contains(lower, asciiLower(f.s)) {
				return true
			}
		} else if strings.Contains(s, f.s) {
			return true
		}
	}
	return false
}

// dangerousSchemes are refused even when an OIDCRedirectURLsAllowed pattern
// matches: a browser would run or render the target instead of navigating.
var dangerousSchemes = map[string]bool{
	"javascript": true, "vbscript": true, "data": true, "file": true,
	"blob": true, "filesystem": true, "view-source": true, "about": true,
}

func strictChecks(target, norm, shown string, u aprURI, patterns bool) error {
	for i := 0; i < len(target); i++ {
		if c := target[i]; c < 0x20 || c == 0x7f {
			return refuse(TitleInvalidURL, "URL value \"%s\" contains control character(s)", shown)
		}
	}
	if containsForbidden(norm, true) {
		return refuse(TitleInvalidURL, "URL value \"%s\" contains illegal character(s)", shown)
	}
	if u.hasHost {
		scheme := asciiLower(u.scheme)
		if patterns {
			if dangerousSchemes[scheme] {
				return refuse(TitleInvalidURL, "URL value \"%s\" uses a forbidden scheme", shown)
			}
		} else if u.hasScheme && scheme != "http" && scheme != "https" {
			return refuse(TitleInvalidURL, "URL value \"%s\" uses a scheme other than http or https", shown)
		}
		if u.userinfo {
			return refuse(TitleInvalidURL, "URL value \"%s\" contains user information", shown)
		}
		if !validHost(u.hostpart) {
			return refuse(TitleInvalidURL, "URL value \"%s\" contains an invalid host name", shown)
		}
		if u.hasPort && !validPort(u.port) {
			return refuse(TitleInvalidURL, "URL value \"%s\" contains an invalid port", shown)
		}
	}

	gu, err := url.Parse(norm)
	if err != nil {
		return refuse(TitleMalformedURL, "not a valid URL value: %s", shown)
	}
	if u.hasHost {
		if gu.Host == "" || !asciiEqualFold(gu.Hostname(), u.hostname) {
			return refuse(TitleInvalidURL, "URL value \"%s\" has an ambiguous host", shown)
		}
	} else if gu.Host != "" || gu.Opaque != "" {
		return refuse(TitleInvalidURL, "URL value \"%s\" has an ambiguous host", shown)
	}
	if target != norm {
		if ou, err := url.Parse(target); err == nil && ou.Host != "" &&
			(!u.hasHost || !asciiEqualFold(ou.Hostname(), u.hostname)) {
			return refuse(TitleInvalidURL, "URL value \"%s\" has an ambiguous host", shown)
		}
	}
	return nil
}

// validHost accepts the host part of an authority (port removed, brackets
// kept): a non-empty name of ASCII letters, digits, '.', '-' and '_', or a
// bracketed IPv6 address without zone.
func validHost(h string) bool {
	if h == "" {
		return false
	}
	if h[0] == '[' {
		if len(h) < 3 || h[len(h)-1] != ']' {
			return false
		}
		a, err := netip.ParseAddr(h[1 : len(h)-1])
		return err == nil && a.Is6() && a.Zone() == ""
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// validPort accepts an empty port (the scheme's default, as browsers read
// "host:") or 1 to 5 decimal digits not above 65535.
func validPort(p string) bool {
	if p == "" {
		return true
	}
	if len(p) > 5 {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	n, err := strconv.Atoi(p)
	return err == nil && n <= 65535
}

// aprURI is the part of a parsed URI reference that the checks need,
// split the way Apache's apr_uri_parse splits it.
type aprURI struct {
	hasScheme bool
	scheme    string
	hasHost   bool   // an authority was present ("scheme://..." or "//x")
	userinfo  bool   // the authority contained '@'
	hostpart  string // authority after userinfo, without ":port"; IPv6 keeps brackets
	hostname  string // host name as apr reports it (IPv6 without brackets)
	hasPort   bool
	port      string
}

// parseAPR splits s as apr-util 1.6's apr_uri_parse does and reports false
// where that function fails. Observed behaviour it reproduces: a scheme is
// a letter followed by letters, digits, '+', '-' or '.', ended by ':'; an
// authority follows "scheme://" or a leading "//" not followed by a third
// '/'; without a scheme a ':' before the first '/' is an error; the last
// '@' of the authority ends the userinfo; an IPv6 literal runs to the first
// ']' (missing → error) and a port follows only if ':' comes right after
// it; otherwise the first ':' starts the port; a non-empty port must be a
// strtol-readable decimal number filling the whole port.
func parseAPR(s string) (aprURI, bool) {
	var u aprURI
	rest := ""
	switch {
	case strings.HasPrefix(s, "/"):
		if len(s) >= 2 && s[1] == '/' && (len(s) == 2 || s[2] != '/') {
			rest = s[2:]
			u.hasHost = true
		}
	case len(s) > 0 && isAlpha(s[0]):
		i := 1
		for i < len(s) && (isAlpha(s[i]) || isDigit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.') {
			i++
		}
		if i < len(s) && s[i] == ':' {
			u.hasScheme = true
			u.scheme = s[:i]
			if strings.HasPrefix(s[i+1:], "//") {
				rest = s[i+3:]
				u.hasHost = true
			}
			break
		}
		if !noColonBeforeSlash(s) {
			return u, false
		}
	default:
		if !noColonBeforeSlash(s) {
			return u, false
		}
	}
	if !u.hasHost {
		return u, true
	}

	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	hostinfo := rest[:end]
	if at := strings.LastIndexByte(hostinfo, '@'); at >= 0 {
		u.userinfo = true
		hostinfo = hostinfo[at+1:]
	}
	if strings.HasPrefix(hostinfo, "[") {
		rb := strings.IndexByte(hostinfo, ']')
		if rb < 0 {
			return u, false
		}
		if rb+1 < len(hostinfo) && hostinfo[rb+1] == ':' {
			u.hostname = hostinfo[1:rb]
			u.hostpart = hostinfo[:rb+1]
			u.hasPort = true
			u.port = hostinfo[rb+2:]
		} else {
			u.hostname = hostinfo[1 : len(hostinfo)-1]
			u.hostpart = hostinfo
		}
	} else if c := strings.IndexByte(hostinfo, ':'); c >= 0 {
		u.hostname = hostinfo[:c]
		u.hostpart = u.hostname
		u.hasPort = true
		u.port = hostinfo[c+1:]
	} else {
		u.hostname = hostinfo
		u.hostpart = hostinfo
	}
	if u.hasPort && u.port != "" && !strtolWhole(u.port) {
		return u, false
	}
	return u, true
}

// noColonBeforeSlash reports whether a scheme-less reference has no ':'
// before its first '/' (apr refuses such references).
func noColonBeforeSlash(s string) bool {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	return !strings.Contains(s, ":")
}

// strtolWhole reports whether C's strtol(p, &end, 10) would consume all of
// p: optional leading white space, an optional sign, at least one digit.
func strtolWhole(p string) bool {
	i := 0
	for i < len(p) && (p[i] == ' ' || p[i] >= '\t' && p[i] <= '\r') {
		i++
	}
	if i < len(p) && (p[i] == '+' || p[i] == '-') {
		i++
	}
	if i == len(p) {
		return false
	}
	for ; i < len(p); i++ {
		if !isDigit(p[i]) {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// asciiLower lower-cases ASCII letters only (no Unicode case folding: the
// Kelvin sign must not become 'k').
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// asciiEqualFold compares ASCII case-insensitively; other bytes must be equal.
func asciiEqualFold(a, b string) bool {
	return len(a) == len(b) && asciiLower(a) == asciiLower(b)
}

// quoteControls percent-encodes control characters so that a description
// never carries CR, LF or other controls into logs, headers or env vars.
func quoteControls(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}
