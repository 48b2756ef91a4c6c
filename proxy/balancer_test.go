package proxy

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestByRequests(t *testing.T) {
	mk := func(name string, factor int, standby bool) *lbMember {
		return &lbMember{url: &url.URL{Host: name}, factor: factor, standby: standby, retry: time.Minute}
	}
	seq := func(st *lbState, n int, now time.Time) string {
		var out []string
		for range n {
			if m := st.pick(now); m != nil {
				out = append(out, m.url.Host)
			} else {
				out = append(out, "-")
			}
		}
		return strings.Join(out, ",")
	}
	now := time.Unix(1000, 0)
	// Apache 2.4.71 served m2,m1,m2,m2,m2,m1,m2,m2 for load factors 1 and 3.
	st := &lbState{members: []*lbMember{mk("m1", 1, false), mk("m2", 3, false)}}
	if got := seq(st, 8, now); got != "m2,m1,m2,m2,m2,m1,m2,m2" {
		t.Errorf("weighted: %s", got)
	}
	st = &lbState{members: []*lbMember{mk("m1", 1, false), mk("m3", 1, true)}}
	if got := seq(st, 3, now); got != "m1,m1,m1" {
		t.Errorf("standby unused while m1 is up: %s", got)
	}
	st.fail(st.members[0], now)
	if got := seq(st, 2, now); got != "m3,m3" {
		t.Errorf("standby while m1 is in error: %s", got)
	}
	if got := seq(st, 1, now.Add(2*time.Minute)); got != "m1" {
		t.Errorf("m1 back after its retry period: %s", got)
	}
	st.fail(st.members[0], now)
	st.fail(st.members[1], now)
	if got := seq(st, 1, now); got != "-" {
		t.Errorf("all in error: %s", got)
	}
}

func lbNames(ms []*lbMember) string {
	var out []string
	for _, m := range ms {
		if m == nil {
			out = append(out, "-")
		} else {
			out = append(out, m.url.Host)
		}
	}
	return strings.Join(out, ",")
}

func newTestLB(method lbMethod, specs ...string) *lbState {
	st := &lbState{name: "balancer://t", method: method, stickySep: '.', forceRecovery: true}
	for _, s := range specs {
		// host[:factor[:lbset[:flags[:route]]]]
		f := strings.Split(s, ":")
		m := &lbMember{name: "http://" + f[0], url: &url.URL{Scheme: "http", Host: f[0]}, factor: 1, retry: time.Minute}
		if len(f) > 1 && f[1] != "" {
			m.factor = int(f[1][0] - '0')
		}
		if len(f) > 2 && f[2] != "" {
			m.lbset = int(f[2][0] - '0')
		}
		if len(f) > 3 {
			m.setStatus(f[3])
		}
		if len(f) > 4 {
			m.route = f[4]
		}
		st.members = append(st.members, m)
	}
	st.maxAttempts = len(st.members) - 1
	return st
}

func TestByBusyness(t *testing.T) {
	now := time.Unix(1000, 0)
	st := newTestLB(byBusyness, "m1:1", "m2:3")
	var got []*lbMember
	for range 8 {
		got = append(got, st.pick(now))
	}
	// Nothing in flight: the byrequests order (Apache 2.4.71 served the
	// same sequence, compat-tests busyweighted).
	if s := lbNames(got); s != "m2,m1,m2,m2,m2,m1,m2,m2" {
		t.Errorf("idle: %s", s)
	}
	st = newTestLB(byBusyness, "m1", "m2", "m3")
	first := st.pick(now) // m1, held
	first.busy++
	second := st.pick(now)
	second.busy++
	got = []*lbMember{first, second}
	for range 3 {
		got = append(got, st.pick(now))
	}
	if s := lbNames(got); s != "m1,m2,m3,m3,m3" {
		t.Errorf("busy members avoided: %s", s)
	}
}

func TestByTraffic(t *testing.T) {
	now := time.Unix(1000, 0)
	st := newTestLB(byTraffic, "m1:1", "m2:3")
	var got []*lbMember
	for range 8 {
		m := st.pick(now)
		m.read += 30
		got = append(got, m)
	}
	if s := lbNames(got); s != "m1,m2,m2,m2,m1,m2,m2,m2" {
		t.Errorf("weighted: %s", s)
	}
	st = newTestLB(byTraffic, "m1", "m2")
	st.members[0].transferred = 1000 // a big upload went to m1
	got = got[:0]
	for range 3 {
		m := st.pick(now)
		m.read += 100
		got = append(got, m)
	}
	if s := lbNames(got); s != "m2,m2,m2" {
		t.Errorf("traffic evened out: %s", s)
	}
}

