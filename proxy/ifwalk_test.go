package proxy

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/apacheconf/expr"
)

func ifVarsFor(target string) IfVars {
	r := httptest.NewRequest("GET", target, nil)
	return func(env map[string]string) expr.Vars { return reqVars{r: r, env: env} }
}

// requestOps renders the RequestHeader values a merged config would set,
// one "name=value" per op, to show which sections merged in which order.
func requestOps(d *apacheconf.DirConfig) string {
	if d.Headers == nil {
		return ""
	}
	var out []string
	for _, op := range d.Headers.Request {
		out = append(out, op.Value[0].Literal)
	}
	return strings.Join(out, ",")
}

// TestIfWalk reproduces what Apache 2.4.71 did with the same sections:
// X-Ord "loc, top, nested1, nested2, topnested" (server-level <If> chains
// first, then those nested in matching sections in merge order, then
// <If>s nested in matching <If>s) and the If/ElseIf/Else chain.
func TestIfWalk(t *testing.T) {
	cfg := loadConfig(t, `ServerName a
<Location /ord>
  <If "true">
    RequestHeader append X-Ord nested1
  </If>
  RequestHeader append X-Ord loc
</Location>
<If "%{REQUEST_URI} =~ m#^/ord#">
  RequestHeader append X-Ord top
  <If "true">
    RequestHeader append X-Ord topnested
  </If>
</If>
<Location /ord>
  <If "true">
    RequestHeader append X-Ord nested2
  </If>
</Location>
<Location /chain>
  <If "%{QUERY_STRING} == 'a'">
    RequestHeader set X-Ch a
  </If>
  <ElseIf "%{QUERY_STRING} =~ /^a|b/">
    RequestHeader set X-Ch b
  </ElseIf>
  <Else>
    RequestHeader set X-Ch else
  </Else>
  <If "%{QUERY_STRING} =~ /b/">
    RequestHeader set X-Ch2 second-chain
  </If>
  <Else>
    RequestHeader set X-Ch2 second-else
  </Else>
</Location>
<LocationMatch "^/m/(?<who>[a-z]+)">
  <If "%{env:MATCH_WHO} == 'bob'">
    RequestHeader set X-Who bob
  </If>
</LocationMatch>
`)
	w := NewSectionWalker(cfg.Main)
	for _, tt := range []struct{ target, want string }{
		{"/ord/x", "loc,top,nested1,nested2,topnested"},
		{"/chain/x?a", "a,second-else"},
		{"/chain/x?b", "b,second-chain"},
		{"/chain/x?ab", "b,second-chain"},
		{"/chain/x?c", "else,second-else"},
		{"/m/bob", "bob"},
		{"/m/alice", ""},
	} {
		path, _, _ := strings.Cut(tt.target, "?")
		m := w.WalkProxied(path, "", ifVarsFor(tt.target))
		if got := requestOps(m.Dir); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.target, got, tt.want)
		}
		// The cache is keyed by the matched sections: a second walk with
		// another outcome must not reuse the first one's config.
		if m2 := w.WalkProxied(path, "", ifVarsFor(tt.target)); m2.Dir != m.Dir {
			t.Errorf("%s: not cached", tt.target)
		}
	}
	if m := w.WalkProxied("/ord/x", ""); requestOps(m.Dir) != "loc" {
		t.Errorf("without variables no <If> merges: %q", requestOps(m.Dir))
	}
}
