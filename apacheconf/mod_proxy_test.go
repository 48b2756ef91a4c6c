package apacheconf

import (
	"fmt"
	"strings"
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

func TestBalancerParams(t *testing.T) {
	cfg, diags := compileForTest(t, `ServerName a
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_balancer_module /usr/lib/apache2/modules/mod_proxy_balancer.so
LoadModule lbmethod_byrequests_module /usr/lib/apache2/modules/mod_lbmethod_byrequests.so
LoadModule lbmethod_bybusyness_module /usr/lib/apache2/modules/mod_lbmethod_bybusyness.so
<Proxy balancer://pool>
  BalancerMember http://127.0.0.1:5 lbset=1 route=r1 redirect=r2 status=+N
  BalancerMember http://127.0.0.1:6 route=r2
  ProxySet lbmethod=bybusyness stickysession=JSESSIONID|jsessionid scolonpathdelim=On nofailover=On
</Proxy>
ProxySet balancer://pool maxattempts=0 failonstatus=500,503 failontimeout=On timeout=5ms growth=10 forcerecovery=Off stickysessionsep=_
ProxyPass /p balancer://other stickysession=ROUTEID
`)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	bs := cfg.Main.Proxy.Balancers
	if len(bs) != 2 {
		t.Fatalf("balancers %+v", bs)
	}
	b := bs[0]
	if b.LBMethod != "bybusyness" || b.StickyCookie != "JSESSIONID" || b.StickyPath != "jsessionid" || !b.ScolonPathDelim || !b.NoFailover ||
		!b.MaxAttemptsSet || b.MaxAttempts != 0 || len(b.FailOnStatus) != 2 || !b.FailOnTimeout || b.Timeout != 5*time.Second || b.ForceRecovery || b.StickySep != '_' {
		t.Errorf("balancer %+v", b)
	}
	if m := b.Members[0].Worker; m.LBSet != 1 || m.Route != "r1" || m.Redirect != "r2" || m.Status != "+N" {
		t.Errorf("member %+v", m)
	}
	if bs[1].Name != "balancer://other" || bs[1].StickyCookie != "ROUTEID" || bs[1].StickySep != '.' || !bs[1].ForceRecovery {
		t.Errorf("ProxyPass keys %+v", bs[1])
	}
	// Messages as Apache 2.4.71 printed them (apache2 -t).
	for _, c := range []struct{ set, want string }{
		{"lbmethod=nope", "ProxySet: unknown lbmethod lbmethod=nope; balancer://b"},
		{"lbmethod=bytraffic", "ProxySet: unknown lbmethod lbmethod=bytraffic; balancer://b"}, // module not loaded
		{"stickysessionsep=ab", "ProxySet: stickysessionsep must be a single character or Off stickysessionsep=ab; balancer://b"},
		{"nofailover=x", "ProxySet: failover must be On|Off nofailover=x; balancer://b"},
		{"timeout=0", "ProxySet: timeout must be at least one second timeout=0; balancer://b"},
		{"maxattempts=-1", "ProxySet: maximum number of attempts must be a positive number maxattempts=-1; balancer://b"},
		{"failonstatus=500,abc", "ProxySet: failonstatus must be one or more HTTP response codes failonstatus=500,abc; balancer://b"},
		{"growth=0", "ProxySet: growth must be between 1 and 100 growth=0; balancer://b"},
		{"forcerecovery=x", "ProxySet: forcerecovery must be On|Off forcerecovery=x; balancer://b"},
		{"failontimeout=1", "ProxySet: failontimeout must be On|Off failontimeout=1; balancer://b"},
		{"scolonpathdelim=x", "ProxySet: scolonpathdelim must be On|Off scolonpathdelim=x; balancer://b"},
		{"retry=5", "ProxySet: unknown Balancer parameter retry=5; balancer://b"},
		{"stickysession", "Invalid ProxySet parameter. Parameter must be in the form 'key=value'"},
		{"lbmethod=heartbeat", "ProxySet: lbmethod=heartbeat is not supported by oidcgate"},
	} {
		_, diags := compileForTest(t, `ServerName a
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_balancer_module /usr/lib/apache2/modules/mod_proxy_balancer.so
LoadModule lbmethod_byrequests_module /usr/lib/apache2/modules/mod_lbmethod_byrequests.so
LoadModule lbmethod_heartbeat_module /usr/lib/apache2/modules/mod_lbmethod_heartbeat.so
<Proxy balancer://b>
  BalancerMember http://127.0.0.1:5
  ProxySet `+c.set+`
</Proxy>
`)
		if errs := fmt.Sprint(diags.Errors()); !strings.Contains(errs, c.want) {
			t.Errorf("ProxySet %s: %s, want %q", c.set, errs, c.want)
		}
	}
	_, diags = compileForTest(t, "ServerName a\n<Proxy balancer://w>\n  BalancerMember http://127.0.0.1:5 timeout=3\n  BalancerMember ws://127.0.0.1:6\n</Proxy>\n")
	if ws := fmt.Sprint(diags.Warnings()); !strings.Contains(ws, "timeout= per balancer member") || !strings.Contains(ws, "does not tunnel upgrades") || diags.HasErrors() {
		t.Errorf("member keys not applied must warn: %s", diags)
	}
	_, diags = compileForTest(t, "ServerName a\n<Proxy balancer://b>\n  BalancerMember http://127.0.0.1:5 lbset=100\n</Proxy>\n")
	if errs := fmt.Sprint(diags.Errors()); !strings.Contains(errs, "BalancerMember lbset must be between 0 and 99") {
		t.Errorf("lbset=100: %s", errs)
	}
}

// TestHeartbeatStrict: lbmethod=heartbeat is refused by oidcgate but
// accepted in Apache-exact mode, as apache2 -t accepts it.
func TestHeartbeatStrict(t *testing.T) {
	conf := "LoadModule mpm_event_module x.so\nLoadModule proxy_module x.so\nLoadModule proxy_balancer_module x.so\nLoadModule lbmethod_heartbeat_module x.so\nServerName a\n<Proxy balancer://b>\nBalancerMember http://127.0.0.1:1\nProxySet lbmethod=heartbeat\n</Proxy>\n"
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"main.conf": conf})
	for _, strict := range []bool{false, true} {
		_, diags := Load(Options{File: "main.conf", ServerRoot: root, Envvars: EnvvarsOff, Strict: strict})
		refused := false
		for _, d := range diags {
			if d.Severity == SevError && strings.Contains(d.Msg, "heartbeat") {
				refused = true
			}
		}
		if refused == strict {
			t.Errorf("strict=%v: heartbeat refused=%v", strict, refused)
		}
	}
}
