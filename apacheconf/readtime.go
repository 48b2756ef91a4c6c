package apacheconf

import (
	"os"
	"path"
	"path/filepath"
	"strings"
)

// readTime carries out a read-time (EXEC_ON_READ) directive and returns the
// nodes it contributes after itself (the contents of an Include).
func (p *fileParser) readTime(l logicalLine, n *Node) []*Node {
	key := strings.ToLower(n.Name)
	if !readTimeDirectives[key] {
		return nil
	}
	// Read-time directives are checked here, as Apache runs them while
	// reading; the compiler skips them.
	spec, ok := p.r.reg.Lookup(key)
	if !ok {
		return nil // a registry without it: the compiler reports it unknown
	}
	if msg := spec.Class.checkArity(spec.Name, spec.Help, n.Args); msg != "" {
		p.readErr(l, n.Name, "", "%s", msg)
		return nil
	}
	switch key {
	case "include", "includeoptional":
		return p.include(l, n, key == "includeoptional")
	case "define":
		name := n.Args[0].Text
		if strings.Contains(name, ":") {
			p.readErr(l, n.Name, "", "Variable name must not contain ':'")
			return nil
		}
		if len(n.Args) == 2 {
			p.r.vars.set(name, n.Args[1].Text)
		} else {
			p.r.vars.define(name)
		}
	case "undefine":
		p.r.vars.undefine(n.Args[0].Text)
	case "serverroot":
		// Apache merges a relative ServerRoot with the working directory,
		// not with the previous server root.
		dir := n.Args[0].Text
		if !filepath.IsAbs(dir) {
			if wd, err := os.Getwd(); err == nil {
				dir = filepath.Join(wd, dir)
			}
		}
		dir = filepath.Clean(dir)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			p.readErr(l, n.Name, "create the directory or correct the path", "ServerRoot must be a valid directory")
			return nil
		}
		p.r.serverRoot = dir
	case "defaultruntimedir":
		dir := p.r.resolve(n.Args[0].Text)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			p.r.diags = append(p.r.diags, Diagnostic{Severity: SevError, ApacheOnly: true, Stage: StageRead, Pos: n.Pos, Directive: n.Name,
				Msg:  "DefaultRuntimeDir must be a valid directory, absolute or relative to ServerRoot",
				Hint: "oidcgate does not use it; apache2ctl creates it (mkdir -p " + dir + ") before starting Apache"})
		}
	case "loadmodule":
		p.r.sawLoad = true
		id := n.Args[0].Text
		if so := p.r.resolve(n.Args[1].Text); !fileExists(so) {
			// Apache dlopen()s the module; oidcgate never does, so a
			// missing file only decides configtest --apache.
			p.r.diags = append(p.r.diags, Diagnostic{Severity: SevError, ApacheOnly: true, Stage: StageRead, Pos: n.Pos, Directive: n.Name,
				Msg:  "Cannot load " + so + " into server: " + so + ": cannot open shared object file: No such file or directory",
				Hint: "oidcgate does not load module files; this only matters to Apache"})
		}
		if !p.r.mods.Load(id, n.Args[1].Text, n.Pos) {
			p.r.diags = append(p.r.diags, Diagnostic{Severity: SevWarning, Stage: StageRead, Pos: n.Pos, Directive: n.Name,
				Code: "AH01574", Msg: "module " + id + " is already loaded, skipping"})
		}
	}
	return nil
}