func TestLBSetsSparesStandbys(t *testing.T) {
	now := time.Unix(1000, 0)
	seq := func(st *lbState, n int) string {
		var got []*lbMember
		for range n {
			got = append(got, st.pick(now))
		}
		return lbNames(got)
	}
	st := newTestLB(byRequests, "m1::1", "m2::0", "m3::0")
	if s := seq(st, 4); s != "m2,m3,m2,m3" {
		t.Errorf("lower lbset first: %s", s)
	}
	st.fail(st.members[1], now)
	st.fail(st.members[2], now)
	if s := seq(st, 2); s != "m1,m1" {
		t.Errorf("next lbset when the first is down: %s", s)
	}
	// A set's hot standby comes before the next set.
	st = newTestLB(byRequests, "d::0", "s::0:+H", "m1::1")
	st.fail(st.members[0], now)
	if s := seq(st, 2); s != "s,s" {
		t.Errorf("standby of lbset 0: %s", s)
	}
	// A hot spare replaces an unusable member, not more.
	st = newTestLB(byRequests, "d", "m1", "sp:::+R", "sp2:::+R")
	st.fail(st.members[0], now)
	if s := seq(st, 4); s != "m1,sp,m1,sp" {
		t.Errorf("spare: %s", s)
	}
	// Draining members take no new sessions; disabled and stopped none.
	st = newTestLB(byRequests, "n:::+N", "d:::+D", "s:::+S", "m1", "sp:::R")
	if s := seq(st, 3); s != "m1,sp,m1" {
		t.Errorf("drain/disabled/stopped: %s", s)
	}
	// +E at start-up is retried at once; +I never goes in error.
	st = newTestLB(byRequests, "e:::+E", "i:::+I")
	st.fail(st.members[1], now)
	if s := seq(st, 2); s != "e,i" {
		t.Errorf("+E/+I: %s", s)
	}
}

func TestStickyRoute(t *testing.T) {
	for _, c := range []struct {
		url, name string
		scolon    bool
		want      string
		ok        bool
	}{
		{"balancer://b/p;jsessionid=abc.n2", "jsessionid", false, "abc.n2", true},
		{"balancer://b/p;jsessionid=abc.n2;x=1", "jsessionid", true, "abc.n2", true},
		{"balancer://b/p;jsessionid=abc.n2;x=1", "jsessionid", false, "abc.n2;x=1", true},
		{"balancer://b/q?a=1&route=x.r1&b=2", "route", false, "x.r1", true},
		{"balancer://b/q?route=", "route", false, "", false},
		{"balancer://b/routes", "route", false, "", false},
	} {
		got, ok := pathParam(c.url, c.name, c.scolon)
		if got != c.want || ok != c.ok {
			t.Errorf("pathParam(%q, %q) = %q %v, want %q %v", c.url, c.name, got, ok, c.want, c.ok)
		}
	}
	for _, c := range []struct {
		h, want string
		ok      bool
	}{
		{"ROUTEID=.r1", ".r1", true},
		{"a=1; ROUTEID = x.r2; b=2", " x.r2", true}, // Apache keeps the space after =
		{"XROUTEID=.r9, ROUTEID=.r3", ".r3", true},
		{"a=1,ROUTEID=.r4,b", ".r4", true},
		{"XROUTEID=.r9", "", false},
		{"ROUTEID=", "", false},
	} {
		got, ok := cookieParam(c.h, "ROUTEID")
		if got != c.want || ok != c.ok {
			t.Errorf("cookieParam(%q) = %q %v, want %q %v", c.h, got, ok, c.want, c.ok)
		}
	}

	now := func() time.Time { return time.Unix(1000, 0) }
	ctx := t.Context()
	st := newTestLB(byRequests, "m1::::r1", "m2::::r2", "m3:::+D:r3")
	st.stickyCookie, st.stickyPath = "ROUTEID", "ROUTEID"
	st.members[2].redirect = "r2"
	env := map[string]string{}
	m, err := st.preRequest(ctx, "balancer://t/x", "ROUTEID=.r2", env, now)
	if err != nil || m.route != "r2" || env["BALANCER_SESSION_ROUTE"] != "r2" || env["BALANCER_ROUTE_CHANGED"] != "" || env["BALANCER_WORKER_NAME"] != "http://m2" {
		t.Errorf("cookie route: %v %v %v", m, err, env)
	}
	env = map[string]string{}
	m, _ = st.preRequest(ctx, "balancer://t/x", "ROUTEID=.r3", env, now)
	if m.route != "r2" || env["BALANCER_ROUTE_CHANGED"] != "1" || env["BALANCER_SESSION_ROUTE"] != "r3" {
		t.Errorf("redirect of a disabled member: %v %v", m, env)
	}
	env = map[string]string{}
	m, _ = st.preRequest(ctx, "balancer://t/x", "", env, now)
	if m == nil || env["BALANCER_ROUTE_CHANGED"] != "1" || env["BALANCER_SESSION_STICKY"] != "" {
		t.Errorf("no route: %v %v", m, env)
	}
	st.members[2].redirect = ""
	st.noFailover = true
	if _, err := st.preRequest(ctx, "balancer://t/x", "ROUTEID=.r3", map[string]string{}, now); !errors.Is(err, errNoMember) {
		t.Errorf("nofailover: %v", err)
	}
	if m, err := st.preRequest(ctx, "balancer://t/x", "ROUTEID=.zz", map[string]string{}, now); err != nil || m == nil {
		t.Errorf("nofailover with a route of no member: %v %v", m, err)
	}
}

