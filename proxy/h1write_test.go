package proxy

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/oidcgate/oidcgate/oidc"
)

// canonicalWire splits a serialised request head into its first two lines
// (request line, Host) and the other lines, in order: writeRequest must
// match (*http.Request).Write byte for byte, field order included.
func canonicalWire(t testing.TB, b []byte) (head []string, rest []string) {
	t.Helper()
	s := string(b)
	if !strings.HasSuffix(s, "\r\n\r\n") {
		t.Fatalf("no end of header: %q", s)
	}
	lines := strings.Split(strings.TrimSuffix(s, "\r\n\r\n"), "\r\n")
	if len(lines) < 2 {
		t.Fatalf("short head: %q", s)
	}
	return lines[:2], slices.Clone(lines[2:])
}

func writeBoth(t testing.TB, req *http.Request) (lean, std []byte, leanErr, stdErr error) {
	var a, b bytes.Buffer
	wa, wb := bufio.NewWriter(&a), bufio.NewWriter(&b)
	leanErr = writeRequest(wa, req, nil)
	wa.Flush()
	stdErr = req.Write(wb)
	wb.Flush()
	return a.Bytes(), b.Bytes(), leanErr, stdErr
}

func TestWriteRequestMatchesRequestWrite(t *testing.T) {
	type tc struct {
		name   string
		method string
		url    string
		host   string
		hdr    http.Header
		close  bool
		trace  bool
	}
	many := http.Header{}
	for _, n := range []string{"OIDC_CLAIM_sub", "OIDC_CLAIM_email", "Oidc_claim_name", "X-Forwarded-For", "Accept", "Cookie"} {
		many[n] = []string{"v-" + n}
	}
	many["Accept"] = append(many["Accept"], "text/html")
	for _, c := range []tc{
		{name: "get", method: "GET", url: "http://b:8080/a/b?x=1&y=%20", hdr: http.Header{"Accept": {"*/*"}}},
		{name: "empty method", method: "", url: "http://b/", hdr: http.Header{}},
		{name: "head", method: "HEAD", url: "http://b/h", hdr: http.Header{"X": {"1"}}},
		{name: "options", method: "OPTIONS", url: "http://b/*", hdr: http.Header{}},
		{name: "trace", method: "TRACE", url: "http://b/t", hdr: http.Header{"Max-Forwards": {"0"}}},
		{name: "no user agent: Go's default", method: "GET", url: "http://b/", hdr: http.Header{}},
		{name: "empty user agent: none", method: "GET", url: "http://b/", hdr: http.Header{"User-Agent": {""}}},
		{name: "user agent nil slice", method: "GET", url: "http://b/", hdr: http.Header{"User-Agent": nil}},
		{name: "user agent trimmed", method: "GET", url: "http://b/", hdr: http.Header{"User-Agent": {" \tcurl/8 \t"}, "X-Pad": {"  a b  "}}},
		{name: "excluded fields", method: "GET", url: "http://b/", hdr: http.Header{"Host": {"evil"}, "Content-Length": {"5"}, "Transfer-Encoding": {"chunked"}, "Trailer": {"X"}}},
		{name: "non-canonical names as they are", method: "GET", url: "http://b/", hdr: http.Header{"oidc_claim_x": {"1"}, "content-length": {"9"}}},
		{name: "empty value", method: "GET", url: "http://b/", hdr: http.Header{"X-Empty": {""}}},
		{name: "many identity headers", method: "GET", url: "http://b/", hdr: many},
		{name: "request Host", method: "GET", url: "http://b:81/", host: "front.example:8443", hdr: http.Header{}},
		{name: "ipv6", method: "GET", url: "http://[::1]:81/", hdr: http.Header{}},
		{name: "ipv6 zone: Request.Write", method: "GET", url: "http://[fe80::1%25eth0]:81/", hdr: http.Header{}},
		{name: "idna host: Request.Write", method: "GET", url: "http://b/", host: "bücher.example", hdr: http.Header{}},
		{name: "invalid host: Request.Write", method: "GET", url: "http://b/", host: "a b", hdr: http.Header{}},
		{name: "close: Request.Write", method: "GET", url: "http://b/", close: true, hdr: http.Header{"Connection": {"keep-alive"}}},
		{name: "trace: Request.Write", method: "GET", url: "http://b/", trace: true, hdr: http.Header{"A": {"1"}, "B": {"2"}}},
		{name: "opaque", method: "GET", url: "http://b/", hdr: http.Header{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, err := url.Parse(c.url)
			if err != nil {
				t.Fatal(err)
			}
			if c.name == "opaque" {
				u.Opaque = "//b/raw%2Fpath"
			}
			req := &http.Request{Method: c.method, URL: u, Host: c.host, Header: c.hdr, Close: c.close}
			if c.trace {
				req = req.WithContext(httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{WroteHeaderField: func(string, []string) {}}))
			}
			lean, std, le, se := writeBoth(t, req)
			if (le != nil) != (se != nil) {
				t.Fatalf("errors: lean %v, Request.Write %v", le, se)
			}
			if le != nil {
				return
			}
			lh, lr := canonicalWire(t, lean)
			sh, sr := canonicalWire(t, std)
			if !slices.Equal(lh, sh) || !slices.Equal(lr, sr) {
				t.Errorf("lean:\n%s\nRequest.Write:\n%s", lean, std)
			}
			if c.trace || c.close || strings.Contains(c.name, "Request.Write") {
				if !bytes.Equal(lean, std) {
					t.Errorf("not handed to Request.Write:\n%s\n%s", lean, std)
				}
			}
		})
	}
}

