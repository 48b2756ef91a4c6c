package urlcheck

import (
	"net/http"
	"strings"
	"testing"
)

func newReq(host, requestURI string, hdr map[string]string) *http.Request {
	r := &http.Request{Method: "GET", Host: host, RequestURI: requestURI, Header: http.Header{}}
	for k, v := range hdr {
		for _, part := range strings.Split(v, "\n") {
			r.Header.Add(k, part)
		}
	}
	return r
}

func TestCurrentURL(t *testing.T) {
	none := ForwardedTrust{}
	all := ForwardedTrust{XForwardedHost: true, XForwardedPort: true, XForwardedProto: true}
	xfp := ForwardedTrust{XForwardedProto: true}
	xfh := ForwardedTrust{XForwardedHost: true}
	fwd := ForwardedTrust{Forwarded: true}
	fwdAll := ForwardedTrust{Forwarded: true, XForwardedHost: true, XForwardedProto: true, XForwardedPort: true}
	for _, c := range []struct {
		name   string
		trust  ForwardedTrust
		tls    bool
		lport  int
		host   string
		uri    string
		hdr    map[string]string
		scheme string
		h, p   string
		full   string
	}{
		{"plain http", none, false, 80, "www.example.com", "/x?y=1", nil,
			"http", "www.example.com", "", "http://www.example.com/x?y=1"},
		{"tls default port", none, true, 443, "www.example.com", "/", nil,
			"https", "www.example.com", "", "https://www.example.com/"},
		{"tls local port", none, true, 8443, "www.example.com", "/", nil,
			"https", "www.example.com", "8443", "https://www.example.com:8443/"},
		{"http on 443 keeps port", none, false, 443, "www.example.com", "/", nil,
			"http", "www.example.com", "443", "http://www.example.com:443/"},
		{"port from Host", none, true, 443, "www.example.com:8443", "/a", nil,
			"https", "www.example.com", "8443", "https://www.example.com:8443/a"},
		{"explicit default port kept", none, true, 443, "www.example.com:443", "/", nil,
			"https", "www.example.com", "443", "https://www.example.com:443/"},
		{"raw encoding kept", none, true, 443, "www.example.com", "/a%2Fb/%7e?x=%20&y", nil,
			"https", "www.example.com", "", "https://www.example.com/a%2Fb/%7e?x=%20&y"},
		{"untrusted headers ignored", none, false, 8080, "internal:8080", "/",
			map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example", "X-Forwarded-Port": "1", "Forwarded": "host=evil.example;proto=https"},
			"http", "internal", "8080", "http://internal:8080/"},
		{"xfp https", xfp, false, 80, "www.example.com", "/", map[string]string{"X-Forwarded-Proto": "https"},
			"https", "www.example.com", "", "https://www.example.com/"},
		{"xfp suppresses local port", xfp, false, 8080, "www.example.com", "/", map[string]string{"X-Forwarded-Proto": "https"},
			"https", "www.example.com", "", "https://www.example.com/"},
		{"xfp left-most", xfp, false, 80, "www.example.com", "/", map[string]string{"X-Forwarded-Proto": "https, http"},
			"https", "www.example.com", "", "https://www.example.com/"},
		{"xfp repeated header", xfp, false, 80, "www.example.com", "/", map[string]string{"X-Forwarded-Proto": "http\nhttps"},
			"http", "www.example.com", "", "http://www.example.com/"},
		{"xfp bogus becomes https", xfp, false, 80, "www.example.com", "/", map[string]string{"X-Forwarded-Proto": "hxxx"},
			"https", "www.example.com", "", "https://www.example.com/"},
		{"xfp upper case becomes https (2.4.12.3)", xfp, false, 80, "www.example.com", "/", map[string]string{"X-Forwarded-Proto": "HTTP"},
			"https", "www.example.com", "", "https://www.example.com/"},
		{"xfp empty is absent", xfp, false, 8080, "www.example.com", "/", map[string]string{"X-Forwarded-Proto": " , "},
			"http", "www.example.com", "8080", "http://www.example.com:8080/"},
		{"xfh replaces host, no port", xfh, false, 8080, "internal:8080", "/p", map[string]string{"X-Forwarded-Host": "www.outer.example"},
			"http", "www.outer.example", "", "http://www.outer.example/p"},
		{"xfh with port", xfh, true, 443, "internal", "/", map[string]string{"X-Forwarded-Host": "www.outer.example:654"},
			"https", "www.outer.example", "654", "https://www.outer.example:654/"},
		{"xfh left-most", xfh, true, 443, "internal", "/", map[string]string{"X-Forwarded-Host": "a.example b.example,c.example"},
			"https", "a.example", "", "https://a.example/"},
		{"xfh + xfp + xfport", all, false, 80, "internal", "/secure?x",
			map[string]string{"X-Forwarded-Host": "www.outer.example:654", "X-Forwarded-Proto": "https", "X-Forwarded-Port": "321"},
			"https", "www.outer.example", "321", "https://www.outer.example:321/secure?x"},
		{"xfport not a number is absent", all, false, 80, "internal", "/",
			map[string]string{"X-Forwarded-Host": "www.outer.example:654", "X-Forwarded-Port": "32a"},
			"http", "www.outer.example", "654", "http://www.outer.example:654/"},
		{"xfport 443 kept", all, false, 80, "internal", "/",
			map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Port": "443"},
			"https", "internal", "443", "https://internal:443/"},
		{"xfport alone", ForwardedTrust{XForwardedPort: true}, false, 80, "www.example.com:8080", "/",
			map[string]string{"X-Forwarded-Port": "9090"},
			"http", "www.example.com", "9090", "http://www.example.com:9090/"},
		{"forwarded host and proto", fwd, false, 8080, "internal:8080", "/x",
			map[string]string{"Forwarded": "for=192.0.2.1;host=www.fwd.example;proto=https"},
			"https", "www.fwd.example", "", "https://www.fwd.example/x"},
		{"forwarded names case-insensitive", fwd, true, 443, "internal", "/",
			map[string]string{"Forwarded": "Host=WWW.FWD.EXAMPLE:8443;Proto=http"},
			"http", "WWW.FWD.EXAMPLE", "8443", "http://WWW.FWD.EXAMPLE:8443/"},
		{"forwarded only first element", fwd, true, 443, "www.example.com", "/",
			map[string]string{"Forwarded": "for=192.0.2.1, host=second.example;proto=http"},
			"https", "www.example.com", "", "https://www.example.com/"},
		{"forwarded repeated header", fwd, true, 443, "www.example.com", "/",
			map[string]string{"Forwarded": "host=first.example\nhost=second.example"},
			"https", "first.example", "", "https://first.example/"},
		{"forwarded quotes kept", fwd, true, 443, "www.example.com", "/",
			map[string]string{"Forwarded": `host="q.example"`},
			"https", `"q.example"`, "", `https://"q.example"/`},
		{"forwarded value ends at space", fwd, true, 443, "www.example.com", "/",
			map[string]string{"Forwarded": "host=a.example junk;proto=http"},
			"http", "a.example", "", "http://a.example/"},
		{"forwarded trusted but absent", fwd, true, 8443, "www.example.com", "/", nil,
			"https", "www.example.com", "8443", "https://www.example.com:8443/"},
		{"forwarded wins over x-forwarded (2.4.12.3: no fallback)", fwdAll, false, 80, "internal", "/",
			map[string]string{"Forwarded": "for=192.0.2.1", "X-Forwarded-Host": "xfh.example", "X-Forwarded-Proto": "https"},
			"http", "internal", "", "http://internal/"},
		{"forwarded host, xfport", fwdAll, true, 443, "internal", "/",
			map[string]string{"Forwarded": "host=www.fwd.example:1000", "X-Forwarded-Port": "2000"},
			"https", "www.fwd.example", "2000", "https://www.fwd.example:2000/"},
		{"ipv6 host with port", none, true, 443, "[2001:db8::1]:8443", "/", nil,
			"https", "[2001:db8::1]", "8443", "https://[2001:db8::1]:8443/"},
		{"ipv6 host", none, true, 443, "[2001:db8::1]", "/", nil,
			"https", "[2001:db8::1]", "", "https://[2001:db8::1]/"},
		{"ipv6 without bracket end", none, true, 443, "[::1", "/", nil,
			"https", "[::1", "", "https://[::1/"},
		{"bad Host port dropped", none, true, 8443, "www.example.com:abc", "/", nil,
			"https", "www.example.com", "", "https://www.example.com/"},
		{"Host empty port", none, true, 8443, "www.example.com:", "/", nil,
			"https", "www.example.com", "", "https://www.example.com/"},
		{"absolute-form target", none, false, 80, "www.example.com", "http://www.example.com/abs?q=1", nil,
			"http", "www.example.com", "", "http://www.example.com/abs?q=1"},
		{"absolute-form without path", none, false, 80, "www.example.com", "http://www.example.com?q", nil,
			"http", "www.example.com", "", "http://www.example.com/?q"},
		{"asterisk", none, false, 80, "www.example.com", "*", nil,
			"http", "www.example.com", "", "http://www.example.com*"},
		{"HTTP/1.0 without Host", none, false, 80, "", "/", nil,
			"http", "", "", "http:///"},
	} {
		r := newReq(c.host, c.uri, c.hdr)
		scheme, h, p, full := CurrentURL(r, c.trust, c.tls, c.lport)
		if scheme != c.scheme || h != c.h || p != c.p || full != c.full {
			t.Errorf("%s:\n got  %q %q %q %q\n want %q %q %q %q", c.name, scheme, h, p, full, c.scheme, c.h, c.p, c.full)
		}
	}
}

