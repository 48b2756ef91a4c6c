package compattests

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lbRequest is one request of a balancer case: a path under the case's
// prefix and an optional Cookie header.
// A path starting with /hold is sent in the background (its member
// answers after 800ms) and the next request goes 200ms later: the member
// stays busy meanwhile.
type lbRequest struct {
	path, cookie string
}

// lbCase is a balancer configuration and the requests sent through it.
// The config may use M1, M2, M3 (members answering with their name),
// M500 (a member answering 500) and DOWN (nothing listens) as host:port,
// and NAME as the case name.
type lbCase struct {
	name     string
	conf     string
	pass     string // ProxyPass keys
	requests []lbRequest
}

func repeatReq(n int, path, cookie string) []lbRequest {
	var out []lbRequest
	for i := 1; i <= n; i++ {
		out = append(out, lbRequest{fmt.Sprintf("%s%d", path, i), cookie})
	}
	return out
}

var lbCases = []lbCase{
	{name: "busyeven", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1
  BalancerMember http://M2
  ProxySet lbmethod=bybusyness
</Proxy>`, requests: repeatReq(6, "/x", "")},
	{name: "busyweighted", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1 loadfactor=1
  BalancerMember http://M2 loadfactor=3
  ProxySet lbmethod=bybusyness
</Proxy>`, requests: repeatReq(8, "/x", "")},
	{name: "busyhold", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1
  BalancerMember http://M2
  BalancerMember http://M3
  ProxySet lbmethod=bybusyness
</Proxy>`, requests: []lbRequest{{"/hold1", ""}, {"/x1", ""}, {"/hold2", ""}, {"/x2", ""}, {"/x3", ""}, {"/x4", ""}}},
	{name: "trafficeven", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1
  BalancerMember http://M2
  BalancerMember http://M3
  ProxySet lbmethod=bytraffic
</Proxy>`, requests: repeatReq(6, "/x", "")},
	{name: "trafficweighted", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1 loadfactor=1
  BalancerMember http://M2 loadfactor=3
</Proxy>
ProxySet balancer://NAME lbmethod=bytraffic`, requests: repeatReq(8, "/x", "")},
	{name: "lbset", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1 lbset=1
  BalancerMember http://M2 lbset=0
  BalancerMember http://M3 lbset=0
</Proxy>`, requests: repeatReq(4, "/x", "")},
	{name: "lbsetdown", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1 lbset=1
  BalancerMember http://M2 lbset=1
  BalancerMember http://DOWN lbset=0
</Proxy>`, requests: repeatReq(4, "/x", "")},
	{name: "lbsetstandby", conf: `<Proxy balancer://NAME>
  BalancerMember http://DOWN lbset=0
  BalancerMember http://M3 lbset=0 status=+H
  BalancerMember http://M1 lbset=1
</Proxy>`, requests: repeatReq(3, "/x", "")},
	{name: "standbyhigherset", conf: `<Proxy balancer://NAME>
  BalancerMember http://DOWN lbset=0
  BalancerMember http://M3 lbset=1 status=+H
  BalancerMember http://M1 lbset=1
</Proxy>`, requests: repeatReq(3, "/x", "")},
	{name: "stickycookie", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1 route=r1
  BalancerMember http://M2 route=r2
  ProxySet stickysession=ROUTEID
</Proxy>`, requests: []lbRequest{{"/a", ""}, {"/b", ""}, {"/c", "ROUTEID=.r2"}, {"/d", "ROUTEID=.r2"}, {"/e", "x=1; ROUTEID=abc.r1"}, {"/f", "ROUTEID=.nosuch"}, {"/g", "ROUTEID=r2"}, {"/h", ""}}},
	{name: "stickypath", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1 route=node1
  BalancerMember http://M2 route=node2
  ProxySet stickysession=JSESSIONID|jsessionid scolonpathdelim=On
</Proxy>`, requests: []lbRequest{{"/p;jsessionid=abc.node2", ""}, {"/p;jsessionid=abc.node1", ""}, {"/q?jsessionid=zz.node2&x=1", ""}, {"/r", "JSESSIONID=abc.node1"}, {"/s;jsessionid=abc.node2", "JSESSIONID=abc.node1"}, {"/t", ""}}},
	{name: "stickysep", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1 route=r1
  BalancerMember http://M2 route=r2
  ProxySet stickysession=sid stickysessionsep=_
</Proxy>`, requests: []lbRequest{{"/a", "sid=x_r2"}, {"/b", "sid=x.r1"}, {"/c", "sid=x_r1"}}},
	{name: "stickydown", conf: `<Proxy balancer://NAME>
  BalancerMember http://DOWN route=r1
  BalancerMember http://M2 route=r2
  ProxySet stickysession=ROUTEID
</Proxy>`, requests: []lbRequest{{"/a", "ROUTEID=.r1"}, {"/b", "ROUTEID=.r1"}, {"/c", "ROUTEID=.r2"}}},
	{name: "stickystandby", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1 route=r1
  BalancerMember http://M3 route=r3 status=+H lbset=1
  ProxySet stickysession=ROUTEID
</Proxy>`, requests: []lbRequest{{"/a", "ROUTEID=.r3"}, {"/b", ""}, {"/c", "ROUTEID=.r3"}, {"/d", "ROUTEID=.r1"}}},
	{name: "maxattempts1", conf: `<Proxy balancer://NAME>
  BalancerMember http://DOWN
  BalancerMember http://DOWN2
  BalancerMember http://M2
  ProxySet maxattempts=1
</Proxy>`, requests: repeatReq(3, "/x", "")},
	{name: "nofailover", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1 route=r1 status=+D
  BalancerMember http://M2 route=r2
  ProxySet stickysession=ROUTEID nofailover=On
</Proxy>`, requests: []lbRequest{{"/a", "ROUTEID=.r1"}, {"/b", "ROUTEID=.r2"}, {"/c", "ROUTEID=.zz"}, {"/d", ""}}},
	{name: "redirect", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1 route=r1 status=+D redirect=r3
  BalancerMember http://M2 route=r2
  BalancerMember http://M3 route=r3
  ProxySet stickysession=ROUTEID
</Proxy>`, requests: []lbRequest{{"/a", "ROUTEID=.r1"}, {"/b", "ROUTEID=.r1"}, {"/c", ""}, {"/d", ""}}},
	{name: "drain", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1 route=r1 status=+N
  BalancerMember http://M2 route=r2
  ProxySet stickysession=ROUTEID
</Proxy>`, requests: []lbRequest{{"/a", ""}, {"/b", ""}, {"/c", "ROUTEID=.r1"}, {"/d", ""}}},
	{name: "errorflag", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1 status=+E retry=60
  BalancerMember http://M2
</Proxy>`, requests: repeatReq(3, "/x", "")},
	{name: "failonstatus", conf: `<Proxy balancer://NAME>
  BalancerMember http://M500
  BalancerMember http://M2
  ProxySet failonstatus=500
</Proxy>`, requests: repeatReq(4, "/x", "")},
	{name: "failontimeout", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1
  BalancerMember http://M2
  ProxySet failontimeout=On
</Proxy>`, requests: []lbRequest{{"/slow1", ""}, {"/x2", ""}, {"/x3", ""}, {"/x4", ""}}},
	{name: "timeoutnofail", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1
  BalancerMember http://M2
</Proxy>`, requests: []lbRequest{{"/slow1", ""}, {"/x2", ""}, {"/x3", ""}, {"/x4", ""}}},
	{name: "ignoreerrors", conf: `<Proxy balancer://NAME>
  BalancerMember http://M500 status=+I
  BalancerMember http://M2
  ProxySet failonstatus=500
</Proxy>`, requests: repeatReq(4, "/x", "")},
	{name: "maxattempts0", conf: `<Proxy balancer://NAME>
  BalancerMember http://DOWN
  BalancerMember http://M2
  ProxySet maxattempts=0
</Proxy>`, requests: repeatReq(3, "/x", "")},
	{name: "forcerecovery", conf: `<Proxy balancer://NAME>
  BalancerMember http://DOWN
  BalancerMember http://DOWN2
</Proxy>`, requests: repeatReq(3, "/x", "")},
	{name: "noforcerecovery", conf: `<Proxy balancer://NAME>
  BalancerMember http://DOWN
  BalancerMember http://DOWN2
  ProxySet forcerecovery=Off
</Proxy>`, requests: repeatReq(3, "/x", "")},
	{name: "proxypassparams", conf: `<Proxy balancer://NAME>
  BalancerMember http://M1 route=a
  BalancerMember http://M2 route=b
</Proxy>`, pass: "stickysession=SID|sid lbmethod=bybusyness", requests: []lbRequest{{"/a", ""}, {"/b?sid=1.b", ""}, {"/c", "SID=2.a"}, {"/d", ""}}},
	{name: "sparemember", conf: `<Proxy balancer://NAME>
  BalancerMember http://DOWN
  BalancerMember http://M1
  BalancerMember http://M3 status=+R
</Proxy>`, requests: repeatReq(4, "/x", "")},
}

// TestBalancerMethodsDifferential compares, for each lbCase, the member
// that serves each request, the status, the backend path and the
// BALANCER_* environment variables (through a Header directive) between
// the real Apache and oidcgate.
func TestBalancerMethodsDifferential(t *testing.T) {
	requireApache(t)
	hosts := map[string]string{}
	for _, name := range []string{"M1", "M2", "M3", "M500"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/slow") {
				time.Sleep(1500 * time.Millisecond) // beyond ProxyTimeout 1
			}
			if strings.Contains(r.URL.Path, "/hold") {
				time.Sleep(800 * time.Millisecond)
			}
			if name == "M500" {
				w.WriteHeader(500)
			}
			io.WriteString(w, strings.ToLower(name)+" "+r.URL.RequestURI())
		}))
		defer srv.Close()
		hosts[name] = srv.Listener.Addr().String()
	}
	hosts["DOWN"], hosts["DOWN2"] = freePort(t), freePort(t)
	var sections []string
	for _, c := range lbCases {
		s := c.conf
		for _, k := range []string{"M500", "M1", "M2", "M3", "DOWN2", "DOWN", "NAME"} {
			v := hosts[k]
			if k == "NAME" {
				v = c.name
			}
			s = strings.ReplaceAll(s, k, v)
		}
		sections = append(sections, s, strings.TrimSpace(fmt.Sprintf("ProxyPass /%s balancer://%s %s", c.name, c.name, c.pass)))
	}
	conf := func(listen, dir string) string {
		return loadModules("mpm_event", "authz_core", "headers", "proxy", "proxy_http", "proxy_balancer", "lbmethod_byrequests", "lbmethod_bybusyness", "lbmethod_bytraffic", "slotmem_shm") + fmt.Sprintf(`ServerName lb.example
ProxyTimeout 1
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[2]s/error.log
PidFile %[2]s/httpd.pid
Header always set X-LB "%%{BALANCER_NAME}e|%%{BALANCER_WORKER_ROUTE}e|%%{BALANCER_SESSION_STICKY}e|%%{BALANCER_SESSION_ROUTE}e|%%{BALANCER_ROUTE_CHANGED}e"
Header always set X-LB-Worker "%%{BALANCER_WORKER_NAME}e"
Header add Set-Cookie "ROUTEID=.%%{BALANCER_WORKER_ROUTE}e; path=/" env=BALANCER_ROUTE_CHANGED
%[3]s
`, listen, dir, strings.Join(sections, "\n"))
	}
	aAddr, oAddr := freePort(t), freePort(t)
	aDir, oDir := t.TempDir(), t.TempDir()
	os.Chmod(aDir, 0o755)
	aConf, oConf := filepath.Join(aDir, "lb.conf"), filepath.Join(oDir, "lb.conf")
	os.WriteFile(aConf, []byte(conf(aAddr, aDir)), 0o644)
	os.WriteFile(oConf, []byte(conf(oAddr, oDir)), 0o644)
	apache := exec.Command(apacheBin, "-d", aDir, "-f", aConf, "-DFOREGROUND")
	apache.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := apache.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { syscall.Kill(-apache.Process.Pid, syscall.SIGTERM); apache.Wait() }()
	og := exec.Command(oidcgateBin, "serve", "-d", oDir, "-f", oConf)
	og.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} // dies with the test binary
	og.Stderr = os.Stderr
	if err := og.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { og.Process.Signal(syscall.SIGTERM); og.Wait() }()
	waitListening(t, aAddr)
	waitListening(t, oAddr)

	// Member names differ only by port: show them as M1, M2, ...
	names := strings.NewReplacer("http://"+hosts["M1"], "M1", "http://"+hosts["M2"], "M2", "http://"+hosts["M3"], "M3", "http://"+hosts["M500"], "M500", "http://"+hosts["DOWN2"], "DOWN2", "http://"+hosts["DOWN"], "DOWN")
	client := &http.Client{Timeout: 10 * time.Second}
	sequence := func(addr string, c lbCase) string {
		var got []string
		var held sync.WaitGroup
		defer held.Wait()
		for _, rq := range c.requests {
			req, _ := http.NewRequest("GET", "http://"+addr+"/"+c.name+rq.path, nil)
			if strings.HasPrefix(rq.path, "/hold") {
				held.Add(1)
				go func() {
					defer held.Done()
					if resp, err := client.Do(req); err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}()
				time.Sleep(200 * time.Millisecond)
				got = append(got, "(held)")
				continue
			}
			if rq.cookie != "" {
				req.Header.Set("Cookie", rq.cookie)
			}
			resp, err := client.Do(req)
			if err != nil {
				got = append(got, "error")
				continue
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body := string(b)
			if resp.StatusCode >= 500 && !strings.HasPrefix(body, "m500") {
				body = "(error page)"
			}
			got = append(got, fmt.Sprintf("%d:%s [%s %s] %q", resp.StatusCode, body, resp.Header.Get("X-LB"), names.Replace(resp.Header.Get("X-LB-Worker")), resp.Header.Values("Set-Cookie")))
		}
		return strings.Join(got, "\n   ")
	}
	for _, c := range lbCases {
		a, o := sequence(aAddr, c), sequence(oAddr, c)
		t.Logf("%s:\n   %s", c.name, a)
		if a != o {
			t.Errorf("%s:\n apache2:\n   %s\n oidcgate:\n   %s", c.name, a, o)
		}
	}
}