// TestWriteRequestControlInURL: a control character in the request target
// is refused as Request.Write refuses it.
func TestWriteRequestControlInURL(t *testing.T) {
	req := &http.Request{Method: "GET", URL: &url.URL{Scheme: "http", Host: "b", Path: "/a", RawQuery: "x=\x7f"}, Header: http.Header{}}
	lean, _, le, se := writeBoth(t, req)
	if le == nil || se == nil {
		t.Fatalf("lean %v (%q), Request.Write %v", le, lean, se)
	}
}

// FuzzWriteRequest: for any header field and request target validHeader
// lets through, writeRequest writes what Request.Write writes (modulo the
// order of the fields after Host).
func FuzzWriteRequest(f *testing.F) {
	f.Add(uint8(0), "b:80", "/p?q", "X-A", " v ", "")
	f.Add(uint8(2), "[::1]:80", "/", "User-Agent", "", "h")
	f.Add(uint8(3), "b", "/%zz", "Content-Length", "1", "x\ty")
	f.Fuzz(func(t *testing.T, m uint8, host, target, name, value, host2 string) {
		methods := []string{"GET", "HEAD", "OPTIONS", "TRACE"}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return
		}
		u.Scheme, u.Host = "http", host
		req := &http.Request{Method: methods[int(m)%len(methods)], URL: u, Host: host2,
			Header: http.Header{name: {value}, "Accept": {"*/*"}}}
		if validHeader(req.Header) != nil {
			return
		}
		lean, std, le, se := writeBoth(t, req)
		if (le != nil) != (se != nil) {
			t.Fatalf("errors: lean %v, Request.Write %v", le, se)
		}
		if le != nil {
			return
		}
		lh, lr := canonicalWire(t, lean)
		sh, sr := canonicalWire(t, std)
		if !slices.Equal(lh, sh) || !slices.Equal(lr, sr) {
			t.Errorf("lean:\n%q\nRequest.Write:\n%q", lean, std)
		}
	})
}

// TestBodyBuffersNoAlloc: a buffer taken from the pool and given back
// costs no allocation (the pool once boxed a slice header per Put).
func TestBodyBuffersNoAlloc(t *testing.T) {
	var p bodyBuffers
	p.Put(p.Get())
	if n := testing.AllocsPerRun(100, func() {
		b := p.Get()
		if len(b) != bodyBufferSize {
			t.Fatalf("len %d", len(b))
		}
		p.Put(b)
	}); n != 0 {
		t.Errorf("%v allocations per Get/Put", n)
	}
	p.Put(make([]byte, 10)) // not pooled: the wrong size
	if b := p.Get(); len(b) != bodyBufferSize {
		t.Errorf("len %d after a short Put", len(b))
	}
}

// writeWithIdentity writes req with the identity headers names[i]: values[i]
// left out of its header map, and again with them added to it.
func writeWithIdentity(t testing.TB, req *http.Request, names, values []string) (merged, added []byte, mergedErr, addedErr error) {
	id := oidc.NewIdentityHeaders(names, values)
	var a, b bytes.Buffer
	wa, wb := bufio.NewWriter(&a), bufio.NewWriter(&b)
	if _, mergedErr = id.Wire(); mergedErr == nil {
		mergedErr = writeRequest(wa, req, id)
	}
	wa.Flush()
	r2 := req.Clone(req.Context())
	id.AddTo(r2.Header)
	if addedErr = validHeader(r2.Header); addedErr == nil {
		addedErr = writeRequest(wb, r2, nil)
	}
	wb.Flush()
	return a.Bytes(), b.Bytes(), mergedErr, addedErr
}

