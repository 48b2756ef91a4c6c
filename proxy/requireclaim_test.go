package proxy

import (
	"bufio"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/oidc/claims"
)

// TestRequireClaimLinesAsApache replays Require claim lines measured on
// Apache 2.4 + mod_auth_openidc 2.4.12.3 (oidc/claims/testdata): each line
// is an ap_expr string (escapes, %{VAR}, $N), then split into words.
func TestRequireClaimLinesAsApache(t *testing.T) {
	raw, err := os.ReadFile("../oidc/claims/testdata/apache_token_claims.json")
	if err != nil {
		t.Fatal(err)
	}
	cl, err := claims.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../oidc/claims/testdata/apache_require_claim.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	log := slog.New(slog.DiscardHandler)
	r := httptest.NewRequest("GET", "/", nil)
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		status, req, _ := strings.Cut(line, "\t")
		var rules claimRules
		node := &apacheconf.AuthzNode{Provider: "claim", Line: req}
		got := rules.match(node, cl, reqVars{r: r}, log)
		if want := status == "200"; got != want {
			t.Errorf("Require claim %s: granted=%v, Apache answered %s", req, got, status)
		}
		n++
	}
	if n < 25 {
		t.Fatalf("only %d measured lines read", n)
	}
}
