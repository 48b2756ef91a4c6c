package oidc

import (
	"strings"
	"testing"
)

// TestPassAccessTokenOff: upstream's OIDCPassAccessToken Off keeps the
// access token and its expiry from the backend; On (the default, and
// 2.4.12.3's only behaviour) passes both.
func TestPassAccessTokenOff(t *testing.T) {
	h := newHarness(t, nil)
	sess, _ := h.login("/")
	for _, hide := range []bool{false, true} {
		h.dir.HideAccessToken = hide
		r := h.do("GET", "/", map[string]string{"Cookie": "mod_auth_openidc_session=" + sess})
		if !r.res.Authenticated {
			t.Fatalf("not authenticated")
		}
		var got []string
		for k, v := range r.req.Header {
			if strings.HasPrefix(strings.ToLower(k), "oidc_access_token") {
				got = append(got, k+"="+strings.Join(v, ","))
			}
		}
		if hide != (len(got) == 0) || !hide && len(got) != 2 {
			t.Errorf("HideAccessToken %v: %q", hide, got)
		}
		if hide && (r.env["OIDC_access_token"] != "" || r.env["OIDC_access_token_expires"] != "") {
			t.Errorf("HideAccessToken: environment %v", r.env)
		}
	}
}
