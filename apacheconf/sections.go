package apacheconf

import (
	"strconv"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf/expr"
)

var sectionKinds = map[string]SectionKind{
	"<directory": SecDirectory, "<directorymatch": SecDirectoryMatch,
	"<files": SecFiles, "<filesmatch": SecFilesMatch,
	"<location": SecLocation, "<locationmatch": SecLocationMatch,
	"<proxy": SecProxy, "<proxymatch": SecProxyMatch,
	"<if": SecIf, "<elseif": SecElseIf, "<else": SecElse,
	"<limit": SecLimit, "<limitexcept": SecLimitExcept,
}

// withSection returns a context for the body of sec, whose settings go to
// dir. Handlers of sections that own their children use it before walking
// them when the section is a scope of its own.
func (c *walkCtx) withSection(sec *Section, dir *DirConfig) *walkCtx {
	sub := *c
	sub.Sec = sec
	sub.Dir = dir
	sub.sections = append(append([]*Section(nil), c.sections...), sec)
	return &sub
}

// section compiles a section node. It returns the section when it is an
// <If>/<ElseIf> that a following <ElseIf>/<Else> may continue.
func (c *compiler) section(ctx *walkCtx, n *Node, spec *Spec, prevIf *Section) *Section {
	key := strings.ToLower(spec.Name)
	if h, ok := c.handlers[key]; ok {
		// The section's module owns its children (<RequireAll>, <Limit>...).
		if n.missingGT {
			c.add(SevError, StageWalk, n.Pos, n.Name, "", "%s> directive missing closing '>'", spec.Name)
			return nil
		}
		sub := *ctx
		sub.Spec = spec
		h(&sub, n)
		return nil
	}
	if n.missingGT {
		c.add(SevError, StageWalk, n.Pos, n.Name, "close the opener with '>'", "%s> directive missing closing '>'", spec.Name)
		return nil
	}
	if n.Trailing != "" {
		c.add(SevWarning, StageWalk, n.Pos, n.Name, "move it to a line of its own",
			"text after the closing '>' of %s> is ignored by Apache: %q", spec.Name, n.Trailing)
	}
	if key == "<virtualhost" {
		c.virtualHost(ctx, n, spec)
		return nil
	}
	kind, ok := sectionKinds[key]
	if !ok {
		return nil
	}
	sec := &Section{Kind: kind, Pos: n.Pos, Dir: &DirConfig{}, opener: n.Name}
	if kind == SecLimit || kind == SecLimitExcept {
		c.limit(ctx, n, spec, sec)
		return nil
	}
	switch kind {
	case SecElse:
		if len(n.Args) > 0 {
			c.add(SevError, StageWalk, n.Pos, n.Name, "", "<Else> does not take an argument")
			return nil
		}
		if prevIf == nil {
			c.add(SevError, StageWalk, n.Pos, n.Name, "", "<Else> or <ElseIf> section without previous <If> or <ElseIf> section in same scope")
			return nil
		}
	case SecElseIf, SecIf:
		if kind == SecElseIf && prevIf == nil {
			c.add(SevError, StageWalk, n.Pos, n.Name, "", "<Else> or <ElseIf> section without previous <If> or <ElseIf> section in same scope")
			return nil
		}
		if strings.TrimSpace(n.Raw) == "" {
			c.add(SevError, StageWalk, n.Pos, n.Name, "", "%s> directive requires additional arguments", spec.Name)
			return nil
		}
		// The expression is one quoted word in practice; keep it unquoted.
		sec.Arg = n.Raw
		if len(n.Args) == 1 {
			sec.Arg = n.Args[0].Text
		}
		x, err := expr.Parse(sec.Arg, expr.Boolean)
		if err != nil {
			c.add(SevError, StageWalk, n.Pos, n.Name, "", "Cannot parse condition clause: %s", err.Error())
			return nil
		}
		sec.Expr = x
	default:
		if !c.pathSectionArg(n, spec, sec) {
			return nil
		}
	}
	sec.Parent = ctx.Sec
	if ctx.Sec != nil {
		ctx.Sec.Nested = append(ctx.Sec.Nested, sec)
	} else {
		ctx.Srv.Sections = append(ctx.Srv.Sections, sec)
	}
	c.walk(ctx.withSection(sec, sec.Dir), n.Children)
	if kind == SecIf || kind == SecElseIf {
		return sec
	}
	return nil
}

