package compattests

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The real OpenID Provider: npm oidc-provider, started from compat-tests/op
// (see op/provider.js for its clients, users and claims). `npm ci --prefix
// compat-tests/op` installs it (scripts/test-all does).

// opServer is a running provider.js.
type opServer struct {
	Issuer string // http://127.0.0.1:PORT
	log    *syncBuffer
	mu     sync.Mutex
	seen   int // bytes of log already returned by backchannel
	marks  int
}

// opRequest is one request the OP logged (provider.js with OP_LOG_REQUESTS).
type opRequest struct {
	Method, Path, Auth, ContentType, UserAgent string
	Status                                     int
	Query, Body                                [][2]string
}

// backchannel returns the requests the OP received since the last call
// that did not come from the test's browser (User-Agent compat-tests),
// i.e. the relying party's server-to-server calls. It first sends a marker
// request and waits for its log line, so every earlier request is logged.
func (op *opServer) backchannel(t *testing.T) []opRequest {
	t.Helper()
	op.mu.Lock()
	defer op.mu.Unlock()
	op.marks++
	mark := fmt.Sprintf("compat-tests-mark-%d", op.marks)
	req, _ := http.NewRequest("GET", op.Issuer+"/.well-known/openid-configuration", nil)
	req.Header.Set("User-Agent", mark)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	} else {
		t.Fatal(err)
	}
	var logText string
	for i := 0; ; i++ {
		logText = op.log.String()
		if strings.Contains(logText[op.seen:], `"userAgent":"`+mark+`"`) {
			break
		}
		if i == 500 {
			t.Fatalf("the OP did not log the marker request")
		}
		time.Sleep(10 * time.Millisecond)
	}
	chunk := logText[op.seen:]
	end := strings.Index(chunk, `"userAgent":"`+mark+`"`)
	end += strings.Index(chunk[end:], "\n") + 1
	op.seen += end
	var out []opRequest
	for _, line := range strings.Split(chunk[:end], "\n") {
		js, ok := strings.CutPrefix(line, "op-request ")
		if !ok {
			continue
		}
		var r struct {
			Method, Path, Auth, ContentType, UserAgent string
			Status                                     int
			Query, Body                                [][2]string
		}
		if err := json.Unmarshal([]byte(js), &r); err != nil {
			t.Fatalf("OP log line %q: %v", line, err)
		}
		if r.UserAgent == "compat-tests" || strings.HasPrefix(r.UserAgent, "compat-tests-mark") {
			continue
		}
		out = append(out, opRequest(r))
	}
	return out
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// opDir is compat-tests/op (tests run in the package directory).
func opDir(t *testing.T) string {
	d, err := filepath.Abs("op")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// requireOP skips (or, with OIDCGATE_REQUIRE_APACHE=1, fails) when node or
// the provider's node modules are missing.
func requireOP(t *testing.T) {
	t.Helper()
	why := ""
	if _, err := exec.LookPath("node"); err != nil {
		why = "node is not installed"
	} else if _, err := os.Stat(filepath.Join(opDir(t), "node_modules", "oidc-provider")); err != nil {
		why = "compat-tests/op/node_modules is missing; run npm ci --prefix compat-tests/op"
	}
	if why == "" {
		return
	}
	if os.Getenv("OIDCGATE_REQUIRE_APACHE") == "1" {
		t.Fatal(why)
	}
	t.Skip("SKIPPED: " + why)
}

// startOP starts provider.js on a free loopback port with the given
// redirect URIs registered for its clients, waits until discovery answers,
// and stops it when the test ends.
func startOP(t *testing.T, redirectURIs ...string) *opServer {
	t.Helper()
	requireOP(t)
	args := []string{"provider.js", "--port", "0"}
	for _, r := range redirectURIs {
		args = append(args, "--redirect", r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = opDir(t)
	cmd.Env = append(os.Environ(), "OP_LOG_REQUESTS=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	op := &opServer{log: &syncBuffer{}}
	cmd.Stderr = op.log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("provider.js log:\n%s", op.log.String())
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if s, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				lines <- s
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case op.Issuer = <-lines:
	case <-time.After(20 * time.Second):
		t.Fatalf("provider.js did not start:\n%s", op.log.String())
	}
	c := &http.Client{Timeout: 2 * time.Second}
	for i := 0; ; i++ {
		resp, err := c.Get(op.Issuer + "/.well-known/openid-configuration")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if i == 100 {
			t.Fatalf("provider.js discovery does not answer: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return op
}

// hop is one request and its response in a browser flow.
type hop struct {
	Method, URL string
	Status      int
	Location    string
	SetCookies  []string
	Header      http.Header
	Body        string
}

func (h hop) String() string {
	return fmt.Sprintf("%s %s -> %d %s %q", h.Method, h.URL, h.Status, h.Location, h.SetCookies)
}

// newBrowser is a client with a cookie jar that does not follow redirects
// (the flows are followed hop by hop).
func newBrowser(t *testing.T) *http.Client {
	jar, err := newJar()
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{
		Jar:           jar,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// do sends one request through the browser and records the hop.
func do(t *testing.T, c *http.Client, method, u string, form url.Values, hdr map[string]string) hop {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header[k] = []string{v}
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return hop{Method: method, URL: u, Status: resp.StatusCode, Location: resp.Header.Get("Location"),
		SetCookies: resp.Header.Values("Set-Cookie"), Header: resp.Header, Body: string(b)}
}

var formAction = regexp.MustCompile(`<form[^>]*action="([^"]+)"`)
var xsrfInput = regexp.MustCompile(`name="xsrf" value="([^"]+)"`)

// login follows a browser flow from startURL (on the relying party) through
// the OP's login form, logging in as user (any password), following every
// redirect until a response that is not one (normally the backend's page
// for the original URL): it returns every hop. The OP's login form is the only form it fills in; the consent screen
// never appears (provider.js grants everything).
func login(t *testing.T, c *http.Client, startURL, user, opIssuer string) []hop {
	t.Helper()
	return loginHops(t, c, startURL, user, opIssuer, nil)
}

// loginHops is login calling onHop (if not nil) right after each hop.
func loginHops(t *testing.T, c *http.Client, startURL, user, opIssuer string, onHop func(hop)) []hop {
	t.Helper()
	var hops []hop
	u := startURL
	for i := 0; i < 20; i++ {
		h := do(t, c, "GET", u, nil, browserHdr)
		hops = append(hops, h)
		if onHop != nil {
			onHop(h)
		}
		if strings.HasPrefix(u, opIssuer+"/interaction/") && h.Status == 200 {
			m := formAction.FindStringSubmatch(h.Body)
			if m == nil || !strings.Contains(h.Body, `name="login"`) {
				t.Fatalf("OP page at %s is not the login form:\n%s", u, h.Body)
			}
			h = do(t, c, "POST", m[1], url.Values{"prompt": {"login"}, "login": {user}, "password": {"x"}}, browserHdr)
			hops = append(hops, h)
			if onHop != nil {
				onHop(h)
			}
		}
		if h.Location == "" {
			return hops
		}
		next, err := url.Parse(h.URL)
		if err != nil {
			t.Fatal(err)
		}
		loc, err := next.Parse(h.Location)
		if err != nil {
			t.Fatal(err)
		}
		u = loc.String()
	}
	t.Fatalf("login did not finish in 20 hops: %v", hops)
	return nil
}

// logoutAtOP confirms the OP's end_session page (as a user clicking "Yes,
// sign me out") and returns the hops until the post-logout redirect.
func logoutAtOP(t *testing.T, c *http.Client, endSessionPage hop) []hop {
	t.Helper()
	m := formAction.FindStringSubmatch(endSessionPage.Body)
	x := xsrfInput.FindStringSubmatch(endSessionPage.Body)
	if m == nil || x == nil {
		t.Errorf("not the OP's logout form:\n%s", endSessionPage.Body)
		return nil
	}
	h := do(t, c, "POST", m[1], url.Values{"xsrf": {x[1]}, "logout": {"yes"}}, nil)
	return []hop{h}
}

// portJar keeps cookies per host:port. Browsers share cookies across the
// ports of one host; the tests run the OP and the relying parties on
// 127.0.0.1 with different ports and keep their cookies apart so that what
// the backend receives does not depend on the OP's cookies.
type portJar struct {
	mu   sync.Mutex
	jars map[string]*cookiejar.Jar
}

func newJar() (*portJar, error) { return &portJar{jars: map[string]*cookiejar.Jar{}}, nil }

func (p *portJar) jar(u *url.URL) *cookiejar.Jar {
	p.mu.Lock()
	defer p.mu.Unlock()
	j := p.jars[u.Host]
	if j == nil {
		j, _ = cookiejar.New(nil)
		p.jars[u.Host] = j
	}
	return j
}

func (p *portJar) SetCookies(u *url.URL, cookies []*http.Cookie) { p.jar(u).SetCookies(u, cookies) }
func (p *portJar) Cookies(u *url.URL) []*http.Cookie             { return p.jar(u).Cookies(u) }

// followToCallback follows a flow that starts at the OP (authURL) through
// the login form and returns the first URL that leaves the OP (the
// relying party's callback, with code and state), without requesting it.
func followToCallback(t *testing.T, c *http.Client, authURL, user, opIssuer string) string {
	t.Helper()
	u := authURL
	for i := 0; i < 20; i++ {
		if !strings.HasPrefix(u, opIssuer) {
			return u
		}
		h := do(t, c, "GET", u, nil, browserHdr)
		if strings.HasPrefix(u, opIssuer+"/interaction/") && h.Status == 200 {
			m := formAction.FindStringSubmatch(h.Body)
			if m == nil {
				t.Fatalf("OP page at %s is not the login form:\n%s", u, h.Body)
			}
			h = do(t, c, "POST", m[1], url.Values{"prompt": {"login"}, "login": {user}, "password": {"x"}}, browserHdr)
		}
		if h.Location == "" {
			t.Fatalf("the OP answered %d without a redirect: %s", h.Status, h.Body)
		}
		base, _ := url.Parse(h.URL)
		loc, err := base.Parse(h.Location)
		if err != nil {
			t.Fatal(err)
		}
		u = loc.String()
	}
	t.Fatalf("no callback after 20 hops")
	return ""
}