func TestCurrentURLWithoutRequestURI(t *testing.T) {
	r, err := http.NewRequest("GET", "https://www.example.com/a%20b?c=d", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, full := CurrentURL(r, ForwardedTrust{}, true, 443)
	if want := "https://www.example.com/a%20b?c=d"; full != want {
		t.Errorf("got %q, want %q", full, want)
	}
}

func FuzzCurrentURL(f *testing.F) {
	f.Add("www.example.com", "/x?y", "https", "outer.example:1", "321", "host=a;proto=http", uint8(15), true, 443)
	f.Add("[::1]:80", "http://h/p", "", "", "", "", uint8(0), false, 80)
	f.Add("[::1", "*", "a, b", " ", "x", "host=", uint8(8), false, 65535)
	f.Fuzz(func(t *testing.T, host, uri, xfp, xfh, xfport, fwd string, bits uint8, tls bool, lport int) {
		if lport < 0 || lport > 65535 {
			lport = 443
		}
		r := newReq(host, uri, map[string]string{
			"X-Forwarded-Proto": xfp, "X-Forwarded-Host": xfh, "X-Forwarded-Port": xfport, "Forwarded": fwd,
		})
		trust := ForwardedTrust{
			XForwardedHost: bits&1 != 0, XForwardedPort: bits&2 != 0,
			XForwardedProto: bits&4 != 0, Forwarded: bits&8 != 0,
		}
		scheme, h, p, full := CurrentURL(r, trust, tls, lport)
		if scheme != "http" && scheme != "https" {
			t.Fatalf("scheme %q", scheme)
		}
		if p != "" && !validPort(p) {
			t.Fatalf("port %q", p)
		}
		if !strings.HasPrefix(h, "[") && strings.Contains(h, ":") {
			t.Fatalf("host %q keeps a port", h)
		}
		base := scheme + "://" + h
		if p != "" {
			base += ":" + p
		}
		if !strings.HasPrefix(full, base) {
			t.Fatalf("full %q does not start with %q", full, base)
		}
		if rest := full[len(base):]; uri != "" && uri[0] == '/' && rest != uri {
			t.Fatalf("path %q, request target %q", rest, uri)
		}
		if bits == 0 && h != "" && !strings.HasPrefix(host, h) {
			t.Fatalf("host %q not taken from Host %q without trust", h, host)
		}
	})
}
