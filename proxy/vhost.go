package proxy

import (
	"errors"
	"net/netip"
	"path"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// ErrBadHost is returned for a Host that Apache refuses with 400.
var ErrBadHost = errors.New("bad Host")

// vhostKey is an address:port key of Apache's virtual host table; a zero
// addr is the wildcard address and port 0 any port.
type vhostKey struct {
	addr netip.Addr
	port int
}

type vhostGroup struct {
	vhosts []*apacheconf.Server
	addrs  [][]string // per vhost: the address texts, for the last-resort match
}

// VHostTable selects the server that handles a request, as Apache's
// vhost.c does: by the connection's local address first, then by name.
type VHostTable struct {
	main   *apacheconf.Server
	groups map[vhostKey]*vhostGroup
}

// Resolver resolves <VirtualHost> host names once, at startup.
type Resolver func(host string) ([]netip.Addr, error)

// NewVHostTable builds the table. resolve is used for addresses written as
// host names; names it cannot resolve are dropped, as Apache drops them
// with AH00547 (the compiler already warned).
func NewVHostTable(cfg *apacheconf.Config, resolve Resolver) *VHostTable {
	t := &VHostTable{main: cfg.Main, groups: map[vhostKey]*vhostGroup{}}
	for _, vh := range cfg.VHosts {
		seen := map[vhostKey]bool{}
		for _, a := range vh.Addrs {
			port := max(a.Port, 0) // ":*" and no port both mean any port
			var addrs []netip.Addr
			switch a.Host {
			case "*", "_default_":
				addrs = []netip.Addr{{}}
			default:
				if ip, err := netip.ParseAddr(a.Host); err == nil {
					addrs = []netip.Addr{ip.Unmap()}
				} else if resolve != nil {
					addrs, _ = resolve(a.Host)
				}
			}
			for _, ip := range addrs {
				k := vhostKey{ip.Unmap(), port}
				if seen[k] {
					continue
				}
				seen[k] = true
				g := t.groups[k]
				if g == nil {
					g = &vhostGroup{}
					t.groups[k] = g
				}
				g.vhosts = append(g.vhosts, vh)
				texts := make([]string, len(vh.Addrs))
				for i, x := range vh.Addrs {
					texts[i] = strings.ToLower(x.Host)
				}
				g.addrs = append(g.addrs, texts)
			}
		}
	}
	return t
}

// Select returns the server for a request that arrived on local with the
// given Host (from the absolute request URI if there was one, else the
// Host header; "" for HTTP/1.0 without Host).
func (t *VHostTable) Select(local netip.AddrPort, host string) (*apacheconf.Server, error) {
	name, err := NormalizeHost(host)
	if err != nil {
		return nil, err
	}
	g := t.group(local)
	if g == nil {
		return t.main, nil
	}
	if len(g.vhosts) == 1 {
		return g.vhosts[0], nil // IP-based: no name check
	}
	if name != "" {
		for _, vh := range g.vhosts {
			if strings.EqualFold(vh.Name, name) {
				return vh, nil
			}
			for _, al := range vh.Aliases {
				if matchAlias(al, name) {
					return vh, nil
				}
			}
		}
		for i, vh := range g.vhosts {
			for _, a := range g.addrs[i] {
				if a == name {
					return vh, nil
				}
			}
		}
	}
	return g.vhosts[0], nil
}

// group finds the address group for a connection: exact address and port,
// then the address with any port, then the wildcard address with the port,
// then the wildcard with any port.
func (t *VHostTable) group(local netip.AddrPort) *vhostGroup {
	ip, port := local.Addr().Unmap(), int(local.Port())
	for _, k := range []vhostKey{{ip, port}, {ip, 0}, {netip.Addr{}, port}, {netip.Addr{}, 0}} {
		if g := t.groups[k]; g != nil {
			return g
		}
	}
	return nil
}

// NormalizeHost lower-cases a Host value, drops its port and one trailing
// dot, and refuses what Apache refuses with 400.
func NormalizeHost(host string) (string, error) {
	if host == "" {
		return "", nil
	}
	h := host
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return "", ErrBadHost
		}
		rest := h[end+1:]
		if rest != "" && (!strings.HasPrefix(rest, ":") || !allDigits(rest[1:])) {
			return "", ErrBadHost
		}
		return strings.ToLower(h[:end+1]), nil
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		if !allDigits(h[i+1:]) {
			return "", ErrBadHost
		}
		h = h[:i]
	}
	if strings.Contains(h, "..") {
		return "", ErrBadHost
	}
	h = strings.TrimSuffix(h, ".")
	if h == "" || strings.ContainsAny(h, "/\\ \t:") {
		return "", ErrBadHost
	}
	if allDigits(strings.ReplaceAll(h, ".", "")) {
		// Strict host checking: a numeric host must be a dotted quad.
		if _, err := netip.ParseAddr(h); err != nil {
			return "", ErrBadHost
		}
	}
	return strings.ToLower(h), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// matchAlias matches a ServerAlias, with '*' and '?' wildcards that may
// cross dots, case-insensitively.
func matchAlias(alias, name string) bool {
	alias = strings.ToLower(alias)
	if !strings.ContainsAny(alias, "*?") {
		return alias == name
	}
	// path.Match treats '/' specially; host names have none.
	ok, err := path.Match(alias, name)
	return err == nil && ok
}