// TestWriteRequestIdentity: identity headers kept out of the header map
// are written exactly as they would be from it — same bytes, same order
// among the client's headers — and checked with the same errors.
func TestWriteRequestIdentity(t *testing.T) {
	for _, c := range []struct {
		name          string
		hdr           http.Header
		names, values []string
		wantErr       bool
	}{
		{name: "interleaved", hdr: http.Header{"Accept": {"*/*"}, "Cookie": {"a=1"}, "X-Forwarded-For": {"1.2.3.4"}, "Zzz": {"z"}, "Oidc_x": {"c"}},
			names: []string{"OIDC_CLAIM_sub", "A-Remote-User", "OIDC_CLAIM_email", "OIDC_access_token", "Zz"}, values: []string{"zoe", "zoe", "zoe@example.com", "tok", " padded\t"}},
		{name: "no client headers", hdr: http.Header{}, names: []string{"OIDC_CLAIM_x"}, values: []string{"1"}},
		{name: "no identity", hdr: http.Header{"Accept": {"*/*"}}},
		{name: "all before", hdr: http.Header{"Zeta": {"1"}}, names: []string{"A", "B"}, values: []string{"1", "2"}},
		{name: "user agent stays first", hdr: http.Header{"User-Agent": {"curl"}}, names: []string{"OIDC_CLAIM_a"}, values: []string{"ä ö"}},
		{name: "empty value", hdr: http.Header{}, names: []string{"OIDC_CLAIM_nickname"}, values: []string{""}},
		{name: "newline refused", hdr: http.Header{}, names: []string{"OIDC_CLAIM_x"}, values: []string{"a\nb"}, wantErr: true},
		{name: "bad name refused", hdr: http.Header{}, names: []string{"OIDC CLAIM"}, values: []string{"a"}, wantErr: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, _ := url.Parse("http://b:8080/p?q=1")
			req := &http.Request{Method: "GET", URL: u, Header: c.hdr}
			merged, added, me, ae := writeWithIdentity(t, req, c.names, c.values)
			if (me != nil) != c.wantErr || (ae != nil) != c.wantErr {
				t.Fatalf("errors: merged %v, added %v; want error %v", me, ae, c.wantErr)
			}
			if me != nil {
				if me.Error() != ae.Error() {
					t.Errorf("errors differ: %v / %v", me, ae)
				}
				return
			}
			if !bytes.Equal(merged, added) {
				t.Errorf("merged:\n%s\nfrom the map:\n%s", merged, added)
			}
			for _, n := range c.names {
				if !bytes.Contains(merged, []byte("\r\n"+n+": ")) {
					t.Errorf("%s not written:\n%s", n, merged)
				}
			}
		})
	}
}

// FuzzWriteRequestIdentity: whatever the client's header and the identity
// header, writing the identity from outside the map equals writing it
// from the map.
func FuzzWriteRequestIdentity(f *testing.F) {
	f.Add("Accept", "*/*", "OIDC_CLAIM_sub", "zoe", "OIDC_CLAIM_email")
	f.Add("Zz", "1", "A", " x ", "Zzz")
	f.Add("OIDC_CLAIM_sub", "spoof", "OIDC_CLAIM_sub", "zoe", "B")
	f.Fuzz(func(t *testing.T, name, value, idName, idValue, idName2 string) {
		for _, n := range []string{idName, idName2} {
			if strings.EqualFold(name, n) || slices.Contains(forwardingHeaders, strings.ToLower(n)) {
				return // removed first; added to the map (keepIdentity)
			}
		}
		if strings.EqualFold(idName, idName2) {
			return // the relying party sets one of them
		}
		u, _ := url.Parse("http://b/")
		req := &http.Request{Method: "GET", URL: u, Header: http.Header{name: {value}}}
		if validHeader(req.Header) != nil {
			return
		}
		merged, added, me, ae := writeWithIdentity(t, req, []string{idName, idName2}, []string{idValue, "v2"})
		if (me != nil) != (ae != nil) {
			t.Fatalf("errors: merged %v, added %v", me, ae)
		}
		if me == nil && !bytes.Equal(merged, added) {
			t.Errorf("merged:\n%q\nfrom the map:\n%q", merged, added)
		}
	})
}
