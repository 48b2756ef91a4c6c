package claims

import (
	"fmt"
	"regexp"
	"strings"
)

// Limits of 2.4.12.3's PCRE substitution (src/pcre_subst.h,
// oidc_util_regexp_substitute, oidc_pcre_subst).
const (
	// MaxSubstInput: an input of this many bytes or more is refused before
	// substituting (strlen(input) >= OIDC_PCRE_MAXCAPTURE - 1).
	MaxSubstInput = 254
	// maxSubstOutput is the output buffer of pcre2_substitute (3 *
	// OIDC_PCRE_MAXCAPTURE code units, the terminating NUL included).
	maxSubstOutput = 765
)

// RemoteUser derives REMOTE_USER from the claims as 2.4.12.3's
// oidc_set_request_user and oidc_get_remote_user do for
// OIDCRemoteUserClaim <claim>[@] [<regex> [<replacement>]]. c is the merge
// the module uses: userinfo claims overlaid with the id_token claims
// (Merge(userinfo, idToken)), or the id_token claims alone.
//
//   - A trailing '@' on claim is removed and, after everything else,
//     "@" + issuer is appended, where issuer loses its first 8 bytes when it
//     contains "https://" anywhere (the module tests with strstr and then
//     skips strlen("https://") from the start).
//   - The claim must exist and be a JSON string (other kinds are an error,
//     no conversion).
//   - re == nil: the value as is.
//   - re without replacement (""): the first (unanchored, leftmost) match,
//     and REMOTE_USER is its capture group 1; no match, no group 1 or a
//     group 1 that did not take part is an error.
//   - re with replacement: an input of MaxSubstInput bytes or more is an
//     error; otherwise every match is replaced (pcre2_substitute with
//     PCRE2_SUBSTITUTE_GLOBAL), text outside the matches is kept, and no
//     match at all is an error. The replacement uses PCRE2's syntax: $n,
//     ${n}, $name, ${name}, $$ for '$'; backslashes are literal; a
//     reference to a group that does not exist or did not take part, or a
//     lone '$', is an error; a result of 765 bytes or more is an error.
//
// re is matched with PCRE2's byte semantics (see pcre.go). 2.4.12.3 cannot
// tell an explicit empty replacement from none; here "" means none. Known
// difference (patterns that can match the empty string only): after a
// non-empty match PCRE2 also substitutes an empty match at the same
// position ("ax" with x* and "-" gives "-a--"), Go does not ("-a-").
func RemoteUser(c Claims, claim string, re *regexp.Regexp, replacement, issuer string) (string, error) {
	name := claim
	withIssuer := strings.HasSuffix(name, "@")
	if withIssuer {
		name = name[:len(name)-1]
	}
	user, err := remoteUser(c, name, re, replacement)
	if err != nil {
		return "", err
	}
	if withIssuer {
		iss := issuer
		if strings.Contains(iss, "https://") {
			iss = iss[len("https://"):]
		}
		user += "@" + iss
	}
	return user, nil
}

// OAuthRemoteUser derives REMOTE_USER for AuthType oauth20 from the
// introspection or JWT claims (OIDCOAuthRemoteUserClaim, 2.4.12.3's
// oidc_oauth_set_remote_user): the same rules as RemoteUser except that a
// trailing '@' is part of the claim name — the resource server never
// appends an issuer (measured: OIDCOAuthRemoteUserClaim sub@ answers 401
// with "JSON object did not contain a "sub@" string").
func OAuthRemoteUser(c Claims, claim string, re *regexp.Regexp, replacement string) (string, error) {
	return remoteUser(c, claim, re, replacement)
}

func remoteUser(c Claims, name string, re *regexp.Regexp, replacement string) (string, error) {
	v, ok := c.obj.get(name)
	if !ok || v.kind != String {
		return "", fmt.Errorf("remote user: the claims do not contain a %q string", name)
	}
	user := v.str
	if re != nil {
		bre, err := byteRegexp(re)
		if err != nil {
			return "", fmt.Errorf("remote user: %w", err)
		}
		if replacement == "" {
			user, err = firstGroup(bre, user)
		} else {
			user, err = substitute(bre, user, replacement)
		}
		if err != nil {
			return "", fmt.Errorf("remote user: %w", err)
		}
	}
	return user, nil
}

