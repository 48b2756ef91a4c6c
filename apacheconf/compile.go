package apacheconf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Load reads and compiles a configuration and runs the modules' start-up
// checks (CheckOIDC): the whole of Apache's startup up to opening
// listeners. The Config is nil when there are errors. apache2 -t stops
// before the start-up checks; Read followed by Compile does the same.
func Load(opts Options) (*Config, Diagnostics) {
	tree, diags := Read(opts)
	reg := opts.Registry
	if reg == nil {
		reg = DefaultRegistry()
	}
	cfg, cdiags := Compile(tree, reg)
	diags = append(diags, cdiags...)
	if diags.HasErrors() {
		return nil, diags
	}
	diags = append(diags, CheckOIDC(cfg)...)
	diags = append(diags, CheckSSLProxyCRL(cfg)...)
	if diags.HasErrors() {
		return nil, diags
	}
	return cfg, diags
}

// compiler carries out the walk pass over a Tree.
type compiler struct {
	diagSink
	reg      *Registry
	handlers map[string]handler
	mods     *ModuleSet
	cfg      *Config
}

// Compile walks a tree (Apache's walk pass) and builds the model. It
// returns every problem found; the Config is complete only when there are
// no errors.
func Compile(tree *Tree, reg *Registry) (*Config, Diagnostics) {
	c := &compiler{reg: reg, handlers: allHandlers(), mods: tree.Modules}
	main := &Server{Dir: &DirConfig{}}
	c.cfg = &Config{ServerRoot: tree.ServerRoot, Main: main, Modules: tree.Modules, Defines: tree.Defines, Tree: tree}
	if len(tree.Nodes) > 0 {
		main.Pos = Pos{File: tree.Nodes[0].Pos.File}
	}
	ctx := c.newCtx(main, main.Dir, nil)
	c.walk(ctx, tree.Nodes)
	c.finish()
	return c.cfg, c.diags
}

func (c *compiler) newCtx(srv *Server, dir *DirConfig, sec *Section) *walkCtx {
	return &walkCtx{diags: &c.diagSink, Srv: srv, Dir: dir, Sec: sec, ServerRoot: c.cfg.ServerRoot,
		Modules: c.mods, walkFn: c.walk, conf: c.cfg}
}

// walk compiles nodes in the scope of ctx.
func (c *compiler) walk(ctx *walkCtx, nodes []*Node) {
	var prevIf *Section // for <ElseIf>/<Else>
	for _, n := range nodes {
		spec, ok := c.reg.Lookup(n.Name)
		if ok && c.cfg.Tree.Strict && (headOnlyOIDC[strings.ToLower(spec.Name)] || isExtension(spec)) {
			ok = false // unknown to Debian's mod_auth_openidc 2.4.12.3 / to Apache
		}
		if !ok || !c.mods.HasModule(spec.Module) {
			c.unknown(n, spec)
			prevIf = nil
			continue
		}
		if msg := contextError(spec, ctx); msg != "" {
			c.add(SevError, StageWalk, n.Pos, n.Name, contextHint(spec), "%s", msg)
			prevIf = nil
			continue
		}
		if n.IsSection() {
			prevIf = c.section(ctx, n, spec, prevIf)
			continue
		}
		prevIf = nil
		if readTimeDirectives[strings.ToLower(spec.Name)] {
			continue // carried out and checked by the reader
		}
		if msg := spec.Class.checkArity(spec.Name, spec.Help, n.Args); msg != "" {
			c.add(SevError, StageWalk, n.Pos, n.Name, "", "%s", msg)
			continue
		}
		if h, ok := c.handlers[strings.ToLower(spec.Name)]; ok {
			sub := *ctx
			sub.Spec = spec
			h(&sub, n)
		}
	}
}

// readTimeDirectives are carried out (and their arguments checked) by the
// reader, as Apache's EXEC_ON_READ directives are.
var readTimeDirectives = map[string]bool{
	"include": true, "includeoptional": true, "define": true, "undefine": true,
	"serverroot": true, "loadmodule": true, "loadfile": true, "defaultruntimedir": true,
}

