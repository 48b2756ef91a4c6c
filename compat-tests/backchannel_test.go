package compattests

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/oidcgate/oidcgate/cache/cachetest"
)

// Back-channel logout end to end with the real provider: the user logs
// in, the provider's session ends (its end_session page, confirmed — no
// relying party involved), the provider POSTs a logout_token to the
// client's backchannel_logout_uri, and the relying party's session must be
// gone: the next request starts a new login.
//
// One client ("bcl", backchannel_logout_session_required) serves both
// front ends so that their transcripts compare; its backchannel_logout_uri
// is a relay in the test that forwards the POST to the front end under
// test and records the answer. The variant is "exclude" (ProxyPass
// /redirect_uri !, the module's documented shape): under a ProxyPass,
// 2.4.12.3 hands the answered POST on to mod_proxy as well, and the
// provider gets the backend's page (DESIGN.md: the redirect URI is never
// proxied by oidcgate). oidc-provider 9 has no front-channel logout
// any more (only back-channel), so that is not exercised here.

// bclRelay forwards the provider's back-channel logout POSTs to target.
type bclRelay struct {
	url    string
	target atomic.Value // string: the base URL of the front end under test
	mu     sync.Mutex
	calls  []bclCall
}

type bclCall struct {
	status int
	header http.Header
	body   string
	token  string // the request's form body, for replays
}

func startBCLRelay(t *testing.T) *bclRelay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rl := &bclRelay{url: "http://" + ln.Addr().String() + "/bcl"}
	rl.target.Store("")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		form, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		status, hdr, body := rl.post(t, string(form), r.Header.Get("Content-Type"))
		rl.mu.Lock()
		rl.calls = append(rl.calls, bclCall{status: status, header: hdr, body: body, token: string(form)})
		rl.mu.Unlock()
		w.WriteHeader(status)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	return rl
}

