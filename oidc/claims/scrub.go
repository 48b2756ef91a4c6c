package claims

import "strings"

// HeaderPrefix is the fixed prefix of the headers mod_auth_openidc always
// scrubs (OIDC_DEFAULT_HEADER_PREFIX), whatever OIDCClaimPrefix says.
const HeaderPrefix = "OIDC_"

// envChar maps a byte as 2.4.12.3's oidc_char_to_env: ASCII letters and
// digits upper-cased, everything else '_'.
func envChar(c byte) byte {
	switch {
	case c >= 'a' && c <= 'z':
		return c - 'a' + 'A'
	case (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'):
		return c
	}
	return '_'
}

// envHasPrefix reports whether name starts with prefix when both are mapped
// with envChar (oidc_strnenvcmp(name, prefix, len(prefix)) == 0). An empty
// prefix never matches: the module skips the test then, as every header
// would match.
func envHasPrefix(name, prefix string) bool {
	if prefix == "" || len(name) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if envChar(name[i]) != envChar(prefix[i]) {
			return false
		}
	}
	return true
}

// envEqual reports whether a and b are equal when mapped with envChar.
func envEqual(a, b string) bool {
	return len(a) == len(b) && envHasPrefix(a, b)
}

// Scrubber decides which incoming request headers mod_auth_openidc removes
// before it sets its own (oidc_scrub_headers), so that a client cannot send
// an identity header the backend would trust. The zero value scrubs the
// OIDC_ family only.
type Scrubber struct {
	// ClaimPrefix is OIDCClaimPrefix (DefaultPrefix when not configured).
	ClaimPrefix string
	// AuthnHeader is OIDCAuthNHeader, "" when not configured.
	AuthnHeader string
	// WhiteListedClaims is OIDCWhiteListedClaims. 2.4.12.3 scrubs headers
	// named after these claims only when ClaimPrefix is empty (with an empty
	// prefix and no white list it warns that the setup is insecure).
	WhiteListedClaims []string
}

// Match reports whether an incoming header must be removed:
//
//   - its name, mapped character by character to upper-case letters and
//     digits with every other byte as '_', starts with "OIDC_" (so
//     "oidc-claim-email", "Oidc_claim_email", "OIDC.access.token" all go);
//   - ClaimPrefix is not empty, does not start with "OIDC_" (case-sensitive,
//     as the module's strstr) and the mapped name starts with the mapped
//     prefix;
//   - the mapped name equals the mapped AuthnHeader. 2.4.12.3 only removes
//     a byte-identical spelling (its lookup is a case-sensitive hash); this
//     is deliberately stricter, so "x-remote-user", "X_Remote_User" and
//     Go's canonical "X-Remote-User" all go. Measured with Apache
//     (testdata/apache_backend_request_prefix.golden): a client's
//     "X_Remote_User: spoof" reaches the backend next to the real
//     X-Remote-User, and "x-remote-user" survives only because the module
//     then overwrites its value;
//   - ClaimPrefix is empty and the mapped name equals a mapped
//     white-listed claim name (2.4.12.3: byte-identical only).
func (s Scrubber) Match(name string) bool {
	if envHasPrefix(name, HeaderPrefix) {
		return true
	}
	if s.ClaimPrefix != "" && !strings.HasPrefix(s.ClaimPrefix, HeaderPrefix) && envHasPrefix(name, s.ClaimPrefix) {
		return true
	}
	if s.AuthnHeader != "" && envEqual(name, s.AuthnHeader) {
		return true
	}
	if s.ClaimPrefix == "" {
		for _, c := range s.WhiteListedClaims {
			if c != "" && envEqual(name, c) {
				return true
			}
		}
	}
	return false
}

// IsIdentityHeader reports whether an incoming header named name is one
// that mod_auth_openidc would remove before passing the request on, given
// OIDCClaimPrefix and OIDCAuthNHeader ("" when not configured). See
// [Scrubber.Match] for the rules; it is Scrubber{claimPrefix, authnHeader,
// nil}.Match(name).
func IsIdentityHeader(name, claimPrefix, authnHeader string) bool {
	return Scrubber{ClaimPrefix: claimPrefix, AuthnHeader: authnHeader}.Match(name)
}
