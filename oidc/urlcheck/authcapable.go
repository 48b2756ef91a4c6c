package urlcheck

import (
	"net/http"
	"strings"
)

// IsAuthCapable reports whether the request can complete a login round trip
// to the provider, i.e. whether an unauthenticated request should be
// redirected (true) or answered with 401 (false). It implements
// mod_auth_openidc 2.4.12.3's oidc_is_auth_capable_request (HEAD has the
// same rules). The request is not auth-capable when
//
//   - X-Requested-With equals "XMLHttpRequest",
//   - Sec-Fetch-Mode is present and does not equal "navigate",
//   - Sec-Fetch-Dest is present and does not equal "document", or
//   - Accept is absent or none of its comma-separated elements is
//     "text/html", "application/xhtml+xml" or "*/*".
//
// The three "equals" comparisons are Apache's natural-order comparison
// (apr_strnatcasecmp): ASCII case-insensitive, white space anywhere ignored.
// Accept elements lose leading spaces only and are compared case-sensitively;
// an element matches when it is the media type itself or the media type
// followed directly by ';' (parameters). A header sent several times counts
// as its values joined by ", ", as Apache merges repeated request headers.
func IsAuthCapable(h http.Header) bool {
	if v, ok := merged(h, "X-Requested-With"); ok && natEqualFold(v, "XMLHttpRequest") {
		return false
	}
	if v, ok := merged(h, "Sec-Fetch-Mode"); ok && !natEqualFold(v, "navigate") {
		return false
	}
	if v, ok := merged(h, "Sec-Fetch-Dest"); ok && !natEqualFold(v, "document") {
		return false
	}
	accept, ok := merged(h, "Accept")
	if !ok {
		return false
	}
	return acceptContains(accept, "text/html") ||
		acceptContains(accept, "application/xhtml+xml") ||
		acceptContains(accept, "*/*")
}

// merged returns the values of header name joined by ", " (Apache's merge of
// repeated request headers) and whether the header was present at all.
func merged(h http.Header, name string) (string, bool) {
	vs, ok := h[http.CanonicalHeaderKey(name)]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return strings.Join(vs, ", "), true
}

// natEqualFold is equality under apr_strnatcasecmp for a constant b that
// holds no digits and no white space: white space in a is skipped wherever
// it occurs, letters compare ASCII case-insensitively.
func natEqualFold(a, b string) bool {
	j := 0
	for i := 0; i < len(a); i++ {
		c := a[i]
		if c == ' ' || c >= '\t' && c <= '\r' {
			continue
		}
		if c == 0 {
			// C strings end at NUL.
			break
		}
		if j >= len(b) || lowerByte(c) != lowerByte(b[j]) {
			return false
		}
		j++
	}
	return j == len(b)
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// acceptContains reports whether one of the comma-separated elements of
// accept, after leading spaces, is needle or starts with needle + ";".
func acceptContains(accept, needle string) bool {
	for _, elem := range strings.Split(accept, ",") {
		elem = strings.TrimLeft(elem, " ")
		if elem == needle || strings.HasPrefix(elem, needle+";") {
			return true
		}
	}
	return false
}
