package oidc

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// Metadata is what the relying party uses of a provider's configuration.
type Metadata struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	UserInfoEndpoint      string `json:"userinfo_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
	EndSessionEndpoint    string `json:"end_session_endpoint"`
	RevocationEndpoint    string `json:"revocation_endpoint"`
	CheckSessionIFrame    string `json:"check_session_iframe"`
	// Algorithms is id_token_signing_alg_values_supported.
	Algorithms []string `json:"id_token_signing_alg_values_supported"`
}

// provider holds a provider's metadata, fetched lazily (a provider that is
// down when oidcgate starts only fails the requests that need it) and
// refreshed per OIDCProviderMetadataRefreshInterval, and the key set that
// verifies its tokens (go-oidc re-fetches it on an unknown kid).
type provider struct {
	settings *Settings
	client   *http.Client
	now      func() time.Time

	// fetchMu lets one discovery run at a time; mu guards the fields.
	fetchMu  sync.Mutex
	mu       sync.Mutex
	md       *Metadata
	fetched  time.Time
	failedAt time.Time
	lastErr  error
	keys     *gooidc.RemoteKeySet
	keysURL  string
	keysAt   time.Time
}

// newHTTPClient builds the client for calls to the provider from
// OIDCHTTPTimeoutLong, OIDCSSLValidateServer, OIDCCABundlePath and
// OIDCOutgoingProxy.
func newHTTPClient(s *Settings) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	if s.OutgoingProxy != "" {
		p := s.OutgoingProxy
		if !strings.Contains(p, "://") {
			p = "http://" + p
		}
		u, err := url.Parse(p)
		if err != nil {
			return nil, fmt.Errorf("OIDCOutgoingProxy %q: %v", s.OutgoingProxy, err)
		}
		tr.Proxy = http.ProxyURL(u)
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if !s.SSLValidateServer {
		tlsConf.InsecureSkipVerify = true
	}
	if s.CABundlePath != "" {
		pem, err := os.ReadFile(s.CABundlePath)
		if err != nil {
			return nil, fmt.Errorf("OIDCCABundlePath: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("OIDCCABundlePath %s: no PEM certificate found", s.CABundlePath)
		}
		tlsConf.RootCAs = pool
	}
	tr.TLSClientConfig = tlsConf
	connect := s.HTTPTimeoutShort
	if connect <= 0 {
		connect = 5 * time.Second
	}
	tr.DialContext = (&net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}).DialContext
	timeout := s.HTTPTimeoutLong
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	return &http.Client{Transport: tr, Timeout: timeout,
		// The token and userinfo endpoints must answer themselves.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, nil
}

// metadataRetry is how long a failed discovery is remembered: requests
// meanwhile fail at once instead of each waiting for the provider.
const metadataRetry = 10 * time.Second

// metadata returns the provider's metadata, fetching it when needed. One
// fetch runs at a time, outside the data lock; a failure is remembered
// for metadataRetry, and a refresh that fails keeps the old metadata.
func (p *provider) metadata(ctx context.Context) (*Metadata, error) {
	if md, ok := p.current(); ok {
		return md, nil
	}
	p.fetchMu.Lock()
	defer p.fetchMu.Unlock()
	if md, ok := p.current(); ok { // fetched while we waited
		return md, nil
	}
	p.mu.Lock()
	old, failedAt, lastErr := p.md, p.failedAt, p.lastErr
	p.mu.Unlock()
	if !failedAt.IsZero() && p.now().Sub(failedAt) < metadataRetry {
		if old != nil {
			return old, nil
		}
		return nil, lastErr
	}
	s := p.settings
	md := &Metadata{}
	if s.MetadataURL != "" {
		fetched, err := p.fetch(ctx, s.MetadataURL)
		if err != nil {
			p.mu.Lock()
			p.failedAt, p.lastErr = p.now(), err
			p.mu.Unlock()
			if old != nil {
				return old, nil
			}
			return nil, err
		}
		md = fetched
	}
	override := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	override(&md.Issuer, s.Issuer)
	override(&md.AuthorizationEndpoint, s.AuthorizationEndpoint)
	override(&md.TokenEndpoint, s.TokenEndpoint)
	override(&md.UserInfoEndpoint, s.UserInfoEndpoint)
	override(&md.JWKSURI, s.JWKSURI)
	override(&md.EndSessionEndpoint, s.EndSessionEndpoint)
	override(&md.RevocationEndpoint, s.RevocationEndpoint)
	override(&md.CheckSessionIFrame, s.CheckSessionIFrame)
	if md.Issuer == "" || md.AuthorizationEndpoint == "" {
		err := errors.New("provider metadata has no issuer or authorization_endpoint")
		p.mu.Lock()
		p.failedAt, p.lastErr = p.now(), err
		p.mu.Unlock()
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.md, p.fetched, p.failedAt, p.lastErr = md, p.now(), time.Time{}, nil
	if md.JWKSURI != "" && md.JWKSURI != p.keysURL {
		p.keys = gooidc.NewRemoteKeySet(gooidc.ClientContext(context.Background(), p.client), md.JWKSURI)
		p.keysURL, p.keysAt = md.JWKSURI, p.now()
	}
	return md, nil
}

// current returns the metadata when it needs no (re)fetch.
func (p *provider) current() (*Metadata, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.settings
	if p.md != nil && (s.MetadataURL == "" || s.MetadataRefresh <= 0 || p.now().Sub(p.fetched) < s.MetadataRefresh) {
		return p.md, true
	}
	return nil, false
}

func (p *provider) fetch(ctx context.Context, u string) (*Metadata, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching provider metadata: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("fetching provider metadata: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching provider metadata %s: HTTP %d", u, resp.StatusCode)
	}
	var md Metadata
	if err := json.Unmarshal(body, &md); err != nil {
		return nil, fmt.Errorf("provider metadata %s: %v", u, err)
	}
	return &md, nil
}

// keySet returns the key set verifying the provider's tokens.
