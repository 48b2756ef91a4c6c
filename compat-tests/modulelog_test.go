package compattests

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// moduleLogFormat is what the access logs of TestModulePagesAccessLog
// show: %s, %>s and %b of each request the module answers itself.
const moduleLogFormat = `"%m %U" %s %>s %b`

// moduleLogExtra adds the access log and the module's page-producing
// locations to a target's virtual hosts.
func moduleLogExtra(logFile string) string {
	return `  CustomLog ` + logFile + ` "` + strings.ReplaceAll(moduleLogFormat, `"`, `\"`) + `"
  <Location /un/401/>
    OIDCUnAuthAction 401
  </Location>
  <Location /un/407/>
    OIDCUnAuthAction 407
  </Location>
  <Location /un/410/>
    OIDCUnAuthAction 410
  </Location>
  <Location /pp/>
    OIDCPreservePost On
  </Location>
  <Location /ua/default/>
    Require claim sub:alice
  </Location>
  <Location /ua/401/>
    Require claim sub:alice
    OIDCUnAutzAction 401
  </Location>
  <Location /ua/401-text/>
    Require claim sub:alice
    OIDCUnAutzAction 401 "<p>not for you</p>"
  </Location>
  <Location /ua/403/>
    Require claim sub:alice
    OIDCUnAutzAction 403
    AuthzSendForbiddenOnFailure On
  </Location>
  <Location /ua/403-text/>
    Require claim sub:alice
    OIDCUnAutzAction 403 "<p>not for you</p>"
    AuthzSendForbiddenOnFailure On
  </Location>
  <Location /ua/302/>
    Require claim sub:alice
    OIDCUnAutzAction 302 https://denied.example/page
  </Location>
  <Location /ua/auth/>
    Require claim sub:alice
    OIDCUnAutzAction auth
  </Location>
`
}

var moduleLogScenario = oidcScenario{"module-log", func(s *scen) {
	xhr := copyHdr(browserHdr, "X-Requested-With", "XMLHttpRequest")
	s.sendRaw(nil, "default", "GET", "/x", browserHdr)
	s.sendRaw(nil, "default", "GET", "/x", xhr)
	for _, p := range []string{"/un/401/x", "/un/407/x", "/un/410/x"} {
		s.sendRaw(nil, "default", "GET", p, browserHdr)
	}
	do(s.t, newBrowser(s.t), "POST", s.tg.Base["default"]+"/pp/x", url.Values{"a": {"1"}}, browserHdr)
	c := newBrowser(s.t)
	s.loginAs(c, "default", "/x", "bob")
	ro := &http.Client{Jar: readOnlyJar{c.Jar}}
	for _, a := range []string{"default", "401", "401-text", "403", "403-text", "302", "auth"} {
		s.sendRaw(ro, "default", "GET", "/ua/"+a+"/x", browserHdr)
	}
	s.sendRaw(ro, "default", "GET", "/ua/auth/xhr", xhr)
	s.sendRaw(ro, "default", "GET", "/redirect_uri?info=json", browserHdr)
	s.sendRaw(ro, "default", "GET", "/redirect_uri?state=bogus&code=x", browserHdr)
	s.sendRaw(ro, "default", "GET", "/redirect_uri?logout="+url.QueryEscape(s.tg.Base["default"]+"/public/bye"), browserHdr)
	s.sendRaw(c, "default", "GET", "/redirect_uri?logout=", browserHdr)
}}

// TestModulePagesAccessLog compares the access-log lines (%s, %>s, %b) of
// the pages mod_auth_openidc 2.4.12.3 answers itself — the login
// redirect, OIDCUnAuthAction 401/407/410, the XMLHttpRequest 401, the
// POST-preserving page, the callback, OIDCUnAutzAction's pages, the info
// hook, an error page, logout — with oidcgate's.
func TestModulePagesAccessLog(t *testing.T) {
	requireOP(t)
	requireApache(t)
	a, o, aLog, oLog := oidcPairWithLogs(t, moduleLogExtra)
	startApacheOIDC(t, a)
	runScenario(t, a, moduleLogScenario)
	startOIDCGateOIDC(t, o)
	runScenario(t, o, moduleLogScenario)
	al, ol := normModuleLog(logLines(t, aLog)), normModuleLog(logLines(t, oLog))
	t.Logf("apache2:\n%s", strings.Join(al, "\n"))
	if strings.Join(al, "\n") != strings.Join(ol, "\n") {
		t.Errorf("access logs differ:\n%s", lineDiff(strings.Join(al, "\n"), strings.Join(ol, "\n")))
	}
}

// volatileBytes matches the log lines whose %b is not compared: pages
// whose size depends on ports and tokens (the backend's echo, the info
// hook, the login redirect with its PKCE parameters — a deliberate
// difference — the step-up page, the POST-preserving page), and logout,
// where Apache also counts the unsolicited second document it writes
// (a deliberate difference).
var volatileBytes = regexp.MustCompile(`^"(GET /x|POST /pp/x|GET /redirect_uri)" |^"GET /ua/auth/x" `)

// normModuleLog blanks the volatile %b values and sorts the lines (Apache
// writes a kept-alive request's line after later requests on other
// connections).
func normModuleLog(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if volatileBytes.MatchString(l) {
			if j := strings.LastIndexByte(l, ' '); j > 0 {
				l = l[:j] + " <b>"
			}
		}
		out[i] = l
	}
	sort.Strings(out)
	return out
}

// oidcPairWithLogs makes the targets "apache" and "oidcgate" of a new
// OIDC environment, each with its own access log: extra(logFile) is the
// target's Extra configuration.
func oidcPairWithLogs(t *testing.T, extra func(logFile string) string) (a, o *oidcTarget, aLog, oLog string) {
	env := newOIDCEnv(t, "apache", "oidcgate")
	a, o = env.Targets["apache"], env.Targets["oidcgate"]
	logs := t.TempDir()
	os.Chmod(logs, 0o755) // Apache's children write as www-data
	aLog, oLog = filepath.Join(logs, "apache.log"), filepath.Join(logs, "oidcgate.log")
	a.Extra, o.Extra = extra(aLog), extra(oLog)
	return a, o, aLog, oLog
}

// logLines are an access log's lines.
func logLines(t *testing.T, file string) []string {
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}
