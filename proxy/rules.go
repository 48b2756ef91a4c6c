package proxy

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// Target is where a request goes: the rule that matched and the backend
// URL built from it.
type Target struct {
	Rule *apacheconf.ProxyRule
	// URL is the backend URL with the request's remainder appended; its
	// path is already in mod_proxy's canonical encoding (RawPath).
	URL *url.URL
}

// matchRule applies one ProxyPass rule to a normalised URI: a prefix with
// Apache's segment rule, or a regex with $N substitution. It returns the
// remainder-joined target, or nil.
func matchRule(r *apacheconf.ProxyRule, uri string, keep2F bool) *Target {
	var joined string
	switch {
	case r.Regex != nil:
		m := r.Regex.FindStringSubmatchIndex(uri)
		if m == nil {
			return nil
		}
		if r.Exclude {
			return &Target{Rule: r}
		}
		if strings.Contains(r.Target, "$") {
			src, sm := canonGroups(uri, m, keep2F)
			joined = string(r.Regex.ExpandString(nil, dollarRefs(r.Target), src, sm))
		} else {
			joined = r.Target + CanonPath(uri, keep2F)
		}
	default:
		rest, ok := aliasMatch(uri, r.Path)
		if !ok {
			return nil
		}
		if r.Exclude {
			return &Target{Rule: r}
		}
		joined = r.Target + CanonPath(rest, keep2F)
	}
	u, err := url.Parse(joined)
	if err != nil {
		return nil
	}
	// The path is already canonical: keep it byte for byte.
	if p, err := url.PathUnescape(u.EscapedPath()); err == nil {
		u.Path = p
	}
	if i := strings.Index(joined, "://"); i >= 0 {
		rest := joined[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			u.RawPath = strings.SplitN(rest[j:], "?", 2)[0]
		}
	}
	u.RawQuery = "" // a query in the target is not supported by Apache either
	return &Target{Rule: r, URL: u}
}

// canonGroups re-encodes each group of the match m in the decoded uri
// as mod_proxy's canon handler encodes the path a ProxyPassMatch
// substitution makes (a decoded "?" or "#" stays in the path as %3F,
// %23): the source and match to expand the target with.
func canonGroups(uri string, m []int, keep2F bool) (string, []int) {
	var b strings.Builder
	sm := make([]int, len(m))
	for i := 0; i+1 < len(m); i += 2 {
		if m[i] < 0 {
			sm[i], sm[i+1] = -1, -1
			continue
		}
		sm[i] = b.Len()
		b.WriteString(CanonPath(uri[m[i]:m[i+1]], keep2F))
		sm[i+1] = b.Len()
	}
	return b.String(), sm
}

// dollarRefs turns Apache's $1 into Go's ${1} so that "$1x" works.
func dollarRefs(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '$' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
			b.WriteString("${" + string(s[i+1]) + "}")
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// aliasMatch is mod_proxy's prefix match: each run of '/' in the pattern
// matches one or more '/' in the URI, other bytes exactly; unless the
// pattern ends with '/', the match must end on a segment boundary. It
// returns the rest of the URI.
func aliasMatch(uri, pattern string) (string, bool) {
	i, j := 0, 0
	for j < len(pattern) {
		if pattern[j] == '/' {
			if i >= len(uri) || uri[i] != '/' {
				return "", false
			}
			for j < len(pattern) && pattern[j] == '/' {
				j++
			}
			for i < len(uri) && uri[i] == '/' {
				i++
			}
			continue
		}
		if i >= len(uri) || uri[i] != pattern[j] {
			return "", false
		}
		i++
		j++
	}
	if !strings.HasSuffix(pattern, "/") && i < len(uri) && uri[i] != '/' {
		return "", false
	}
	// A pattern ending in '/' consumed the slashes; hand them back so the
	// remainder keeps Apache's join ("/slash/" + "abc").
	return uri[i:], true
}

// hostPort renders a backend's host[:port], omitting the scheme's default
// port as Apache does for the Host header.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" || port == "80" && u.Scheme == "http" || port == "443" && u.Scheme == "https" {
		return u.Hostname()
	}
	if _, err := strconv.Atoi(port); err != nil {
		return u.Hostname()
	}
	return u.Host
}
