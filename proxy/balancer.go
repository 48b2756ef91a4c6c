package proxy

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// lbMember is one balancer member's run-time state.
type lbMember struct {
	url        *url.URL
	factor     int
	standby    bool // status=+H
	disabled   bool // status=+D
	retry      time.Duration
	lbstatus   int
	errorUntil time.Time
}

// lbState is a balancer's run-time state, shared by all requests of a
// site (Apache keeps it in shared memory).
type lbState struct {
	mu      sync.Mutex
	members []*lbMember
}

func newLBState(b *apacheconf.Balancer) *lbState {
	state := &lbState{}
	for _, m := range b.Members {
		u, err := url.Parse(m.URL)
		if err != nil {
			continue
		}
		lm := &lbMember{url: u, factor: 1, retry: 60 * time.Second}
		if m.Worker.LoadFactor > 0 {
			lm.factor = m.Worker.LoadFactor
		}
		if m.Worker.Set["retry"] {
			lm.retry = m.Worker.Retry
		}
		flags := strings.ToUpper(m.Worker.Status)
		lm.standby = strings.Contains(flags, "H")
		lm.disabled = strings.Contains(flags, "D") && !strings.Contains(flags, "-D")
		state.members = append(state.members, lm)
	}
	return state
}

// pick chooses a member as mod_lbmethod_byrequests does: every usable
// member's lbstatus grows by its load factor, the largest wins (the first
// on ties) and pays back the total. Hot standbys serve only when no other
// member is usable.
func (st *lbState) pick(now time.Time) *lbMember {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, standby := range []bool{false, true} {
		var best *lbMember
		total := 0
		for _, m := range st.members {
			if m.disabled || m.standby != standby || now.Before(m.errorUntil) {
				continue
			}
			m.lbstatus += m.factor
			total += m.factor
			if best == nil || m.lbstatus > best.lbstatus {
				best = m
			}
		}
		if best != nil {
			best.lbstatus -= total
			return best
		}
	}
	return nil
}

func (st *lbState) fail(m *lbMember, now time.Time) {
	st.mu.Lock()
	m.errorUntil = now.Add(m.retry)
	st.mu.Unlock()
}

// errNoMember is returned when every member is in error or disabled.
var errNoMember = errors.New("all balancer members are unavailable")

// balancerTransport sends a request to a member of a balancer, moving on
// to another member when one cannot be reached (and putting it in the
// error state for its retry period), as mod_proxy_balancer does.
type balancerTransport struct {
	state        *lbState
	base         http.RoundTripper
	path         string // the target path after balancer://name
	preserveHost bool
	now          func() time.Time
	// tlsEnabled: SSLProxyEngine is on, so https members may be used.
	tlsEnabled bool
}

func (t *balancerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for range len(t.state.members) + 1 {
		m := t.state.pick(t.now())
		if m == nil {
			return nil, errNoMember
		}
		if tlsBackend(m.url.Scheme) && !t.tlsEnabled {
			return nil, errTLSNotEnabled
		}
		out := req.Clone(req.Context())
		out.URL.Scheme = httpScheme(m.url.Scheme)
		out.URL.Host = m.url.Host
		raw := strings.TrimSuffix(m.url.EscapedPath(), "/") + t.path
		out.URL.RawPath = raw
		if p, err := url.PathUnescape(raw); err == nil {
			out.URL.Path = p
		}
		if !t.preserveHost {
			out.Host = hostPort(m.url)
		}
		resp, err := t.base.RoundTrip(out)
		if err != nil && isDialError(err) && (req.Body == nil || req.Body == http.NoBody) {
			t.state.fail(m, t.now())
			continue
		}
		return resp, err
	}
	return nil, errNoMember
}
