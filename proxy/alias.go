package proxy

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/apacheconf/expr"
)

// fileMapping is the translate phase's answer for a request that is not
// proxied and not redirected: the file it maps to.
type fileMapping struct {
	// Filename is the file-system path ("" when nothing maps the request:
	// nothing maps the path).
	Filename string
	// Rule is the Alias/AliasMatch that matched (nil for DocumentRoot or
	// a <Location> Alias).
	Rule *apacheconf.AliasRule
	// Script is set when a ScriptAlias or ScriptAliasMatch matched: the
	// target is a CGI program, which oidcgate does not run.
	Script bool
	// Status, when not 0, answers the request instead: 404 when the mapped
	// path would leave the directory the configuration names
	// (back-references or expression values that make up a ".." segment),
	// 500 when a <Location> Alias's expression fails (as Apache).
	Status int
}

// mapFile is mod_alias's translate hook followed by core's DocumentRoot
// mapping, for a normalised URI: the <Location> one-argument Alias (dir is
// the configuration of the Location walk before translation) first, then
// the server's Alias/AliasMatch list in order (the virtual host's rules,
// then the main server's), first match winning; otherwise DocumentRoot.
// evalLoc evaluates a <Location> Alias's expression ("" and false when it
// fails).
func mapFile(srv *apacheconf.Server, dir *apacheconf.DirConfig, serverRoot, uri string, evalLoc func(*apacheconf.LocationAlias) (string, bool)) fileMapping {
	if dir != nil && dir.Alias != nil && dir.Alias.Alias != nil && evalLoc != nil {
		la := dir.Alias.Alias
		found, ok := evalLoc(la)
		if !ok {
			return fileMapping{Status: 500}
		}
		base := literalDir(la.Expr.Text, "%{$")
		if p := dir.Alias.PreservePath; p != nil && *p {
			if l := aliasPrefixLen(uri, la.Location); l > 0 {
				found += uri[l:]
			}
		}
		return finishMapping(serverRoot, found, base, fileMapping{Script: la.Script})
	}
	if srv.Alias != nil {
		for i := range srv.Alias.Aliases {
			a := &srv.Alias.Aliases[i]
			if found, base, ok := applyAlias(a, uri); ok {
				return finishMapping(serverRoot, found, base, fileMapping{Rule: a, Script: a.Script})
			}
		}
	}
	return fileMapping{Filename: localFile(srv, uri)}
}

// applyAlias applies one Alias or AliasMatch rule to a URI: the unclean
// file path it maps to and the directory the result must stay in.
func applyAlias(a *apacheconf.AliasRule, uri string) (found, base string, ok bool) {
	if a.Regex != nil {
		m := a.Regex.FindStringSubmatchIndex(uri)
		if m == nil {
			return "", "", false
		}
		return pregsub(a.Real, uri, m), literalDir(a.Real, "$&\\"), true
	}
	l := aliasPrefixLen(uri, a.Fake)
	if l == 0 {
		return "", "", false
	}
	rest := uri[l:]
	base = a.Real
	if rest != "" && rest[0] != '/' && !strings.HasSuffix(a.Real, "/") {
		// "Alias /x/ /srv/d" maps /x/f to /srv/df, as in Apache: the
		// result stays in /srv.
		base = filepath.Dir(a.Real)
	}
	return a.Real + rest, base, true
}

// finishMapping makes found absolute (relative to ServerRoot, as
// ap_server_root_relative) and clean, refusing a result outside base.
func finishMapping(serverRoot, found, base string, fm fileMapping) fileMapping {
	if !filepath.IsAbs(found) {
		found = filepath.Join(serverRoot, found)
	}
	if base != "" && !filepath.IsAbs(base) {
		base = filepath.Join(serverRoot, base)
	}
	clean := filepath.Clean(found)
	if base != "" && !within(clean, filepath.Clean(base)) {
		fm.Status = 404
		return fm
	}
	if strings.HasSuffix(found, "/") && clean != "/" {
		// Keep the trailing slash: "/file/" on a file is not the file.
		clean += "/"
	}
	fm.Filename = clean
	return fm
}

