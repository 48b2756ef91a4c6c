package expr

import (
	"slices"
	"testing"
)

func TestSubnet(t *testing.T) {
	for _, tc := range []struct {
		subnet, ip string
		want       bool
	}{
		{"10.0.0.0/8", "10.9.8.7", true},
		{"10.0.0.0/8", "11.0.0.1", false},
		{"10.0.0.1/8", "10.200.0.1", true},
		{"10", "10.1.1.1", true},
		{"192.168", "192.168.5.5", true},
		{"192.168", "192.169.5.5", false},
		{"10.0.0.0/255.0.255.0", "10.5.0.9", true},
		{"10.0.0.0/255.0.255.0", "10.5.1.9", false},
		{"127.0.0.1", "::ffff:127.0.0.1", true},
		{"::1", "::1", true},
		{"fe80::/10", "fe80::1", true},
		{"fe80::/10", "10.0.0.1", false},
		{"10.0.0.0/8", "not-an-ip", false},
	} {
		sn, ok := parseSubnet(tc.subnet)
		if !ok {
			t.Errorf("parseSubnet(%q) failed", tc.subnet)
			continue
		}
		if got := sn.contains(tc.ip); got != tc.want {
			t.Errorf("%s contains %s = %v", tc.subnet, tc.ip, got)
		}
	}
	for _, bad := range []string{"", "1.2.3.4/33", "1.2.3.4/0", "nonsense", "1.2.3.4.5", "::1/255.0.0.0", "1.2/8", "256"} {
		if _, ok := parseSubnet(bad); ok {
			t.Errorf("parseSubnet(%q) accepted", bad)
		}
	}
}

func TestFnmatch(t *testing.T) {
	for _, tc := range []struct {
		pat, s         string
		pathname, fold bool
		want           bool
	}{
		{"*", "a/b", false, false, true},
		{"*", "a/b", true, false, false},
		{"a/*", "a/b", true, false, true},
		{"?", "/", true, false, false},
		{"[a-c]x", "bx", false, false, true},
		{"[!a-c]x", "bx", false, false, false},
		{"[^a-c]x", "dx", false, false, true},
		{`\*`, "*", false, false, true},
		{`\*`, "a", false, false, false},
		{"A*", "abc", false, true, true},
		{"[", "[", false, false, true},
		{"[]]", "]", false, false, true},
		{"**a", "bba", false, false, true},
	} {
		if got := fnmatch(tc.pat, tc.s, tc.pathname, tc.fold); got != tc.want {
			t.Errorf("fnmatch(%q, %q, pathname=%v, fold=%v) = %v", tc.pat, tc.s, tc.pathname, tc.fold, got)
		}
	}
}

func TestAtoi64(t *testing.T) {
	for s, want := range map[string]int64{
		"42": 42, " 42": 42, "+7": 7, "-3": -3, "12abc": 12, "abc": 0, "": 0,
		"99999999999999999999": 1<<63 - 1, "-99999999999999999999": -1 << 63,
		"9223372036854775807": 1<<63 - 1, "-9223372036854775808": -1 << 63,
	} {
		if got := atoi64(s); got != want {
			t.Errorf("atoi64(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestUnbase64(t *testing.T) {
	for in, want := range map[string]string{
		"YWxpY2U=": "alice", "YWxpY2U": "alice", "YWxp!Y2U=": "ali", "": "", "YQ": "a", "AGI=": "",
	} {
		if got := unbase64(in); got != want {
			t.Errorf("unbase64(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBoolVary(t *testing.T) {
	e, err := Parse("%{HTTP:X-A} == 'a' || req('x-b') == 'b' || %{HTTP_HOST} == 'h' || req_novary('X-N') == 'n' || %{HTTP_USER_AGENT} == 'z'", Boolean)
	if err != nil {
		t.Fatal(err)
	}
	ok, vary, err := e.BoolVary(defaultVars())
	if err != nil || ok {
		t.Fatalf("BoolVary: %v, %v", ok, err)
	}
	if want := []string{"X-A", "x-b", "User-Agent"}; !slices.Equal(vary, want) {
		t.Errorf("vary = %q, want %q", vary, want)
	}
	// Short-circuit: the second header is not read.
	e, _ = Parse("-z %{HTTP:X-A} || -z %{HTTP:X-B}", Boolean)
	if _, vary, _ := e.BoolVary(defaultVars()); !slices.Equal(vary, []string{"X-A"}) {
		t.Errorf("vary = %q, want [X-A]", vary)
	}
}
