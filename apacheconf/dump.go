package apacheconf

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// addrKey renders a vhost address as Apache's -S does ("*:80").
func (a VHostAddr) String() string {
	host := a.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	switch a.Port {
	case 0:
		return host
	case -1:
		return host + ":*"
	}
	return host + ":" + strconv.Itoa(a.Port)
}

// DumpVHosts writes the virtual host table the way `apache2 -S` (or -t
// -D DUMP_VHOSTS) does: addresses with one vhost name the vhost, addresses
// with several are NameVirtualHosts whose first vhost is the default
// server. DumpRunConfig writes the rest of -S.
func DumpVHosts(w io.Writer, cfg *Config) {
	type entry struct {
		addr string
		vhs  []*Server
	}
	var order []string
	byAddr := map[string]*entry{}
	for _, vh := range cfg.VHosts {
		for _, a := range vh.Addrs {
			k := a.String()
			e := byAddr[k]
			if e == nil {
				e = &entry{addr: k}
				byAddr[k] = e
				order = append(order, k)
			}
			e.vhs = append(e.vhs, vh)
		}
	}
	fmt.Fprintln(w, "VirtualHost configuration:")
	for _, k := range order {
		e := byAddr[k]
		if len(e.vhs) == 1 {
			vh := e.vhs[0]
			fmt.Fprintf(w, "%-22s %s (%s:%d)\n", k, vh.Name, vh.Pos.File, vh.Pos.Line)
			continue
		}
		fmt.Fprintf(w, "%-22s is a NameVirtualHost\n", k)
		fmt.Fprintf(w, "         default server %s (%s:%d)\n", e.vhs[0].Name, e.vhs[0].Pos.File, e.vhs[0].Pos.Line)
		for _, vh := range e.vhs {
			port := k[strings.LastIndexByte(k, ':')+1:]
			fmt.Fprintf(w, "         port %s namevhost %s (%s:%d)\n", port, vh.Name, vh.Pos.File, vh.Pos.Line)
			for _, al := range vh.Aliases {
				fmt.Fprintf(w, "                 alias %s\n", al)
			}
		}
	}
}

// DumpModules writes the loaded modules the way `apache2 -M` does.
func DumpModules(w io.Writer, mods *ModuleSet) {
	fmt.Fprintln(w, "Loaded Modules:")
	for _, m := range mods.List() {
		kind := "shared"
		if m.Static {
			kind = "static"
		}
		fmt.Fprintf(w, " %s (%s)\n", m.ID, kind)
	}
}

// DumpIncludes writes the included-file tree as `apache2 -t -D
// DUMP_INCLUDES` does.
func DumpIncludes(w io.Writer, tree *Tree) {
	fmt.Fprintln(w, "Included configuration files:")
	for i, f := range tree.Files {
		indent := strings.Repeat("  ", f.Depth+1)
		if i == 0 {
			fmt.Fprintf(w, "%s(*) %s\n", indent, f.Path)
			continue
		}
		fmt.Fprintf(w, "%s(%d) %s\n", indent, f.Line, f.Path)
	}
}

// DumpRoutes writes what oidcgate will serve: each server with its names,
// then its sections in file order (main server's first, as they merge),
// each with file:line.
func DumpRoutes(w io.Writer, cfg *Config) {
	dumpServer := func(title string, s *Server) {
		fmt.Fprintf(w, "%s\n", title)
		if s.Name != "" {
			fmt.Fprintf(w, "  ServerName %s (%s)\n", s.Name, s.NamePos)
		}
		for _, a := range s.Aliases {
			fmt.Fprintf(w, "  ServerAlias %s\n", a)
		}
		if s.Proxy != nil && len(s.Proxy.Rules) > 0 {
			fmt.Fprintln(w, "  ProxyPass rules in the order they are tried:")
			for _, r := range s.Proxy.Rules {
				fmt.Fprintf(w, "    %s %s\n", ruleText(r), r.Pos)
			}
		}
		fmt.Fprintln(w, "  sections in merge order:")
		for _, sec := range s.MergeOrder() {
			g, _ := sec.Group()
			fmt.Fprintf(w, "    %-14s <%s %s> %s", g, sec.Kind, sec.Arg, sec.Pos)
			if d := sec.Dir; d != nil {
				if d.Authz != nil && d.Authz.AuthType != "" {
					fmt.Fprintf(w, "  AuthType %s", d.Authz.AuthType)
				}
				if d.Proxy != nil && d.Proxy.Rule != nil {
					fmt.Fprintf(w, "  %s", ruleText(d.Proxy.Rule))
				}
			}
			fmt.Fprintln(w)
		}
	}
	for _, l := range cfg.Listens {
		host := l.Host
		if host == "" {
			host = "*"
		}
		fmt.Fprintf(w, "Listen %s:%d %s (%s)\n", host, l.Port, l.Proto, l.Pos)
	}
	dumpServer("main server", cfg.Main)
	for _, vh := range cfg.VHosts {
		addrs := make([]string, len(vh.Addrs))
		for i, a := range vh.Addrs {
			addrs[i] = a.String()
		}
		dumpServer(fmt.Sprintf("<VirtualHost %s> %s", strings.Join(addrs, " "), vh.Pos), vh)
	}
}

// DumpTree writes the read tree, one node per line with its position and
// arguments, children indented. Paths are shown relative to root when they
// are under it.
func DumpTree(w io.Writer, nodes []*Node, root string) {
	var dump func(nodes []*Node, depth int)
	dump = func(nodes []*Node, depth int) {
		for _, n := range nodes {
			args := make([]string, len(n.Args))
			for i, a := range n.Args {
				args[i] = strconv.Quote(a.Text)
			}
			fmt.Fprintf(w, "%s%s %s [%s]\n", strings.Repeat("  ", depth), relPos(n.Pos, root), n.Name, strings.Join(args, " "))
			dump(n.Children, depth+1)
		}
	}
	dump(nodes, 0)
}

// relPos renders a position with the file relative to root.
func relPos(p Pos, root string) string {
	if root != "" {
		if rel, ok := strings.CutPrefix(p.File, strings.TrimSuffix(root, "/")+"/"); ok {
			p.File = rel
		}
	}
	p.Chain = nil
	return p.String()
}

// ruleText is a ProxyPass rule as a line of routes' output.
func ruleText(r *ProxyRule) string {
	from := r.Path
	if r.Regex != nil {
		from = "~ " + regexSource(r.Regex)
	}
	if r.InLocation {
		from = "(section)"
	}
	if r.Exclude {
		return "ProxyPass " + from + " !"
	}
	return "ProxyPass " + from + " -> " + r.Target
}
