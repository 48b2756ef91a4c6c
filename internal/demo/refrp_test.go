package demo

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/oidcgate/oidcgate/internal/devop"
	"github.com/oidcgate/oidcgate/internal/echo"
	"golang.org/x/oauth2"
)

// refRP is a minimal relying party built on go-oidc and x/oauth2 that
// protects a backend the way the demo's configuration asks
// (OIDCPassClaimsAs headers, OIDCPassUserInfoAs claims): enough to prove
// that checkLogin, the browser side of TestDemoLoginEndToEnd, passes
// against a working relying party, and that the development provider
// serves one. It is not oidcgate's relying party and copies none of
// mod_auth_openidc's wire details.
type refRP struct {
	conf     *oauth2.Config
	verifier *oidc.IDTokenVerifier
	provider *oidc.Provider
	backend  http.Handler

	mu       sync.Mutex
	pending  map[string][3]string // state -> nonce, PKCE verifier, original URL
	sessions map[string]map[string]any
}

func randString() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (rp *refRP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/redirect_uri" {
		rp.callback(w, r)
		return
	}
	if c, err := r.Cookie("refrp_session"); err == nil {
		rp.mu.Lock()
		claims := rp.sessions[c.Value]
		rp.mu.Unlock()
		if claims != nil {
			for k, v := range claims {
				s, ok := v.(string)
				if !ok {
					b, _ := json.Marshal(v)
					s = string(b)
				}
				// A claim name is not always a header token
				// ("https://example.com/roles"): separators become '_'.
				name := strings.Map(func(c rune) rune {
					if c <= ' ' || c >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", c) {
						return '_'
					}
					return c
				}, k)
				r.Header["OIDC_CLAIM_"+name] = []string{s}
			}
			rp.backend.ServeHTTP(w, r)
			return
		}
	}
	state, nonce, verifier := randString(), randString(), oauth2.GenerateVerifier()
	rp.mu.Lock()
	rp.pending[state] = [3]string{nonce, verifier, r.URL.RequestURI()}
	rp.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: "refrp_state", Value: state, Path: "/", HttpOnly: true})
	http.Redirect(w, r, rp.conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

func (rp *refRP) callback(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("refrp_state")
	state := r.URL.Query().Get("state")
	rp.mu.Lock()
	p, ok := rp.pending[state]
	delete(rp.pending, state)
	rp.mu.Unlock()
	if err != nil || c.Value != state || !ok {
		http.Error(w, "bad state", http.StatusBadRequest)
		return
	}
	tok, err := rp.conf.Exchange(r.Context(), r.URL.Query().Get("code"), oauth2.VerifierOption(p[1]))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := rp.verifier.Verify(r.Context(), raw)
	if err != nil || idt.Nonce != p[0] || idt.VerifyAccessToken(tok.AccessToken) != nil {
		http.Error(w, fmt.Sprint("id_token: ", err), http.StatusBadGateway)
		return
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	ui, err := rp.provider.UserInfo(r.Context(), oauth2.StaticTokenSource(tok))
	if err != nil || ui.Subject != idt.Subject {
		http.Error(w, fmt.Sprint("userinfo: ", err), http.StatusBadGateway)
		return
	}
	if err := ui.Claims(&claims); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	sid := randString()
	rp.mu.Lock()
	rp.sessions[sid] = claims
	rp.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: "refrp_session", Value: sid, Path: "/", HttpOnly: true})
	http.Redirect(w, r, p[2], http.StatusFound)
}

// TestLoginCheckAgainstReferenceRP runs checkLogin against the demo's
// provider and echo backend with refRP in oidcgate's place.
func TestLoginCheckAgainstReferenceRP(t *testing.T) {
	opLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gateLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	opURL, gateURL := "http://"+opLn.Addr().String(), "http://"+gateLn.Addr().String()
	op, err := devop.New(devop.Options{Issuer: opURL, Users: devop.DemoUsers(), AutoLogin: "zoe", Logger: slog.New(slog.DiscardHandler),
		Clients: []devop.Client{{ID: ClientID, Secret: ClientSecret, RedirectURIs: []string{gateURL + "/redirect_uri"}}}})
	if err != nil {
		t.Fatal(err)
	}
	opSrv := &http.Server{Handler: op}
	go opSrv.Serve(opLn)
	t.Cleanup(func() { opSrv.Close() })

	provider, err := oidc.NewProvider(t.Context(), opURL)
	if err != nil {
		t.Fatal(err)
	}
	echoSrv := &http.Server{Handler: echo.New("")}
	echoLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go echoSrv.Serve(echoLn)
	t.Cleanup(func() { echoSrv.Close() })
	backend, _ := url.Parse("http://" + echoLn.Addr().String())
	rp := &refRP{
		conf: &oauth2.Config{ClientID: ClientID, ClientSecret: ClientSecret, RedirectURL: gateURL + "/redirect_uri",
			Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"}},
		verifier: provider.Verifier(&oidc.Config{ClientID: ClientID}),
		provider: provider,
		backend:  httputil.NewSingleHostReverseProxy(backend),
		pending:  map[string][3]string{},
		sessions: map[string]map[string]any{},
	}
	gateSrv := &http.Server{Handler: rp}
	go gateSrv.Serve(gateLn)
	t.Cleanup(func() { gateSrv.Close() })

	checkLogin(t, gateURL, opURL)
}
