package proxy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnAutzPageLogStatus: the OIDCUnAutzAction pages go out with their
// own status (200) while the access log shows the request's status, the
// denial: 401, or 403 with AuthzSendForbiddenOnFailure On (measured on
// Apache + mod_auth_openidc 2.4.12.3, compat-tests
// TestModulePagesAccessLog).
func TestUnAutzPageLogStatus(t *testing.T) {
	for _, tt := range []struct {
		name, conf   string
		wire, logged string
	}{
		{"401 text", `OIDCUnAutzAction 401 "<p>no</p>"`, "200", "401 401"},
		{"403 text forbidden", "OIDCUnAutzAction 403 \"<p>no</p>\"\n  AuthzSendForbiddenOnFailure On", "200", "403 403"},
		{"302", "OIDCUnAutzAction 302 https://denied.example/", "200", "401 401"},
		{"401 without text: Apache's page", "OIDCUnAutzAction 401", "401", "401 401"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			logFile := filepath.Join(t.TempDir(), "access.log")
			s := newOIDCSite(t, "juergen", "  Require claim email_verified:true\n  "+tt.conf,
				`CustomLog `+logFile+` "%U %s %>s"`)
			resp, _ := get(t, browser(t), s.front.URL+"/denied", nil)
			if got := resp.Status[:3]; got != tt.wire {
				t.Errorf("sent %s, want %s", got, tt.wire)
			}
			b, err := os.ReadFile(logFile)
			if err != nil {
				t.Fatal(err)
			}
			var last string
			for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				if strings.HasPrefix(l, "/denied ") {
					last = strings.TrimPrefix(l, "/denied ")
				}
			}
			if last != tt.logged {
				t.Errorf("logged %q, want %q (log:\n%s)", last, tt.logged, b)
			}
		})
	}
}