// unknown reports a directive no loaded module defines, in Apache's words.
func (c *compiler) unknown(n *Node, spec *Spec) {
	hint := ""
	switch {
	case strings.HasPrefix(n.Name, "\ufeff"):
		hint = "the file starts with a UTF-8 byte-order mark, which Apache does not skip either; save the file without it"
	case isExtension(spec):
		hint = spec.Name + " is an oidcgate extension, which Apache refuses; write it inside <IfModule oidcgate.c>"
	case spec != nil && headOnlyOIDC[strings.ToLower(spec.Name)]:
		hint = spec.Name + " is newer than Debian's mod_auth_openidc 2.4.12.3, which refuses it; oidcgate accepts it outside --apache mode"
	case spec != nil:
		id := ModuleID(spec.Module)
		hint = spec.Name + " belongs to " + spec.Module + ", which is not loaded; add LoadModule " + id + " (Apache refuses it too)"
	default:
		if s := c.reg.Suggest(n.Name); s != "" {
			hint = "did you mean " + s + "?"
		} else {
			hint = "oidcgate does not know this directive; if it comes from a module oidcgate does not support, remove it or wrap it in <IfModule>"
		}
	}
	c.add(SevError, StageWalk, n.Pos, n.Name, hint,
		"Invalid command '%s', perhaps misspelled or defined by a module not included in the server configuration", escapeLogItem(n.Name))
}