// limit compiles <Limit methods…> and <LimitExcept methods…>. They are
// not scopes of their own: the directives inside go to the enclosing
// scope, and modules that honour method limits (Require) find the section
// in walkCtx.Sec.
func (c *compiler) limit(ctx *walkCtx, n *Node, spec *Spec, sec *Section) {
	if len(n.Args) == 0 {
		c.add(SevError, StageWalk, n.Pos, n.Name, "", "%s> directive requires additional arguments", spec.Name)
		return
	}
	for _, w := range n.Args {
		m := w.Text
		if m == "TRACE" && sec.Kind == SecLimit {
			c.add(SevError, StageWalk, n.Pos, n.Name, "", "TRACE cannot be controlled by <Limit>, see TraceEnable")
			return
		}
		sec.Methods = append(sec.Methods, m)
	}
	sec.Arg = strings.Join(sec.Methods, " ")
	sec.Parent = ctx.Sec
	c.walk(ctx.withSection(sec, ctx.Dir), n.Children)
}

// pathSectionArg parses the argument of a Directory/Files/Location/Proxy
// section or its Match form, with Apache's errors.
func (c *compiler) pathSectionArg(n *Node, spec *Spec, sec *Section) bool {
	args := n.Args
	if len(args) == 0 || args[0].Text == "" {
		c.add(SevError, StageWalk, n.Pos, n.Name, "", "%s> directive requires additional arguments", spec.Name)
		return false
	}
	isMatch := strings.HasSuffix(strings.ToLower(spec.Name), "match")
	arg := args[0].Text
	rest := args[1:]
	if arg == "~" && !isMatch {
		if len(rest) == 0 {
			c.add(SevError, StageWalk, n.Pos, n.Name, "", "%s> directive requires additional arguments", spec.Name)
			return false
		}
		arg, rest = rest[0].Text, rest[1:]
		isMatch = true
		sec.Kind = matchKind(sec.Kind)
	}
	if len(rest) > 0 {
		c.add(SevError, StageWalk, n.Pos, n.Name, "use one section per path, or a …Match section with an alternation", "Multiple %s> arguments not (yet) supported.", spec.Name)
		return false
	}
	sec.Arg = arg
	if isMatch {
		re, err := compileRegex("", arg)
		if err != nil {
			c.add(SevError, StageWalk, n.Pos, n.Name, "Go's RE2 syntax differs from PCRE for back-references and look-around: "+err.Error(), "Regex could not be compiled")
			return false
		}
		sec.Regex = re
		return true
	}
	sec.Wildcard = strings.ContainsAny(arg, "*?[")
	if sec.Kind == SecDirectory && !strings.HasPrefix(arg, "/") && arg != "proxy:" {
		sec.Arg = strings.TrimSuffix(c.cfg.ServerRoot, "/") + "/" + arg
	}
	return true
}

func matchKind(k SectionKind) SectionKind {
	switch k {
	case SecDirectory:
		return SecDirectoryMatch
	case SecFiles:
		return SecFilesMatch
	case SecLocation:
		return SecLocationMatch
	case SecProxy:
		return SecProxyMatch
	}
	return k
}

// virtualHost compiles a <VirtualHost> section into a new Server.
func (c *compiler) virtualHost(ctx *walkCtx, n *Node, spec *Spec) {
	if len(n.Args) == 0 {
		c.add(SevError, StageWalk, n.Pos, n.Name, "", "%s> directive requires additional arguments", spec.Name)
		return
	}
	vh := &Server{Pos: n.Pos, IsVirtual: true, Dir: &DirConfig{}, opener: n.Name}
	for _, w := range n.Args {
		a, msg := parseVHostAddr(w.Text)
		if msg != "" {
			// Apache resolves the address and, when that fails, warns
			// (AH00547) and drops it.
			c.diags = append(c.diags, Diagnostic{Severity: SevWarning, Stage: StageWalk, Pos: n.Pos, Directive: n.Name,
				Code: "AH00547", Msg: "Could not resolve host name " + w.Text + " -- ignoring!", Hint: msg})
			continue
		}
		vh.Addrs = append(vh.Addrs, a)
	}
	c.cfg.VHosts = append(c.cfg.VHosts, vh)
	sub := c.newCtx(vh, vh.Dir, nil)
	c.walk(sub, n.Children)
}

