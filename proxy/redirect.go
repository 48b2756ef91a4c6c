package proxy

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// matchRedirect finds the first Redirect/RedirectMatch rule matching uri
// and returns the status and target (the rest of the path escaped, the
// query appended, as mod_alias does).
func matchRedirect(rules []apacheconf.RedirectRule, uri, rawQuery string) (int, string, bool) {
	for _, rr := range rules {
		var target string
		if rr.Regex != nil {
			m := rr.Regex.FindStringSubmatchIndex(uri)
			if m == nil {
				continue
			}
			// mod_alias escapes the path part of what the substitution
			// made of the decoded URI, keeping its query and fragment.
			target = escapeRedirect(string(rr.Regex.ExpandString(nil, dollarRefs(rr.URL), uri, m)))
		} else {
			rest, ok := aliasMatch(uri, rr.Path)
			if !ok {
				continue
			}
			if rr.URL != "" {
				target = rr.URL + escapeURI(rest)
			}
		}
		if target != "" && rawQuery != "" && !strings.Contains(target, "?") {
			target += "?" + rawQuery
		}
		return rr.Status, target, true
	}
	return 0, "", false
}

// writeRedirect answers a redirect (or another status of a Redirect
// rule, such as 410) with Apache's page.
func (s *Site) writeRedirect(w http.ResponseWriter, r *http.Request, status int, target string) {
	s.writeRedirectIn(w, r, nil, status, target)
}

// writeRedirectIn is writeRedirect for a request whose merged config is
// dir: a non-redirect status (Redirect gone) goes through its
// ErrorDocuments.
func (s *Site) writeRedirectIn(w http.ResponseWriter, r *http.Request, dir *apacheconf.DirConfig, status int, target string) {
	markGenerated(w)
	if status < 300 || status > 399 {
		s.writeError(w, r, dir, status, "")
		return
	}
	_, body := ErrorPage{Status: status, URL: target, Signature: signature(r)}.Render()
	w.Header().Set("Location", target)
	w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(body))
	}
}
