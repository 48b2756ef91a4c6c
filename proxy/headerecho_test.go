package proxy

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/oidc"
)

// TestEchoHeaders: Header echo copies the request headers whose names
// match, case-sensitively — the client's, Host, and identity headers kept
// out of the header map alike.
func TestEchoHeaders(t *testing.T) {
	newReq := func() *http.Request {
		r, _ := http.NewRequest("GET", "http://front.example/x", nil)
		r.Header = http.Header{"X-Client-A": {"1", "2"}, "Accept": {"*/*"}, "Oidc_claim_spoof": {"evil"}}
		st := &reqState{identity: oidc.NewIdentityHeaders([]string{"OIDC_CLAIM_sub", "OIDC_CLAIM_email", "X-Remote-User"}, []string{"zoe", "zoe@example.com", "zoe@op"})}
		return r.WithContext(context.WithValue(r.Context(), reqStateKey{}, st))
	}
	for _, tc := range []struct {
		re   string
		want http.Header
	}{
		{`^OIDC_CLAIM_(sub|email)$`, http.Header{"OIDC_CLAIM_sub": {"zoe"}, "OIDC_CLAIM_email": {"zoe@example.com"}}},
		{`^X-`, http.Header{"X-Client-A": {"1", "2"}, "X-Remote-User": {"zoe@op"}, "X-Backend": {"b"}}},
		{`^x-`, http.Header{"X-Backend": {"b"}}},
		{`^Host$`, http.Header{"Host": {"front.example"}}},
		{`^Oidc_`, http.Header{"Oidc_claim_spoof": {"evil"}}},
	} {
		t.Run(tc.re, func(t *testing.T) {
			h := http.Header{}
			if tc.re == `^X-` || tc.re == `^x-` {
				h["X-Backend"] = []string{"b"}
			}
			op := &apacheconf.HeaderOp{Action: apacheconf.HeaderEcho, Name: tc.re, Match: regexp.MustCompile(tc.re)}
			applyHeaderOps(h, []*apacheconf.HeaderOp{op}, headerCtx{req: newReq()})
			if len(h) != len(tc.want) {
				t.Errorf("got %v, want %v", h, tc.want)
			}
			for k, v := range tc.want {
				if !slices.Equal(h[k], v) {
					t.Errorf("%s: %q, want %q", k, h[k], v)
				}
			}
		})
	}
}
