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
	"syscall"
	"testing"
	"time"
)

// TestBalancerDifferential compares which member serves each request —
// byrequests with equal and unequal load factors, hot standby, failover
// from an unreachable member — between the real Apache and oidcgate.
func TestBalancerDifferential(t *testing.T) {
	requireApache(t)
	var members []string
	for _, name := range []string{"m1", "m2", "m3"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, name+" "+r.URL.Path)
		}))
		defer srv.Close()
		members = append(members, srv.Listener.Addr().String())
	}
	down := freePort(t) // nothing listens there
	conf := func(listen, dir string) string {
		return loadModules("mpm_event", "authz_core", "proxy", "proxy_http", "proxy_balancer", "lbmethod_byrequests", "slotmem_shm") + fmt.Sprintf(`ServerName lb.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[2]s/error.log
PidFile %[2]s/httpd.pid
<Proxy balancer://even>
  BalancerMember http://%[3]s
  BalancerMember http://%[4]s
</Proxy>
<Proxy balancer://weighted>
  BalancerMember http://%[3]s loadfactor=1
  BalancerMember http://%[4]s loadfactor=3
</Proxy>
<Proxy balancer://standby>
  BalancerMember http://%[3]s
  BalancerMember http://%[5]s status=+H
</Proxy>
<Proxy balancer://failover>
  BalancerMember http://%[6]s
  BalancerMember http://%[4]s
</Proxy>
<Proxy balancer://allstandby>
  BalancerMember http://%[6]s
  BalancerMember http://%[5]s status=+H
</Proxy>
ProxyPass /even balancer://even/e
ProxyPass /weighted balancer://weighted/w
ProxyPass /standby balancer://standby/s
ProxyPass /failover balancer://failover/f
ProxyPass /allstandby balancer://allstandby/a
`, listen, dir, members[0], members[1], members[2], down)
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
	if err := og.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { og.Process.Signal(syscall.SIGTERM); og.Wait() }()
	waitListening(t, aAddr)
	waitListening(t, oAddr)

	client := &http.Client{Timeout: 10 * time.Second}
	sequence := func(addr, path string) string {
		var got []string
		for i := 1; i <= 8; i++ {
			resp, err := client.Get(fmt.Sprintf("http://%s/%s/x%d", addr, path, i))
			if err != nil {
				got = append(got, "error")
				continue
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got = append(got, fmt.Sprintf("%d:%s", resp.StatusCode, b))
		}
		return strings.Join(got, " | ")
	}
	for _, p := range []string{"even", "weighted", "standby", "failover", "allstandby"} {
		a, o := sequence(aAddr, p), sequence(oAddr, p)
		t.Logf("%s: %s", p, a)
		if a != o {
			t.Errorf("%s:\n apache2:  %s\n oidcgate: %s", p, a, o)
		}
	}
}
