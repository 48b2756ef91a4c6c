package urlcheck

import (
	"net/http"
	"testing"
)

func TestIsAuthCapable(t *testing.T) {
	const html = "text/html"
	browser := map[string][]string{
		"Accept":         {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
		"Sec-Fetch-Mode": {"navigate"},
		"Sec-Fetch-Dest": {"document"},
	}
	for _, c := range []struct {
		name string
		h    map[string][]string
		want bool
	}{
		{"no headers", nil, false},
		{"browser navigation", browser, true},
		{"accept text/html", map[string][]string{"Accept": {html}}, true},
		{"accept xhtml", map[string][]string{"Accept": {"application/xhtml+xml"}}, true},
		{"accept any (curl)", map[string][]string{"Accept": {"*/*"}}, true},
		{"accept with parameters", map[string][]string{"Accept": {"text/html;level=1;q=0.5"}}, true},
		{"accept later element", map[string][]string{"Accept": {"application/json, text/html;q=0.1"}}, true},
		{"accept leading spaces", map[string][]string{"Accept": {"application/json,   */*"}}, true},
		{"accept json only", map[string][]string{"Accept": {"application/json"}}, false},
		{"accept empty", map[string][]string{"Accept": {""}}, false},
		{"accept text/*", map[string][]string{"Accept": {"text/*"}}, false},
		{"accept upper case", map[string][]string{"Accept": {"TEXT/HTML"}}, false},
		{"accept space before parameters", map[string][]string{"Accept": {"text/html ;q=1"}}, false},
		{"accept longer type", map[string][]string{"Accept": {"text/htmlx"}}, false},
		{"accept tab is not trimmed", map[string][]string{"Accept": {"application/json,\ttext/html"}}, false},
		{"accept two header lines", map[string][]string{"Accept": {"application/json", "text/html"}}, true},
		{"xhr", map[string][]string{"Accept": {html}, "X-Requested-With": {"XMLHttpRequest"}}, false},
		{"xhr lower case", map[string][]string{"Accept": {html}, "X-Requested-With": {"xmlhttprequest"}}, false},
		{"xhr with white space", map[string][]string{"Accept": {html}, "X-Requested-With": {" XMLHttp\tRequest "}}, false},
		{"xhr twice merges", map[string][]string{"Accept": {html}, "X-Requested-With": {"XMLHttpRequest", "XMLHttpRequest"}}, true},
		{"x-requested-with app", map[string][]string{"Accept": {html}, "X-Requested-With": {"com.example.app"}}, true},
		{"x-requested-with empty", map[string][]string{"Accept": {html}, "X-Requested-With": {""}}, true},
		{"mode navigate upper", map[string][]string{"Accept": {html}, "Sec-Fetch-Mode": {"NAVIGATE"}}, true},
		{"mode cors", map[string][]string{"Accept": {"*/*"}, "Sec-Fetch-Mode": {"cors"}}, false},
		{"mode no-cors", map[string][]string{"Accept": {html}, "Sec-Fetch-Mode": {"no-cors"}}, false},
		{"mode empty", map[string][]string{"Accept": {html}, "Sec-Fetch-Mode": {""}}, false},
		{"mode navigate twice", map[string][]string{"Accept": {html}, "Sec-Fetch-Mode": {"navigate", "navigate"}}, false},
		{"dest iframe", map[string][]string{"Accept": {html}, "Sec-Fetch-Mode": {"navigate"}, "Sec-Fetch-Dest": {"iframe"}}, false},
		{"dest image", map[string][]string{"Accept": {"image/avif,*/*"}, "Sec-Fetch-Dest": {"image"}}, false},
		{"dest empty (fetch)", map[string][]string{"Accept": {"*/*"}, "Sec-Fetch-Mode": {"cors"}, "Sec-Fetch-Dest": {"empty"}}, false},
		{"dest Document", map[string][]string{"Accept": {html}, "Sec-Fetch-Dest": {"Document"}}, true},
		{"navigate without accept", map[string][]string{"Sec-Fetch-Mode": {"navigate"}, "Sec-Fetch-Dest": {"document"}}, false},
	} {
		h := http.Header{}
		for k, vs := range c.h {
			for _, v := range vs {
				h.Add(k, v)
			}
		}
		if got := IsAuthCapable(h); got != c.want {
			t.Errorf("%s: IsAuthCapable(%v) = %v, want %v", c.name, h, got, c.want)
		}
	}
}

func TestNatEqualFold(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"navigate", "navigate", true},
		{"NaViGaTe", "navigate", true},
		{"nav igate", "navigate", true},
		{"\vnavigate\r\n", "navigate", true},
		{"navigate\x00junk", "navigate", true}, // C string ends at NUL
		{"navigate0", "navigate", false},
		{"navigat", "navigate", false},
		{"navigate\u00a0", "navigate", false},
		{"", "navigate", false},
	} {
		if got := natEqualFold(c.a, c.b); got != c.want {
			t.Errorf("natEqualFold(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