// within reports whether the clean path p is dir or lies under it.
func within(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// literalDir is the directory part of s's literal prefix: the text before
// the first byte of stop, cut after its last '/' ("" when there is none,
// meaning no constraint). Without any stop byte, s itself is the result.
func literalDir(s, stop string) string {
	i := strings.IndexAny(s, stop)
	if i < 0 {
		return s
	}
	j := strings.LastIndexByte(s[:i], '/')
	if j < 0 {
		return ""
	}
	return s[:j+1]
}

// aliasPrefixLen is mod_alias's alias_matches: how many bytes of uri the
// URL-path fake matches (0: no match). A run of '/' in fake matches a run
// of one or more '/' in uri, other bytes compare exactly, and unless fake
// ends with '/' the match must end at the end of uri or before a '/'.
func aliasPrefixLen(uri, fake string) int {
	rest, ok := aliasMatch(uri, fake)
	if !ok || len(fake) == 0 {
		return 0
	}
	return len(uri) - len(rest)
}

// pregsub is Apache's ap_pregsub: $0-$9 and & (the whole match) in tmpl
// are replaced by the groups of the match m in s (an unset group is
// empty); a backslash before $ or & keeps it literal.
func pregsub(tmpl, s string, m []int) string {
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		no := -1
		switch {
		case c == '&':
			no = 0
		case c == '$' && i+1 < len(tmpl) && tmpl[i+1] >= '0' && tmpl[i+1] <= '9':
			no = int(tmpl[i+1] - '0')
			i++
		case c == '\\' && i+1 < len(tmpl) && (tmpl[i+1] == '$' || tmpl[i+1] == '&'):
			i++
			c = tmpl[i]
		}
		if no < 0 {
			b.WriteByte(c)
			continue
		}
		if 2*no+1 < len(m) && m[2*no] >= 0 {
			b.WriteString(s[m[2*no]:m[2*no+1]])
		}
	}
	return b.String()
}

// evalLocationAlias evaluates a <Location> Alias's string expression for
// the request.
func (s *Site) evalLocationAlias(la *apacheconf.LocationAlias, v expr.Vars) (string, bool) {
	e, err := s.exprs.parse(la.Expr.Text, expr.String)
	if err != nil {
		return "", false
	}
	out, err := e.String(v)
	if err != nil {
		s.log.Error("Can't evaluate alias expression", "expr", la.Expr.Text, "err", err)
		return "", false
	}
	return out, true
}

// translateFile maps a request that is not proxied to its file; m is the
// Location walk before translation (its one-argument Alias and the
// MATCH_* variables the expression may read).
func (s *Site) translateFile(srv *apacheconf.Server, m Match, uri string, ifv IfVars) fileMapping {
	return mapFile(srv, m.Dir, s.cfg.ServerRoot, uri, func(la *apacheconf.LocationAlias) (string, bool) {
		return s.evalLocationAlias(la, ifv(m.Env))
	})
}

// indexMapper maps a directory's index URI (the directory's URI plus a
// DirectoryIndex name) to its file as mod_dir's sub-request does: through
// the Location walk and the translate phase again, so an Alias catching the
// index URI applies, and through access control when the file's sections
// give it other Require lines than the directory's (evaluated with the
// main request's user, as its sub-request inherits the login). It returns
// "" when nothing serves the URI as a file, and denied when access control
// refuses it (Apache then answers 403 unless a later name is served).
func (s *Site) indexMapper(srv *apacheconf.Server, walker *SectionWalker, ifv IfVars, dir *apacheconf.DirConfig, areq AuthzRequest) func(string) (string, bool) {
	return func(uri string) (string, bool) {
		m := walker.WalkProxied(uri, "", ifv)
		if t := s.translate(srv, m.Dir, uri, false); t != nil && t.URL != nil {
			return "", false // a proxied index (ProxyPass) is not followed
		}
		fm := s.translateFile(srv, m, uri, ifv)
		if fm.Status != 0 || fm.Script || fm.Filename == "" {
			return "", false
		}
		sub := walker.WalkLocal(uri, storageName(fm.Filename), ifv).Dir
		if sub.Authz != nil && (dir.Authz == nil || sub.Authz.Require != dir.Authz.Require) {
			if EvalAuthz(sub.Authz.Require, areq) != AuthzGranted {
				return "", true
			}
		}
		return fm.Filename, false
	}
}

// storageName is the file name Apache's directory walk settles on, which
// <Directory> and <Files> sections are matched against: the whole path when
// it exists, else the path up to the first component that is not a
// directory — a regular file (the rest is PATH_INFO, which the default
// handler answers with 404) or a missing entry. Only a path that does not
// exist costs more than one stat.
func storageName(p string) string {
	if _, err := os.Stat(p); err == nil {
		return p
	}
	for i := 1; i < len(p); {
		j := strings.IndexByte(p[i:], '/')
		if j < 0 {
			return p
		}
		prefix := p[:i+j]
		if fi, err := os.Stat(prefix); err != nil || !fi.IsDir() {
			return prefix
		}
		i += j + 1
	}
	return p
}

// refuseScript answers a request a ScriptAlias maps: oidcgate runs no CGI
// programs (lint reports the directive as unsupported), and it never
// serves a program's source instead, which Apache without mod_cgi does. A
// missing program is 404 as with mod_cgi; an existing one 500.
func (s *Site) refuseScript(w http.ResponseWriter, r *http.Request, dir *apacheconf.DirConfig, uri, filename string) {
	if _, err := os.Stat(filename); err != nil {
		s.writeError(w, r, dir, http.StatusNotFound, "")
		return
	}
	s.logFor(r).Error("ScriptAlias target not run: oidcgate does not run CGI programs", "uri", uri, "file", filename)
	s.writeError(w, r, dir, http.StatusInternalServerError, "")
}
