package apacheconf

import (
	"context"
	"net"
	"os"
	"strings"
	"time"
)

// LocalHostName is the name Apache gives the main server when no
// ServerName is set (ap_get_local_host): see LocalHostNameFQDN.
func LocalHostName() string {
	name, _ := LocalHostNameFQDN()
	return name
}

// LocalHostNameFQDN is Apache's ap_get_local_host: the machine's host
// name when its canonical name (/etc/hosts' first name, DNS's CNAME
// target) is fully qualified (fqdn true), else its first IPv4 address,
// else 127.0.0.1 — the two cases in which Apache warns (AH00558).
func LocalHostNameFQDN() (name string, fqdn bool) {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "127.0.0.1", false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var r net.Resolver
	ips, err := r.LookupIP(ctx, "ip4", h)
	if err != nil || len(ips) == 0 {
		return "127.0.0.1", false
	}
	if cname, err := r.LookupCNAME(ctx, h); err == nil {
		if cname = strings.TrimSuffix(cname, "."); strings.Contains(cname, ".") {
			return cname, true
		}
	}
	return ips[0].String(), false
}

// ReverseName is the name Apache gives a virtual host with no ServerName
// and no wildcard address: the reverse DNS name of its first address
// (host names are resolved first), or "bogus_host_without_reverse_dns"
// (Apache's AH00549 case).
func ReverseName(host string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var r net.Resolver
	ip := host
	if net.ParseIP(host) == nil {
		ips, err := r.LookupIP(ctx, "ip", host)
		if err != nil || len(ips) == 0 {
			return "bogus_host_without_reverse_dns"
		}
		ip = ips[0].String()
	}
	names, err := r.LookupAddr(ctx, ip)
	if err != nil || len(names) == 0 {
		return "bogus_host_without_reverse_dns"
	}
	return strings.TrimSuffix(names[0], ".")
}

// NameUnnamed names the servers that have no ServerName of their own as
// Apache does once the configuration is read (ap_fini_vhost_config): the
// main server after the machine (local, normally LocalHostName); a
// virtual host with a wildcard address (*, _default_, 0.0.0.0, ::) after
// the main server; any other virtual host after the reverse DNS of its
// first address (reverse, normally ReverseName). X-Forwarded-Server, %v,
// SERVER_NAME and the choice of a virtual host by name then follow
// Apache. Compile leaves these names empty or inherited so that reading a
// configuration does not depend on the machine; serve and -S call this.
func (cfg *Config) NameUnnamed(local func() string, reverse func(host string) string) {
	main := cfg.Main
	if main.Name == "" {
		main.Name = local()
	}
	for _, vh := range cfg.VHosts {
		if vh.NamePos.Line != 0 || len(vh.Addrs) == 0 {
			continue // its own ServerName
		}
		if hasWildcardAddr(vh.Addrs) {
			vh.Name = main.Name
			continue
		}
		vh.Name = reverse(vh.Addrs[0].Host)
	}
}

func hasWildcardAddr(addrs []VHostAddr) bool {
	for _, a := range addrs {
		switch a.Host {
		case "*", "_default_":
			return true
		}
		if ip := net.ParseIP(a.Host); ip != nil && ip.IsUnspecified() {
			return true
		}
	}
	return false
}