// parseVHostAddr parses one <VirtualHost> address: host[:port], [v6][:port],
// *, *:port, _default_[:port], with :* for any port.
func parseVHostAddr(s string) (VHostAddr, string) {
	host, port := s, ""
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return VHostAddr{}, "Invalid address or port"
		}
		host, port = s[1:end], strings.TrimPrefix(s[end+1:], ":")
	} else if i := strings.LastIndexByte(s, ':'); i >= 0 && strings.Count(s, ":") == 1 {
		host, port = s[:i], s[i+1:]
	}
	a := VHostAddr{Host: host}
	switch port {
	case "":
	case "*":
		a.Port = -1
	default:
		p, err := strconv.Atoi(port)
		if err != nil || p < 0 || p > 65535 {
			return VHostAddr{}, "The address or port is invalid"
		}
		a.Port = p
	}
	return a, ""
}

// compileServerName handles ServerName [scheme://]fqdn[:port].
func compileServerName(c *walkCtx, n *Node) {
	arg := n.Args[0].Text
	scheme := ""
	if i := strings.Index(arg, "://"); i > 0 {
		scheme, arg = strings.ToLower(arg[:i]), arg[i+3:]
	}
	host, port := arg, 0
	if i := strings.LastIndexByte(arg, ':'); i >= 0 && !strings.HasSuffix(arg, "]") {
		p, err := strconv.Atoi(arg[i+1:])
		if err != nil || p < 1 || p > 65535 {
			c.errorf(n, "", "The port number \"%s\" is outside the appropriate range (i.e., 1..65535).", n.Args[0].Text)
			return
		}
		host, port = arg[:i], p
	}
	c.Srv.Name, c.Srv.NameScheme, c.Srv.NamePort, c.Srv.NamePos = host, scheme, port, n.Pos
}

// compileServerAlias handles ServerAlias name... (virtual hosts only).
func compileServerAlias(c *walkCtx, n *Node) {
	if !c.Srv.IsVirtual {
		c.errorf(n, "put ServerAlias inside a <VirtualHost>", "ServerAlias only used in <VirtualHost>")
		return
	}
	for _, w := range n.Args {
		c.Srv.Aliases = append(c.Srv.Aliases, w.Text)
	}
}

// compileListen handles Listen [addr:]port [protocol].
func compileListen(c *walkCtx, n *Node) {
	if len(n.Args) < 1 || len(n.Args) > 2 {
		c.errorf(n, "", "Listen requires 1 or 2 arguments.")
		return
	}
	arg := n.Args[0].Text
	host, portStr := "", arg
	if strings.HasPrefix(arg, "[") {
		end := strings.IndexByte(arg, ']')
		if end < 0 || !strings.HasPrefix(arg[end+1:], ":") {
			c.errorf(n, "", "Invalid address or port")
			return
		}
		host, portStr = arg[1:end], arg[end+2:]
	} else if i := strings.LastIndexByte(arg, ':'); i >= 0 {
		host, portStr = arg[:i], arg[i+1:]
	} else if _, err := strconv.Atoi(arg); err != nil {
		// A bare word is a host without a port.
		c.errorf(n, "add the port: Listen "+arg+":80", "Port must be specified")
		return
	}
	if host == "*" {
		host = ""
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		c.errorf(n, "", "Invalid address or port")
		return
	}
	if port == 0 {
		c.errorf(n, "", "Port must be specified")
		return
	}
	for _, prev := range c.cfg().Listens {
		if prev.Host == host && prev.Port == port {
			c.errorf(n, "already listening there since "+prev.Pos.String(), "Cannot define multiple Listeners on the same IP:port")
			return
		}
	}
	l := Listen{Pos: n.Pos, Host: host, Port: port}
	if len(n.Args) == 2 {
		l.Proto = strings.ToLower(n.Args[1].Text)
	}
	c.cfg().Listens = append(c.cfg().Listens, l)
}