// byteRegexp returns re for use on latin1View subjects: an ASCII pattern
// means the same there; a pattern with non-ASCII bytes is recompiled.
func byteRegexp(re *regexp.Regexp) (*regexp.Regexp, error) {
	src := re.String()
	v := latin1View(src)
	if v == src {
		return re, nil
	}
	r, err := regexp.Compile(v)
	if err != nil {
		return nil, &PatternError{Pattern: src, Err: err}
	}
	return r, nil
}

func firstGroup(re *regexp.Regexp, input string) (string, error) {
	s := latin1View(input)
	m := re.FindStringSubmatchIndex(s)
	if m == nil {
		return "", fmt.Errorf("%q does not match the pattern %q", input, re.String())
	}
	if len(m) < 4 {
		return "", fmt.Errorf("the pattern %q has no capture group 1", re.String())
	}
	if m[2] < 0 {
		return "", fmt.Errorf("capture group 1 of %q did not take part in the match of %q", re.String(), input)
	}
	return fromLatin1View(s[m[2]:m[3]]), nil
}

func substitute(re *regexp.Regexp, input, rep string) (string, error) {
	if len(input) >= MaxSubstInput {
		return "", fmt.Errorf("string length (%d) is larger than the maximum allowed for pcre_subst (%d)", len(input), MaxSubstInput)
	}
	s := latin1View(input)
	rs := latin1View(rep)
	all := re.FindAllStringSubmatchIndex(s, -1)
	if len(all) == 0 {
		return "", fmt.Errorf("%q does not match the pattern %q", input, re.String())
	}
	var b strings.Builder
	last := 0
	for _, m := range all {
		b.WriteString(s[last:m[0]])
		if err := expandPCRE2(&b, re, rs, s, m); err != nil {
			return "", fmt.Errorf("replacement %q: %w", rep, err)
		}
		last = m[1]
	}
	b.WriteString(s[last:])
	out := fromLatin1View(b.String())
	if len(out) >= maxSubstOutput {
		return "", fmt.Errorf("substituted value is %d bytes, more than pcre2_substitute's buffer of %d allows", len(out), maxSubstOutput)
	}
	return out, nil
}

func isWordByte(c byte) bool {
	return c == '_' || isDigit(c) || isAlpha(c)
}

// expandPCRE2 appends rep for the match m with pcre2_substitute's
// non-extended replacement syntax.
func expandPCRE2(b *strings.Builder, re *regexp.Regexp, rep, s string, m []int) error {
	for i := 0; i < len(rep); i++ {
		c := rep[i]
		if c != '$' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(rep) {
			return fmt.Errorf("lone '$' at the end")
		}
		if rep[i] == '$' {
			b.WriteByte('$')
			continue
		}
		braces := rep[i] == '{'
		if braces {
			i++
		}
		start := i
		group := -1
		if i < len(rep) && isDigit(rep[i]) {
			group = 0
			for i < len(rep) && isDigit(rep[i]) {
				group = group*10 + int(rep[i]-'0')
				if group > re.NumSubexp() {
					return fmt.Errorf("reference to group %s that does not exist", rep[start:i+1])
				}
				i++
			}
		} else {
			for i < len(rep) && isWordByte(rep[i]) {
				i++
			}
			if i == start {
				return fmt.Errorf("'$' not followed by a group number or name")
			}
			group = re.SubexpIndex(rep[start:i])
			if group < 0 {
				return fmt.Errorf("reference to group %q that does not exist", rep[start:i])
			}
		}
		if braces {
			if i >= len(rep) || rep[i] != '}' {
				return fmt.Errorf("'${' without its '}'")
			}
		} else {
			i-- // the loop's i++ moves past the reference
		}
		if m[2*group] < 0 {
			return fmt.Errorf("group %d did not take part in the match", group)
		}
		b.WriteString(s[m[2*group]:m[2*group+1]])
	}
	return nil
}