// TestBalancerConcurrent runs many requests through one balancer at once
// (go test -race): the busy counts come back to zero and every request is
// counted once.
func TestBalancerConcurrent(t *testing.T) {
	for _, method := range []lbMethod{byRequests, byBusyness, byTraffic} {
		st := newTestLB(method, "m1:1", "m2:2", "m3:1:1", "m4:1::+H")
		st.stickyCookie, st.stickyPath = "S", "S"
		var wg sync.WaitGroup
		for g := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 200 {
					m, err := st.preRequest(t.Context(), "balancer://t/x", fmt.Sprintf("S=.r%d", (g+i)%3), map[string]string{}, time.Now)
					if err != nil {
						t.Error(err)
						return
					}
					if i%50 == 0 {
						st.fail(m, time.Now())
					}
					st.done(m, 10, 5)
				}
			}()
		}
		wg.Wait()
		var read int64
		for _, m := range st.members {
			if m.busy != 0 {
				t.Errorf("method %d: %s busy %d", method, m.url.Host, m.busy)
			}
			read += m.read
		}
		if read != 16*200*5 {
			t.Errorf("method %d: read %d", method, read)
		}
	}
}

type rwcBody struct{ io.Reader }

func (rwcBody) Write(p []byte) (int, error) { return len(p), nil }
func (rwcBody) Close() error                { return nil }

type fakeRT func(*http.Request) (*http.Response, error)

func (f fakeRT) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestBalancerTransportBodies: the member stays busy until the body is
// closed, and an upgraded (101) body stays writable for the tunnel.
func TestBalancerTransportBodies(t *testing.T) {
	st := newTestLB(byBusyness, "m1", "m2")
	tr := &balancerTransport{state: st, path: "/p", now: time.Now, base: fakeRT(func(r *http.Request) (*http.Response, error) {
		if r.URL.Path == "/up" {
			return &http.Response{StatusCode: 101, Status: "101 Switching Protocols", Proto: "HTTP/1.1", Body: rwcBody{strings.NewReader("")}}, nil
		}
		return &http.Response{StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", Body: io.NopCloser(strings.NewReader("ok"))}, nil
	})}
	req := httptest.NewRequest("GET", "http://front/p", nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	if st.members[0].busy != 1 {
		t.Errorf("busy while the body is open: %d", st.members[0].busy)
	}
	resp.Body.Close()
	resp.Body.Close()
	if st.members[0].busy != 0 || st.members[0].read != int64(len("HTTP/1.1 200 OK")) {
		t.Errorf("after close: busy %d read %d", st.members[0].busy, st.members[0].read)
	}
	tr.path = "/up"
	resp, err = tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := resp.Body.(io.ReadWriteCloser); !ok {
		t.Errorf("101 body is not writable: %T", resp.Body)
	}
	resp.Body.Close()
}

// TestBalancerTimeout: with a balancer timeout, a request waits (in 100
// steps) for a member to become usable instead of failing at once.
func TestBalancerTimeout(t *testing.T) {
	st := newTestLB(byRequests, "m1:::+D")
	st.timeout = 200 * time.Millisecond
	start := time.Now()
	if _, err := st.preRequest(t.Context(), "balancer://t/", "", map[string]string{}, time.Now); !errors.Is(err, errNoMember) || time.Since(start) < 150*time.Millisecond {
		t.Errorf("no member: %v after %v", err, time.Since(start))
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		st.mu.Lock()
		st.members[0].disabled = false
		st.mu.Unlock()
	}()
	if m, err := st.preRequest(t.Context(), "balancer://t/", "", map[string]string{}, time.Now); err != nil || m == nil {
		t.Errorf("member back within the timeout: %v %v", m, err)
	}
}