// post sends a back-channel logout POST to the current target.
func (rl *bclRelay) post(t *testing.T, form, contentType string) (int, http.Header, string) {
	resp, err := http.Post(rl.target.Load().(string)+"/redirect_uri?logout=backchannel", contentType, strings.NewReader(form))
	if err != nil {
		t.Errorf("relaying the back-channel logout: %v", err)
		return 502, nil, ""
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header, string(b)
}

// take returns the calls relayed since the last take.
func (rl *bclRelay) take() []bclCall {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	c := rl.calls
	rl.calls = nil
	return c
}

// recordBCL writes a relayed back-channel logout to the transcript.
func recordBCL(s *scen, label string, c bclCall) {
	fmt.Fprintf(&s.out, "  (%s) POST /redirect_uri?logout=backchannel -> %d\n", label, c.status)
	for _, k := range []string{"Cache-Control", "Pragma", "Content-Type"} {
		if v := c.header.Get(k); v != "" {
			fmt.Fprintf(&s.out, "    %s: %s\n", k, v)
		}
	}
	fmt.Fprintf(&s.out, "    body: %d bytes\n\n", len(c.body))
}

func backchannelScenario(rl *bclRelay) oidcScenario {
	return oidcScenario{"backchannel", func(s *scen) {
		rl.target.Store(s.tg.Base["exclude"])
		rl.take()
		successes := strings.Count(s.tg.Env.OP.log.String(), "backchannel.success bcl")
		c := newBrowser(s.t)
		s.note("alice logs in; the session works")
		s.loginAs(c, "exclude", "/x", "alice")
		s.send(c, "exclude", "GET", "/y", browserHdr)
		s.note("the provider's session ends at its end_session page: it POSTs a logout_token to the relying party")
		endAtOP(s, c, s.tg.Env.OP.Issuer)
		calls := rl.take()
		if len(calls) != 1 {
			s.t.Fatalf("the provider sent %d back-channel logouts, want 1\n%s", len(calls), s.tg.Env.OP.log.String())
		}
		recordBCL(s, "OP back-channel logout", calls[0])
		s.backchannel() // what the relying party called at the provider meanwhile
		// The provider logs the outcome on stderr, which arrives a little later.
		for i := 0; i < 100 && strings.Count(s.tg.Env.OP.log.String(), "backchannel.success bcl") < successes+1; i++ {
			time.Sleep(20 * time.Millisecond)
		}
		if strings.Count(s.tg.Env.OP.log.String(), "backchannel.success bcl") != successes+1 {
			s.t.Errorf("the provider did not see the logout succeed:\n%s", s.tg.Env.OP.log.String())
		}
		s.note("the same logout_token again (jti replay), and a token that is not one")
		st, hdr, body := rl.post(s.t, calls[0].token, "application/x-www-form-urlencoded")
		recordBCL(s, "replayed", bclCall{status: st, header: hdr, body: body})
		st, hdr, body = rl.post(s.t, "logout_token=eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.", "application/x-www-form-urlencoded")
		recordBCL(s, "unsigned", bclCall{status: st, header: hdr, body: body})
		s.note("the relying party's session is gone: a new login")
		h := s.send(c, "exclude", "GET", "/y", browserHdr)
		if h.Status != http.StatusFound || !strings.HasPrefix(h.Location, s.tg.Env.OP.Issuer+"/auth") {
			s.t.Errorf("after the back-channel logout: %d %q, want a login redirect", h.Status, h.Location)
		}
	}}
}

// frontChannelSIDScenario: OpenID Connect Front-Channel Logout by sid
// (what the provider's logout iframe would load, here from a browser
// without the session cookie): the session the sid names ends.
var frontChannelSIDScenario = oidcScenario{"frontchannel-sid", func(s *scen) {
	c := newBrowser(s.t)
	s.note("alice logs in (client bcl: her id_token carries a sid)")
	s.loginAs(c, "exclude", "/x", "alice")
	h := do(s.t, c, "GET", s.tg.Base["exclude"]+"/redirect_uri?info=json", nil, browserHdr)
	var info struct {
		IDToken struct {
			SID string `json:"sid"`
		} `json:"id_token"`
	}
	if err := json.Unmarshal([]byte(h.Body), &info); err != nil || info.IDToken.SID == "" {
		s.t.Fatalf("no sid in the info hook: %v %s", err, h.Body)
	}
	s.n.repl = append(s.n.repl, [2]string{info.IDToken.SID, "<sid>"})
	s.note("an unknown sid ends nothing; alice's sid (with the provider's iss) ends her session, revoking her tokens")
	s.send(nil, "exclude", "GET", "/redirect_uri?logout=get&sid=unknown-sid&iss="+url.QueryEscape(s.tg.Env.OP.Issuer), browserHdr)
	s.send(c, "exclude", "GET", "/y", browserHdr)
	s.send(nil, "exclude", "GET", "/redirect_uri?logout=img&sid="+info.IDToken.SID+"&iss="+url.QueryEscape(s.tg.Env.OP.Issuer), browserHdr)
	s.backchannel()
	s.note("the session is gone")
	s.send(c, "exclude", "GET", "/y", browserHdr)
	s.note("with a single provider 2.4.12.3 does not look at iss: a foreign one ends the new session too")
	s.loginAs(c, "exclude", "/z", "alice")
	h = do(s.t, c, "GET", s.tg.Base["exclude"]+"/redirect_uri?info=json", nil, browserHdr)
	if err := json.Unmarshal([]byte(h.Body), &info); err != nil || info.IDToken.SID == "" {
		s.t.Fatalf("no sid in the info hook: %v %s", err, h.Body)
	}
	s.n.repl = append(s.n.repl, [2]string{info.IDToken.SID, "<sid>"})
	s.send(nil, "exclude", "GET", "/redirect_uri?logout=get&sid="+info.IDToken.SID+"&iss="+url.QueryEscape("https://other.example"), browserHdr)
	s.backchannel()
	s.send(c, "exclude", "GET", "/z", browserHdr)
}}

// TestBackChannelLogoutOP: Apache + mod_auth_openidc and oidcgate, each
// logged out by the real provider's back-channel logout; the transcripts
// compare after the deliberate differences.
func TestBackChannelLogoutOP(t *testing.T) {
	requireApache(t)
	requireOP(t)
	rl := startBCLRelay(t)
	t.Setenv("OP_BACKCHANNEL_CLIENTS", "bcl="+rl.url)
	env := newOIDCEnv(t, "apache", "oidcgate")
	a, o := env.Targets["apache"], env.Targets["oidcgate"]
	a.Extra, o.Extra = "  OIDCClientID bcl\n", "  OIDCClientID bcl\n"
	startApacheOIDC(t, a)
	startOIDCGateOIDC(t, o)
	for _, sc := range []oidcScenario{backchannelScenario(rl), frontChannelSIDScenario} {
		want := runScenario(t, a, sc)
		t.Logf("apache2 transcript (%s):\n%s", sc.Name, want)
		got := orderBlind(runScenario(t, o, sc))
		if w := orderBlind(expectForOIDCGate(want)); w != got {
			t.Errorf("%s: oidcgate differs from Apache:\n%s", sc.Name, requestDiff(w, got))
		}
	}
}

// TestBackChannelLogoutSharedRedis: two oidcgate instances share a Redis
// store behind a balancer; the user logs in through A, the provider's
// logout_token reaches B, and A no longer knows the session.
func TestBackChannelLogoutSharedRedis(t *testing.T) {
	requireOP(t)
	store := cachetest.Redis(t)
	be := newClaimBackend(t)
	lbLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	front := "http://" + lbLn.Addr().String()
	t.Setenv("OP_BACKCHANNEL_CLIENTS", "bcl="+front+"/redirect_uri?logout=backchannel")
	op := startOP(t, front+"/redirect_uri")

	dir := t.TempDir()
	conf := filepath.Join(dir, "oidcgate.conf")
	if err := os.WriteFile(conf, []byte(`ServerName 127.0.0.1
Listen ${OIDCGATE_LISTEN}
ErrorLog /dev/stderr
LogLevel warn auth_openidc:info
OIDCProviderMetadataURL `+op.Issuer+`/.well-known/openid-configuration
OIDCClientID bcl
OIDCClientSecret secret
OIDCRedirectURI /redirect_uri
OIDCCryptoPassphrase shared-secret
OIDCCacheType redis
OIDCRedisCacheServer `+store.Addr+`
<Location />
  AuthType openid-connect
  Require valid-user
  ProxyPass http://`+be.Addr()+`/
</Location>
<Location /redirect_uri>
  ProxyPass !
</Location>
`), 0o644); err != nil {
		t.Fatal(err)
	}
	inst, logs := startOIDCGateInstances(t, dir, conf)
	var target atomic.Int32
	lb := &http.Server{Handler: &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(&url.URL{Scheme: "http", Host: inst[target.Load()]})
		r.Out.Host = r.In.Host
	}}}
	go lb.Serve(lbLn)
	t.Cleanup(func() { lb.Shutdown(context.Background()) })
	defer func() {
		if t.Failed() {
			t.Logf("A:\n%s\nB:\n%s\nprovider:\n%s", logs[0], logs[1], op.log)
		}
	}()

	const A, B = 0, 1
	c := newBrowser(t)
	target.Store(A)
	hops := login(t, c, front+"/x", "alice", op.Issuer)
	if last := hops[len(hops)-1]; last.Status != 200 || !strings.HasPrefix(last.Body, "backend saw ") {
		t.Fatalf("login through A: %v", last)
	}
	target.Store(B)
	if h := do(t, c, "GET", front+"/y", nil, browserHdr); h.Status != 200 {
		t.Fatalf("the session on B: %d", h.Status)
	}
	// The provider's logout_token goes to B.
	h := do(t, c, "GET", op.Issuer+"/session/end", nil, browserHdr)
	logoutAtOP(t, c, h)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(op.log.String(), "backchannel.") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(op.log.String(), "backchannel.success bcl") {
		t.Fatalf("the provider's back-channel logout did not succeed")
	}
	if !strings.Contains(logs[B].String(), "session ended by back-channel logout") {
		t.Errorf("B did not end the session")
	}
	target.Store(A)
	if h := do(t, c, "GET", front+"/z", nil, browserHdr); h.Status != http.StatusFound || !strings.HasPrefix(h.Location, op.Issuer+"/auth") {
		t.Errorf("A after the provider's back-channel logout reached B: %d %q, want a login redirect", h.Status, h.Location)
	}
}

// startOIDCGateInstances starts two "oidcgate serve" on one configuration
// (which listens on OIDCGATE_LISTEN), each on its own loopback port, and
// returns their addresses and error logs; they stop with the test.
func startOIDCGateInstances(t *testing.T, dir, conf string) (inst [2]string, logs [2]*lockedBuffer) {
	t.Helper()
	for i := range inst {
		inst[i], logs[i], _ = startOIDCGateInstance(t, dir, conf)
	}
	return inst, logs
}

// startOIDCGateInstance starts one `oidcgate serve` on conf, with
// OIDCGATE_LISTEN set to a free port and the extra environment variables
// ("NAME=value"), and waits until it listens; it is stopped when the test
// ends. It returns the address, the process's standard error and the
// process (to send it signals).
func startOIDCGateInstance(t *testing.T, dir, conf string, env ...string) (string, *lockedBuffer, *exec.Cmd) {
	t.Helper()
	addr, log := freePort(t), &lockedBuffer{}
	cmd := exec.Command(oidcgateBin, "serve", "-d", dir, "-f", conf)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	cmd.Env = append(append(os.Environ(), "OIDCGATE_LISTEN="+addr), env...)
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	waitListening(t, addr)
	return addr, log, cmd
}
