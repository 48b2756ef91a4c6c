package proxy

import (
	"net/http"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/apacheconf/expr"
)

// sendAliasRedirect answers a mod_alias redirect (status and target from a
// Redirect* rule) as translate_alias_redir and fixup_redir do: a target
// that is a path is made absolute with the request's scheme and Host
// unless RedirectRelative On, anything else that is not a URL is a 500.
func (s *Site) sendAliasRedirect(w http.ResponseWriter, r *http.Request, dir *apacheconf.DirConfig, status int, target string) {
	if status >= 300 && status <= 399 {
		relative := dir != nil && dir.Alias != nil && dir.Alias.RelativeRedirects != nil && *dir.Alias.RelativeRedirects
		if !relative || !strings.HasPrefix(target, "/") {
			if strings.HasPrefix(target, "/") {
				target = selfURL(r, target)
			}
			if !isURL(target) {
				s.logFor(r).Error("cannot redirect: target is not a valid absoluteURI or abs_path", "target", target)
				s.writeError(w, r, dir, http.StatusInternalServerError, "")
				return
			}
		}
		if hasCTL(target) {
			// Apache's header filter refuses the response (AH02430).
			s.logFor(r).Error("Response header 'Location' contains invalid characters, aborting request", "target", target)
			s.writeError(w, r, dir, http.StatusInternalServerError, "")
			return
		}
	}
	s.writeRedirectIn(w, r, dir, status, target)
}

// locationRedirect is mod_alias's try_redirect: the path-less Redirect of
// a section ("<Location /old> Redirect https://new/ </Location>",
// "Redirect gone"). The expression's value is escaped as a path, its query
// and fragment kept; the request's query is added when the target has
// none. ok is false when the section has no such Redirect; failed when its
// expression cannot be evaluated (Apache: 500).
func (s *Site) locationRedirect(r *http.Request, dir *apacheconf.DirConfig, v expr.Vars) (status int, target string, ok, failed bool) {
	if dir == nil || dir.Alias == nil || dir.Alias.Redirect == nil {
		return 0, "", false, false
	}
	lr := dir.Alias.Redirect
	if lr.Expr != nil {
		e, err := s.exprs.parse(lr.Expr.Text, expr.String)
		if err == nil {
			target, err = e.String(v)
		}
		if err != nil {
			s.logFor(r).Error("Can't evaluate redirect expression", "expr", lr.Expr.Text, "err", err)
			return 0, "", true, true
		}
		target = escapeRedirect(target)
	}
	if lr.Status >= 300 && lr.Status <= 399 && r.URL.RawQuery != "" && !strings.Contains(target, "?") {
		target += "?" + r.URL.RawQuery
	}
	return lr.Status, target, true, false
}

// escapeRedirect escapes a redirect target's path part as Apache's
// ap_escape_uri does (a "%" too), keeping its query and fragment as
// written.
func escapeRedirect(u string) string {
	base, tail := u, ""
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		base, tail = u[:i], u[i:]
	}
	return escapeURI(base) + tail
}

// hasCTL reports whether a header value holds a control character other
// than HTAB, which Apache's ap_scan_http_field_content stops at.
func hasCTL(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return true
		}
	}
	return false
}
