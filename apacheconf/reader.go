package apacheconf

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxIncludeDepth is Apache's AP_MAX_INCLUDE_DEPTH.
const maxIncludeDepth = 128

// HTTPDVersion is the Apache version oidcgate answers <IfVersion> with: the
// version of Debian 12's apache2 package that defines the reference
// behaviour.
const HTTPDVersion = "2.4.71"

// reader carries out the read pass. It is used once.
type reader struct {
	diagSink
	reg        *Registry
	vars       *vars
	mods       *ModuleSet
	serverRoot string
	tree       *Tree
	sawLoad    bool
	readFile   func(string) ([]byte, error)
	// stop ends reading after an include loop, as Apache's first error
	// does (a loop through directories would otherwise grow without end).
	stop bool
}

// Read carries out Apache's read pass: it reads opts.File and everything it
// includes into a Tree, executing the read-time directives as it goes. It
// returns every problem found; the tree is usable even when there are
// errors (for lint), but a configuration with errors must not be served.
//
// When the configuration loads no module at all (a site file read on its
// own), it is read again in fragment mode, where every module oidcgate knows
// counts as loaded; an info diagnostic says so.
func Read(opts Options) (*Tree, Diagnostics) {
	t, d, sawLoad := readOnce(opts, false)
	if !sawLoad && !opts.Strict {
		t, d, _ = readOnce(opts, true)
		d = append(d, Diagnostic{Severity: SevInfo, Stage: StageRead, Pos: Pos{File: t.mainFile()},
			Msg:  "the configuration loads no modules; reading it as a fragment with every module oidcgate knows loaded",
			Hint: "Apache would need LoadModule lines (e.g. from mods-enabled/) for the directives it uses"})
	}
	return t, d
}

func readOnce(opts Options, fragment bool) (*Tree, Diagnostics, bool) {
	root := opts.ServerRoot
	if root == "" {
		root = "/etc/apache2"
	}
	file := opts.File
	if file == "" {
		file = "apache2.conf"
	}
	file = serverRootRelative(root, file)
	reg := opts.Registry
	if reg == nil {
		reg = DefaultRegistry()
	}
	lookup := opts.LookupEnv
	envDiags := Diagnostics(nil)
	if ev, ok := envvarsPath(opts, root, file); ok {
		lookup, envDiags = loadEnvvars(ev, root, lookup)
	}
	r := &reader{
		reg:        reg,
		vars:       newVars(opts.Defines, lookup),
		mods:       NewModuleSet(),
		serverRoot: root,
		readFile:   os.ReadFile,
	}
	r.diags = append(r.diags, envDiags...)
	r.mods.All = fragment
	r.tree = &Tree{Modules: r.mods, Strict: opts.Strict}
	r.tree.Files = append(r.tree.Files, IncludedFile{Path: file})
	r.tree.Nodes = r.readConfigFile(file, nil)
	r.tree.Defines = append([]string(nil), r.vars.params...)
	r.tree.Vars = map[string]string{}
	for k, v := range r.vars.values {
		r.tree.Vars[r.vars.names[k]] = v
	}
	r.tree.ServerRoot = r.serverRoot
	r.tree.Strict = opts.Strict
	return r.tree, r.diags, r.sawLoad
}

func (t *Tree) mainFile() string {
	if len(t.Files) > 0 {
		return t.Files[0].Path
	}
	return ""
}

// readConfigFile reads one file; chain is the include chain leading to it.
// A missing main file is reported like Apache's ap_pcfg_openfile failure.
func (r *reader) readConfigFile(path string, chain []IncludeSite) []*Node {
	data, err := r.readFile(path)
	if err != nil {
		pos := Pos{File: path}
		if len(chain) > 0 {
			last := chain[len(chain)-1]
			pos = Pos{File: last.File, Line: last.Line, EndLine: last.Line, Chain: chain[:len(chain)-1]}
		}
		r.add(SevError, StageRead, pos, "", "", "Could not open configuration file %s: %s", path, errnoText(err))
		return nil
	}
	// A UTF-8 byte-order mark is not skipped: as on Apache for Unix it becomes
	// part of the first directive's name, and the compiler's "Invalid
	// command" error carries a hint about it.
	p := &fileParser{r: r, file: path, chain: chain, lines: splitLines(data)}
	nodes := p.parseBlock(nil)
	p.reportUnclosed()
	return nodes
}

// errnoText renders an error as Apache's apr_strerror would.
func errnoText(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "No such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "Permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if strings.Contains(pe.Err.Error(), "is a directory") {
			return "Is a directory"
		}
		return capitalize(pe.Err.Error())
	}
	return err.Error()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// resolve makes a path absolute against the current ServerRoot, as Apache's
// ap_server_root_relative does.
func (r *reader) resolve(p string) string {
	return serverRootRelative(r.serverRoot, p)
}

// serverRootRelative joins a relative path to the server root the way
// Apache's ap_make_full_path does (one '/' between, nothing cleaned), so
// that messages name files as Apache names them ("./loop.conf" under -d .).
func serverRootRelative(root, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	if strings.HasSuffix(root, "/") {
		return root + p
	}
	return root + "/" + p
}
