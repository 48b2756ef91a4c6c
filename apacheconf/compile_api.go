package apacheconf

import "strings"

// handler compiles one directive into the model. It runs after the registry
// has checked the directive's context and arity, so it only validates the
// argument values. It reports problems through the walkCtx and never
// panics.
type handler func(c *walkCtx, n *Node)

// walkCtx is what a handler sees: where the directive is and where to put
// what it means.
type walkCtx struct {
	diags *diagSink
	// Srv is the server being configured: the main server or a vhost.
	Srv *Server
	// Dir is the per-directory config of the current scope: the section's,
	// or Srv.Dir at server level.
	Dir *DirConfig
	// Sec is the innermost enclosing section, nil at server level.
	Sec *Section
	// Spec is the registry entry of the directive being compiled.
	Spec *Spec
	// ServerRoot resolves relative paths as Apache's ap_server_root_relative.
	ServerRoot string
	// Modules is the module set the read pass ended with.
	Modules *ModuleSet
	// walkFn compiles nodes in the current scope; see walk.
	walkFn func(c *walkCtx, nodes []*Node)
	// sections is the stack of enclosing sections, outermost first.
	sections []*Section
	conf     *Config
}

// strict reports whether the configuration is compiled exactly as
// Debian's Apache would (configtest --apache).
func (c *walkCtx) strict() bool { return c.conf != nil && c.conf.Tree != nil && c.conf.Tree.Strict }

// cfg is the configuration being built (for global lists such as Listen).
func (c *walkCtx) cfg() *Config { return c.conf }

// enclosing names the innermost enclosing section as Apache's context
// errors do ("<Location>", "<VirtualHost>"), or "" at top level.
func (c *walkCtx) enclosing() string {
	if len(c.sections) > 0 {
		return c.sections[len(c.sections)-1].opener + ">"
	}
	if c.Srv != nil && c.Srv.IsVirtual {
		return c.Srv.opener + ">"
	}
	return ""
}

// inKind returns the nearest enclosing section of one of the kinds.
func (c *walkCtx) inKind(kinds ...SectionKind) *Section {
	for i := len(c.sections) - 1; i >= 0; i-- {
		for _, k := range kinds {
			if c.sections[i].Kind == k {
				return c.sections[i]
			}
		}
	}
	return nil
}

// walk compiles nodes (the children of a section whose handler owns them,
// such as <RequireAll> or <Limit>) in the current scope, with the usual
// registry checks.
func (c *walkCtx) walk(nodes []*Node) {
	if c.walkFn != nil {
		c.walkFn(c, nodes)
	}
}

// errorf records an Apache-worded error for n. hint may be "".
func (c *walkCtx) errorf(n *Node, hint, format string, args ...any) {
	c.diags.add(SevError, StageWalk, n.Pos, n.Name, hint, format, args...)
}

// warnf records a warning for n.
func (c *walkCtx) warnf(n *Node, hint, format string, args ...any) {
	c.diags.add(SevWarning, StageWalk, n.Pos, n.Name, hint, format, args...)
}

// checkf records a post-config check error (Apache prints these without a
// position; we keep n's).
func (c *walkCtx) checkf(n *Node, hint, format string, args ...any) {
	c.diags.add(SevError, StageCheck, n.Pos, n.Name, hint, format, args...)
}

// atServer reports whether the directive is outside any section.
func (c *walkCtx) atServer() bool { return c.Sec == nil }

// flag parses a FLAG argument (already checked to be On or Off).
func flag(n *Node) bool {
	return len(n.Args) > 0 && strings.EqualFold(n.Args[0].Text, "on")
}