// escapeLogItem escapes a string as Apache's ap_escape_logitem does in
// its messages: control and non-ASCII bytes as \xhh, '"' and '\'
// with a backslash.
func escapeLogItem(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, "\\x%02x", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// contextError applies Apache's two context checks: the override mask
// (invoke_cmd) and the handler's ap_check_cmd_context.
func contextError(spec *Spec, ctx *walkCtx) string {
	avail := serverOverride
	if ctx.Sec != nil {
		avail = sectionOverride
		if ctx.inKind(SecProxy, SecProxyMatch) != nil {
			avail |= ProxyConf
		}
	}
	if spec.Override&avail == 0 {
		if enc := ctx.enclosing(); enc != "" {
			return spec.Name + " not allowed in " + enc + " context"
		}
		return spec.Name + " not allowed here"
	}
	name := spec.Name
	if spec.IsSection() {
		name += ">"
	}
	chk := spec.Check
	if chk&NotInVirtualHost != 0 && ctx.Srv.IsVirtual {
		return name + " cannot occur within <VirtualHost> section"
	}
	if chk&NotInLimit != 0 && ctx.inKind(SecLimit, SecLimitExcept) != nil {
		return name + " cannot occur within <Limit> or <LimitExcept> section"
	}
	var found *Section
	if chk&NotInDirectory != 0 {
		found = ctx.inKind(SecDirectory, SecDirectoryMatch)
	}
	if found == nil && chk&NotInLocation != 0 {
		found = ctx.inKind(SecLocation, SecLocationMatch)
	}
	if found == nil && chk&NotInFiles != 0 {
		found = ctx.inKind(SecFiles, SecFilesMatch, SecIf, SecElseIf, SecElse)
	}
	if found == nil && chk&NotInProxy != 0 {
		found = ctx.inKind(SecProxy, SecProxyMatch)
	}
	if found != nil {
		return name + " cannot occur within " + found.opener + "> section"
	}
	return ""
}

func contextHint(spec *Spec) string {
	var where []string
	if spec.Override&RsrcConf != 0 {
		where = append(where, "server config", "virtual host")
	}
	if spec.Override&(AccessConf|OrAll) != 0 {
		where = append(where, "directory sections")
	}
	if len(where) == 0 {
		return ""
	}
	return spec.Name + " is allowed in: " + strings.Join(where, ", ")
}

// finish runs the post-walk steps: vhosts are merged onto the main server's
// final settings (so main-server directives after a <VirtualHost> still
// reach it), as Apache's ap_fixup_virtual_hosts does.
func (c *compiler) finish() {
	main := c.cfg.Main
	c.resolvePidFile()
	resolveLogFormats(main, &c.diagSink)
	// A site file read on its own (fragment mode) has its main server in
	// apache2.conf: its missing ErrorLog and ServerName are not the file's.
	fragment := c.mods != nil && c.mods.All
	if !fragment || main.Log != nil && main.Log.ErrorLog != "" {
		c.checkErrorLogDir(main)
	}
	if main.Name == "" && len(c.cfg.Tree.Nodes) > 0 && !fragment {
		c.add(SevWarning, StageCheck, Pos{File: c.cfg.Tree.mainFile()}, "ServerName",
			"set ServerName in the main server; virtual hosts without one inherit it",
			"the main server has no ServerName: Apache guesses one from the machine's host name (AH00558)")
	}
	for _, vh := range c.cfg.VHosts {
		if vh.Name == "" {
			vh.Name, vh.NameScheme, vh.NamePort = main.Name, main.NameScheme, main.NamePort
		}
		vh.Sections = append(append([]*Section(nil), main.Sections...), vh.Sections...)
		vh.Dir = main.Dir.Merge(vh.Dir)
		vh.Core = main.Core.MergeVHost(vh.Core)
		vh.Proxy = main.Proxy.MergeVHost(vh.Proxy)
		vh.Log = main.Log.MergeVHost(vh.Log)
		vh.Alias = main.Alias.MergeVHost(vh.Alias)
		vh.SSL = main.SSL.MergeVHost(vh.SSL)
		vh.OIDC = main.OIDC.MergeVHost(vh.OIDC)
		resolveLogFormats(vh, &c.diagSink)
		c.checkErrorLogDir(vh)
	}
}

// checkErrorLogDir makes Apache's post-config check that the error log's
// directory exists (AH02291). oidcgate logs errors to standard error when
// it cannot open the file, so this only decides configtest --apache.
func (c *compiler) checkErrorLogDir(s *Server) {
	target, pos := "logs/error.log", s.Pos
	if s.Log != nil && s.Log.ErrorLog != "" {
		target, pos = s.Log.ErrorLog, s.Log.ErrorLogPos
	}
	if s.IsVirtual && (s.Log == nil || s.Log.ErrorLog == "" || samePos(s.Log.ErrorLogPos, c.cfg.Main.logPos())) {
		return // inherited from the main server, checked there
	}
	if strings.HasPrefix(target, "|") || strings.HasPrefix(target, "syslog") || strings.HasPrefix(target, "/dev/") {
		return
	}
	path := target
	if !filepath.IsAbs(path) {
		path = filepath.Join(c.cfg.ServerRoot, path)
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return
	}
	what := "main error log"
	if s.IsVirtual {
		what = fmt.Sprintf("error log of vhost defined at %s:%d", s.Pos.File, s.Pos.ApacheLine())
	}
	c.diags = append(c.diags, Diagnostic{Severity: SevError, ApacheOnly: true, Stage: StageCheck, Pos: pos, Directive: "ErrorLog",
		Msg:  "(2)No such file or directory: AH02291: Cannot access directory '" + dir + "/' for " + what,
		Hint: "oidcgate writes its error log to standard error when the file cannot be opened; create the directory or use ErrorLog /dev/stderr"})
}

func samePos(a, b Pos) bool { return a.File == b.File && a.Line == b.Line }

// resolvePidFile makes PidFile absolute as Apache's ap_runtime_dir_relative
// does.
func (c *compiler) resolvePidFile() {
	for _, n := range c.cfg.Tree.Nodes {
		if strings.EqualFold(n.Name, "DefaultRuntimeDir") && len(n.Args) == 1 {
			c.cfg.RuntimeDir = serverRootRelative(c.cfg.ServerRoot, n.Args[0].Text)
		}
	}
	p := c.cfg.PidFile
	if p == "" || filepath.IsAbs(p) {
		return
	}
	// Debian's Apache (2.4.71) writes a relative PidFile under ServerRoot,
	// whatever DefaultRuntimeDir says (measured: apache2 -k start and -S).
	c.cfg.PidFile = serverRootRelative(c.cfg.ServerRoot, p)
}