// include resolves an Include/IncludeOptional argument and reads the files
// it names, in Apache's order.
func (p *fileParser) include(l logicalLine, n *Node, optional bool) []*Node {
	pattern := p.r.resolve(n.Args[0].Text)
	site := IncludeSite{File: p.file, Line: l.EndLine}
	chain := append(append([]IncludeSite(nil), p.chain...), site)
	if len(chain) > maxIncludeDepth {
		// Apache follows an include loop until this depth and reports it
		// through the whole chain; reading stops here, as it does there.
		hint := "an Include includes itself, directly or through other files"
		for _, s := range chain[:len(chain)-1] {
			if s.File == p.file {
				hint = "the file " + p.file + " includes itself (directly or through other files); remove the cycle"
				break
			}
		}
		p.readErr(l, n.Name, hint, "Exceeded maximum include depth of %d, There appears to be a recursion.", maxIncludeDepth)
		p.r.stop = true
		return nil
	}
	files, errMsg := p.r.expandInclude(pattern, optional)
	if errMsg != "" {
		p.readErr(l, n.Name, "", "%s", errMsg)
		return nil
	}
	var out []*Node
	for _, f := range files {
		if p.r.stop {
			return out
		}
		p.r.tree.Files = append(p.r.tree.Files, IncludedFile{Path: f, Depth: len(chain), Line: l.EndLine})
		out = append(out, p.r.readConfigFile(f, chain)...)
	}
	return out
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?[") }

// expandInclude returns the files an Include pattern names, sorted as Apache
// sorts them, or Apache's error text.
func (r *reader) expandInclude(pattern string, optional bool) ([]string, string) {
	if !hasWildcard(pattern) {
		st, err := os.Stat(pattern)
		if err != nil {
			if optional {
				return nil, ""
			}
			return nil, "Could not open configuration file " + pattern + ": " + errnoText(err)
		}
		if st.IsDir() {
			return r.walkDir(pattern, optional, 0)
		}
		return []string{pattern}, ""
	}
	// Wildcards may be in any component; each component is matched against
	// the directory built so far. A relative pattern (a relative server
	// root, -d dir) starts at the working directory.
	dirs := []string{"/"}
	if !filepath.IsAbs(pattern) {
		dirs = []string{"."}
	}
	comps := strings.Split(strings.TrimPrefix(filepath.Clean(pattern), "/"), "/")
	for ci, comp := range comps {
		last := ci == len(comps)-1
		var next []string
		for _, dir := range dirs {
			if !hasWildcard(comp) {
				cand := filepath.Join(dir, comp)
				if last {
					st, err := os.Stat(cand)
					if err != nil {
						if optional {
							continue
						}
						return nil, "Could not open configuration file " + cand + ": " + errnoText(err)
					}
					if st.IsDir() {
						files, msg := r.walkDir(cand, optional, 0)
						if msg != "" {
							return nil, msg
						}
						next = append(next, files...)
						continue
					}
				}
				next = append(next, cand)
				continue
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				if optional {
					continue
				}
				return nil, "Include/IncludeOptional: Could not open directory " + dir + ": " + errnoText(err)
			}
			matched := 0
			for _, e := range entries { // os.ReadDir sorts by name: byte order
				if !fnmatchName(comp, e.Name()) {
					continue
				}
				full := filepath.Join(dir, e.Name())
				isDir := e.IsDir()
				if e.Type()&os.ModeSymlink != 0 {
					if st, err := os.Stat(full); err == nil {
						isDir = st.IsDir()
					}
				}
				if !last && !isDir {
					continue
				}
				matched++
				if last && isDir {
					files, msg := r.walkDir(full, optional, 0)
					if msg != "" {
						return nil, msg
					}
					next = append(next, files...)
					continue
				}
				next = append(next, full)
			}
			if matched == 0 && last && !optional {
				return nil, "Include/IncludeOptional: No matches for the wildcard '" + comp + "' in '" + dir + "', failing"
			}
		}
		dirs = next
	}
	return dirs, ""
}

// walkDir lists every entry of a directory recursively, sorted in byte
// order per level, dot-files and backups included (Apache does not filter).
func (r *reader) walkDir(dir string, optional bool, depth int) ([]string, string) {
	if depth > maxIncludeDepth {
		return nil, "Directory " + dir + " exceeds the maximum include directory nesting level of 128. You have probably a recursion somewhere."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if optional {
			return nil, ""
		}
		return nil, "Could not open config directory " + dir + ": " + errnoText(err)
	}
	var out []string
	for _, e := range entries {
		full := filepath.Join(dir, e.Name())
		st, err := os.Stat(full)
		if err == nil && st.IsDir() {
			sub, msg := r.walkDir(full, optional, depth+1)
			if msg != "" {
				return nil, msg
			}
			out = append(out, sub...)
			continue
		}
		out = append(out, full)
	}
	return out, ""
}

// fnmatchName matches one path component with fnmatch rules and
// FNM_PERIOD: a leading '.' must be matched explicitly.
func fnmatchName(pattern, name string) bool {
	if strings.HasPrefix(name, ".") && !strings.HasPrefix(pattern, ".") {
		return false
	}
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
