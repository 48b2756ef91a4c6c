// Command login is the OIDC benchmark's provider and login robot. It runs
// the embedded development OpenID Provider (internal/devop, user "zoe"
// logged in automatically) on a loopback address, logs in once to each
// target by following the redirects with a cookie jar, checks that the
// session cookie alone then gets a 200 from the backend, and writes one
// line per target to the output file:
//
//	<target URL> <value of the session cookie>
//
// It keeps serving the provider until it receives SIGINT/SIGTERM, so the
// targets may contact it again. NOT FOR PRODUCTION (fixed secrets).
//
//	login -op 127.0.0.1:18410 -out cookies.txt http://127.0.0.1:18411/ ...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/oidcgate/oidcgate/internal/devop"
)

// The client the benchmark's configurations name.
const (
	clientID     = "bench"
	clientSecret = "bench-secret"
	cookieName   = "mod_auth_openidc_session"
)

func main() {
	opAddr := flag.String("op", "127.0.0.1:18410", "provider listen address")
	out := flag.String("out", "", "file the cookies are written to (required)")
	want := flag.String("want", "hello from the backend", "text the backend's body must contain")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		log.Fatal("usage: login -op addr -out file targetURL...")
	}
	issuer := "http://" + *opAddr
	var redirects []string
	for _, t := range flag.Args() {
		u, err := url.Parse(t)
		if err != nil {
			log.Fatal(err)
		}
		redirects = append(redirects, u.Scheme+"://"+u.Host+"/redirect_uri")
	}
	op, err := devop.New(devop.Options{
		Issuer:    issuer,
		Clients:   []devop.Client{{ID: clientID, Secret: clientSecret, RedirectURIs: redirects}},
		Users:     devop.DemoUsers(),
		AutoLogin: "zoe",
		Logger:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *opAddr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: op, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()

	var lines []string
	for _, t := range flag.Args() {
		c, err := login(t, *want)
		if err != nil {
			log.Fatalf("login to %s: %v", t, err)
		}
		lines = append(lines, t+" "+c)
	}
	// Written at once (rename) so that a reader never sees half a file.
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		log.Fatal(err)
	}
	if err := os.Rename(tmp, *out); err != nil {
		log.Fatal(err)
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	srv.Shutdown(ctx)
}

// login follows target's login flow with a fresh cookie jar and returns
// the session cookie, after checking that it alone gets the backend's 200.
func login(target, want string) (string, error) {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	// A browser's Accept: without text/html, mod_auth_openidc answers
	// 401 instead of redirecting to the provider.
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
		return "", fmt.Errorf("login flow ended with %s at %s: %.200q", resp.Status, resp.Request.URL, body)
	}
	u, _ := url.Parse(target)
	var session string
	for _, c := range jar.Cookies(u) {
		if c.Name == cookieName {
			session = c.Value
		}
	}
	if session == "" {
		return "", fmt.Errorf("no %s cookie after the login", cookieName)
	}
	// The cookie alone, no redirects followed: must be the backend's 200.
	req, _ = http.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Cookie", cookieName+"="+session)
	bare := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = bare.Do(req)
	if err != nil {
		return "", err
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
		return "", fmt.Errorf("the session cookie alone got %s (Location %q)", resp.Status, resp.Header.Get("Location"))
	}
	return session, nil
}
