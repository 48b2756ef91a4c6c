package proxy

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"testing"
)

// TestLocalAddr: the address a request came in on, from a *net.TCPAddr
// without formatting it, is what parsing its string form gives (IPv4,
// IPv4-mapped IPv6 unmapped, IPv6 with a zone), and other net.Addr types
// still work.
func TestLocalAddr(t *testing.T) {
	for _, c := range []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "127.0.0.1:8080"},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:10.0.0.1"), Port: 80}, "10.0.0.1:80"},
		{&net.TCPAddr{IP: net.ParseIP("::1"), Port: 443}, "[::1]:443"},
		{&net.TCPAddr{IP: net.ParseIP("fe80::1"), Port: 443, Zone: "eth0"}, "[fe80::1%eth0]:443"},
		{&net.UDPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 53}, "192.0.2.1:53"},
		{&net.TCPAddr{Port: 80}, "invalid AddrPort"},
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, c.addr))
		got := localAddr(r)
		if got.String() != c.want {
			t.Errorf("%v: %v, want %s", c.addr, got, c.want)
		}
		if ap, err := netip.ParseAddrPort(c.addr.String()); err == nil {
			if slow := netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()); slow != got {
				t.Errorf("%v: %v, the string form gives %v", c.addr, got, slow)
			}
		}
	}
}
