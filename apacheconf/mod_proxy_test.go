package apacheconf

import (
	"testing"
	"time"
)

func TestProxyModel(t *testing.T) {
	cfg, diags := compileForTest(t, `ServerName a
ProxyPass /main http://127.0.0.1:1/main timeout=30 keepalive=On
ProxyTimeout 20
<VirtualHost *:80>
  ServerName v
  ProxyPass /api/health !
  ProxyPassMatch "^/img/(.*)\.png$" http://127.0.0.1:2/png/$1 connectiontimeout=500ms
  ProxyPass /api http://127.0.0.1:3/api nocanon
  ProxyPassReverse /api http://127.0.0.1:3/api
  ProxyVia On
  <Location /loc>
    ProxyPass http://127.0.0.1:4/inloc upgrade=websocket
    ProxyPassReverse http://127.0.0.1:4/inloc
    ProxyPreserveHost On
  </Location>
  <Proxy balancer://pool>
    BalancerMember http://127.0.0.1:5 loadfactor=2
    BalancerMember http://127.0.0.1:6 status=+H
  </Proxy>
</VirtualHost>
`)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	vh := cfg.VHosts[0]
	ps := vh.Proxy
	var paths []string
	for _, r := range ps.Rules {
		paths = append(paths, r.Path)
	}
	// Main server rules come before the vhost's (apache_semantics §g).
	if want := []string{"/main", "/api/health", `^/img/(.*)\.png$`, "/api"}; len(paths) != 4 || paths[0] != want[0] || paths[3] != want[3] {
		t.Fatalf("rules %v, want %v", paths, want)
	}
	if r := ps.Rules[0]; r.Worker.Timeout != 30*time.Second || !r.Worker.KeepAlive || r.TargetURL.Host != "127.0.0.1:1" {
		t.Errorf("main rule %+v", r)
	}
	if !ps.Rules[1].Exclude || ps.Rules[2].Regex == nil || ps.Rules[2].Worker.ConnectionTimeout != 500*time.Millisecond || !ps.Rules[3].NoCanon {
		t.Errorf("vhost rules %+v %+v %+v", ps.Rules[1], ps.Rules[2], ps.Rules[3])
	}
	if ps.Timeout != 20*time.Second || ps.Via != "on" {
		t.Errorf("ProxyTimeout inherited %v, ProxyVia %q", ps.Timeout, ps.Via)
	}
	if len(ps.Balancers) != 1 || len(ps.Balancers[0].Members) != 2 || ps.Balancers[0].Members[1].Worker.Status != "+H" || ps.Balancers[0].Members[0].Worker.LoadFactor != 2 {
		t.Errorf("balancer %+v", ps.Balancers)
	}
	var loc *Section
	for _, s := range vh.Sections {
		if s.Arg == "/loc" {
			loc = s
		}
	}
	pd := vh.Dir.Merge(loc.Dir).Proxy
	if pd.Rule == nil || !pd.Rule.InLocation || pd.Rule.Path != "/loc" || pd.Rule.Worker.Upgrade != "websocket" {
		t.Errorf("location rule %+v", pd.Rule)
	}
	if pd.PreserveHost == nil || !*pd.PreserveHost || len(pd.Reverse) != 1 || pd.Reverse[0].Path != "/loc" {
		t.Errorf("location settings %+v", pd)
	}
	if cfg.Main.Proxy.Via != "" || len(cfg.Main.Proxy.Rules) != 1 {
		t.Error("merging a vhost must not change the main server")
	}
}

func TestProxyDirMerge(t *testing.T) {
	on, off := true, false
	outer := &ProxyDir{PreserveHost: &on, Reverse: []ReverseRule{{Path: "/a"}}}
	inner := &ProxyDir{PreserveHost: &off, Reverse: []ReverseRule{{Path: "/a/b"}}}
	m := outer.Merge(inner)
	if *m.PreserveHost || len(m.Reverse) != 2 || m.Reverse[0].Path != "/a" {
		t.Errorf("merge %+v", m)
	}
	if m2 := outer.Merge(&ProxyDir{}); m2.PreserveHost != outer.PreserveHost {
		t.Error("unset flag must inherit")
	}
	if len(outer.Reverse) != 1 {
		t.Error("Merge modified its input")
	}
}

func FuzzWorkerParams(f *testing.F) {
	for _, s := range []string{"timeout=5", "connectiontimeout=100ms", "status=+H-D", "loadfactor=100", "keepalive=On", "x=y", "retry=-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, kv string) {
		var w WorkerParams
		k, v, _ := cutEq(kv)
		_ = setWorkerParam(&w, k, v)
		if w.Timeout < 0 || w.LoadFactor < 0 || w.LoadFactor > 100 {
			t.Fatalf("%q: %+v", kv, w)
		}
	})
}

func cutEq(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '=' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
