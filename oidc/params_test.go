package oidc

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// TestParseParams: parameters are read as the module reads them — split on
// "&" only, "+" a space, a bad "%" escape kept as written — where
// url.ParseQuery drops a pair containing ";" and fails on a bad escape.
func TestParseParams(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want url.Values
	}{
		{"a=1&b=2", url.Values{"a": {"1"}, "b": {"2"}}},
		{"logout=%2Fbye%3Bx;y&b=2", url.Values{"logout": {"/bye;x;y"}, "b": {"2"}}},
		{"a=x+y%20z", url.Values{"a": {"x y z"}}},
		{"a=100%&b=%zz&c=%4", url.Values{"a": {"100%"}, "b": {"%zz"}, "c": {"%4"}}},
		{"a=1&&a=2&", url.Values{"a": {"1", "2"}}},
		{"flag&k=", url.Values{"flag": {""}, "k": {""}}},
		{"%41%62=%c3%a9", url.Values{"Ab": {"é"}}},
		{"", url.Values{}},
	} {
		if got := parseParams(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseParams(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		q, name, want string
		ok            bool
	}{
		{"session=check&session=iframe_rp", "session", "iframe_rp", true}, // the last wins
		{"poll=1;x", "poll", "1;x", true},
		{"login_uri=%2Fa+b", "login_uri", "/a b", true},
		{"xsession=1", "session", "", false},
		{"iss=%zz", "iss", "%zz", true},
	} {
		got, ok := requestParam(tc.q, tc.name)
		if got != tc.want || ok != tc.ok {
			t.Errorf("requestParam(%q, %q) = %q, %v; want %q, %v", tc.q, tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// TestLogoutURLWithSemicolon: a logout target with ";" (legal in a URL) is
// honoured as the module honours it; with url.ParseQuery the pair vanished
// and the logout went to the default page instead.
func TestLogoutURLWithSemicolon(t *testing.T) {
	h := newHarness(t, nil)
	sess, _ := h.login("/")
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	r := h.do("GET", "/redirect_uri?logout=/bye;v=1", ck)
	if r.res.Status != 302 {
		t.Fatalf("logout: status %d", r.res.Status)
	}
	if q := mustQuery(t, r.res.Location); q.Get("post_logout_redirect_uri") != "/bye;v=1" || !strings.HasPrefix(r.res.Location, h.op.issuer+"/logout?") {
		t.Errorf("logout Location %q, want post_logout_redirect_uri=/bye;v=1", r.res.Location)
	}
}

// FuzzParseParams: the module-style reader never panics, and what it reads
// from an encoding of values is those values.
func FuzzParseParams(f *testing.F) {
	f.Add("a=1&b=%zz;c+d", "k", "v;w")
	f.Fuzz(func(t *testing.T, raw, k, v string) {
		parseParams(raw)
		requestParam(raw, k)
		if k == "" {
			return
		}
		enc := url.QueryEscape(k) + "=" + url.QueryEscape(v)
		if got := parseParams(enc); len(got[k]) != 1 || got[k][0] != v {
			t.Fatalf("parseParams(%q)[%q] = %q, want %q", enc, k, got[k], v)
		}
	})
}
