package proxy

import (
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// maxMergeCache bounds the number of merged configurations a SectionWalker
// keeps per server. Entries are keyed by the set of matching sections, not
// by the request path, so attacker-chosen paths cannot grow the cache past
// the number of distinct section combinations.
const maxMergeCache = 4096

// SectionWalker computes, for a request, the per-directory configuration
// Apache would build: the server-level settings with every matching section
// merged on top in Apache's order. It is safe for concurrent use.
type SectionWalker struct {
	base      *apacheconf.DirConfig
	locations []*apacheconf.Section // Location group, in merge order
	proxies   []*apacheconf.Section // <Proxy> sections, in merge order
	dirs      []*apacheconf.Section // Directory groups and Files, in merge order
	// topIfs are the server-level <If>/<ElseIf>/<Else> chains (the main
	// server's, then the virtual host's), evaluated before those nested
	// in the matching sections.
	topIfs []*apacheconf.Section

	ids   map[*apacheconf.Section]int // stable numbers for cache keys
	mu    sync.RWMutex
	cache map[string]*apacheconf.DirConfig
}

// Match is the result of a walk.
type Match struct {
	// Dir is the merged configuration; never nil.
	Dir *apacheconf.DirConfig
	// Sections are the sections that matched, in merge order.
	Sections []*apacheconf.Section
	// Env holds MATCH_<NAME> variables from named groups of matching
	// regex sections.
	Env map[string]string
}

// NewSectionWalker prepares the walk for one server (the main server or a
// virtual host, whose section list already includes the main server's).
func NewSectionWalker(srv *apacheconf.Server) *SectionWalker {
	w := &SectionWalker{base: srv.Dir, cache: map[string]*apacheconf.DirConfig{}, ids: map[*apacheconf.Section]int{}}
	for i, sec := range srv.MergeOrder() {
		w.ids[sec] = i
		if isIf(sec) && sec.Parent == nil {
			w.topIfs = append(w.topIfs, sec)
		}
		g, _ := sec.Group()
		switch {
		case g == apacheconf.GroupLocation:
			w.locations = append(w.locations, sec)
		case sec.Kind == apacheconf.SecProxy || sec.Kind == apacheconf.SecProxyMatch:
			w.proxies = append(w.proxies, sec)
		case g == apacheconf.GroupDirectory || g == apacheconf.GroupDirectoryMatch || g == apacheconf.GroupFiles:
			w.dirs = append(w.dirs, sec)
		}
	}
	return w
}

// WalkProxied merges the sections that apply to a proxied request: <Proxy>
// sections matching the backend URL (Directory's place in the order), then
// the Location group matching the normalised URI. target may be "" before
// the backend is known (Apache's first Location walk).
//
// With ifv, the <If>/<ElseIf>/<Else> sections are evaluated for the
// request and the matching ones merged last; without it none is merged.
func (w *SectionWalker) WalkProxied(uri, target string, ifv ...IfVars) Match {
	var matched []*apacheconf.Section
	env := map[string]string{}
	if target != "" {
		for _, sec := range w.proxies {
			if matchProxy(sec, target, env) {
				matched = append(matched, sec)
			}
		}
	}
	matched = w.appendLocations(matched, uri, env)
	matched = w.appendIfs(matched, env, ifv)
	return w.merge(matched, env)
}

// WalkLocal merges the sections that apply to a request served from the
// file system: Directory and Files sections against filename, then the
// Location group against uri.
func (w *SectionWalker) WalkLocal(uri, filename string, ifv ...IfVars) Match {
	var matched []*apacheconf.Section
	env := map[string]string{}
	for _, sec := range w.dirs {
		if matchDirOrFiles(sec, filename, env) {
			matched = append(matched, sec)
		}
	}
	matched = w.appendLocations(matched, uri, env)
	matched = w.appendIfs(matched, env, ifv)
	return w.merge(matched, env)
}

func (w *SectionWalker) appendLocations(matched []*apacheconf.Section, uri string, env map[string]string) []*apacheconf.Section {
	// The Location walk merges slashes even when MergeSlashes is off.
	luri := mergeSlashes(uri)
	for _, sec := range w.locations {
		if MatchLocation(sec, luri, env) {
			matched = append(matched, sec)
		}
	}
	return matched
}

func (w *SectionWalker) merge(matched []*apacheconf.Section, env map[string]string) Match {
	var key strings.Builder
	for _, sec := range matched {
		key.WriteString(strconv.Itoa(w.ids[sec]))
		key.WriteByte(',')
	}
	k := key.String()
	w.mu.RLock()
	dir, ok := w.cache[k]
	w.mu.RUnlock()
	if !ok {
		dir = w.base.Merge(nil)
		for _, sec := range matched {
			dir = dir.Merge(sec.Dir)
		}
		w.mu.Lock()
		if len(w.cache) < maxMergeCache {
			w.cache[k] = dir
		}
		w.mu.Unlock()
	}
	if len(env) == 0 {
		env = nil
	}
	return Match{Dir: dir, Sections: matched, Env: env}
}

// MatchLocation reports whether a <Location> or <LocationMatch> section
// matches a normalised URI, as Apache's ap_location_walk does: a plain path
// is a byte-wise prefix ending on a segment boundary; a path with wildcards
// is a whole-string fnmatch where '/' must be matched explicitly; a regex
// is searched (unanchored), its named groups adding MATCH_<NAME> to env.
func MatchLocation(sec *apacheconf.Section, uri string, env map[string]string) bool {
	switch {
	case sec.Regex != nil:
		return matchRegex(sec, uri, env)
	case sec.Wildcard:
		ok, err := path.Match(sec.Arg, uri)
		return err == nil && ok
	}
	return prefixSegment(sec.Arg, uri)
}

// prefixSegment is Apache's Location prefix test: p must be a prefix of
// uri, and either p ends with '/' or uri continues with '/' (or ends).
func prefixSegment(p, uri string) bool {
	p = mergeSlashes(p)
	if !strings.HasPrefix(uri, p) {
		return false
	}
	return len(uri) == len(p) || strings.HasSuffix(p, "/") || uri[len(p)] == '/'
}

func matchRegex(sec *apacheconf.Section, s string, env map[string]string) bool {
	m := sec.Regex.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	for i, name := range sec.Regex.SubexpNames() {
		if name != "" && i < len(m) {
			env["MATCH_"+strings.ToUpper(name)] = m[i]
		}
	}
	return true
}

// matchProxy matches a <Proxy> section against the backend URL: a prefix
// (or a whole-string wildcard match), or a regex search for <ProxyMatch>.
func matchProxy(sec *apacheconf.Section, target string, env map[string]string) bool {
	switch {
	case sec.Regex != nil:
		return matchRegex(sec, target, env)
	case sec.Wildcard:
		ok, err := path.Match(sec.Arg, target)
		return err == nil && ok
	}
	return strings.HasPrefix(target, sec.Arg)
}

// matchDirOrFiles matches <Directory>/<DirectoryMatch> against a file
// name's directory and <Files>/<FilesMatch> against its last component.
func matchDirOrFiles(sec *apacheconf.Section, filename string, env map[string]string) bool {
	switch sec.Kind {
	case apacheconf.SecFiles, apacheconf.SecFilesMatch:
		base := path.Base(filename)
		if sec.Regex != nil {
			return matchRegex(sec, base, env)
		}
		ok, err := path.Match(sec.Arg, base)
		return err == nil && ok
	case apacheconf.SecDirectoryMatch:
		return matchRegex(sec, path.Dir(filename)+"/", env)
	}
	if sec.Wildcard {
		// A wildcard Directory matches whole directory names at its depth.
		dir := path.Dir(filename)
		for d := dir; ; d = path.Dir(d) {
			if ok, _ := path.Match(strings.TrimSuffix(sec.Arg, "/"), d); ok {
				return true
			}
			if d == "/" || d == "." {
				return false
			}
		}
	}
	arg := strings.TrimSuffix(sec.Arg, "/")
	return arg == "" || filename == arg || strings.HasPrefix(filename, arg+"/")
}

func mergeSlashes(s string) string {
	if !strings.Contains(s, "//") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '/' && i > 0 && s[i-1] == '/' {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
