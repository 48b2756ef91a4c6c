package compattests

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Step-up authentication (OIDCUnAutzAction auth) on a POST and a HEAD,
// with OIDCPreservePost On and Off: bob is logged in, /su/*/ requires
// sub alice; the request he sends there gets the step-up answer, the
// browser follows it to the OP (OIDCPathAuthRequestParams prompt=login
// makes the OP ask again), logs in as alice and comes back; what the
// backend finally receives (method, body, user) is part of the
// transcript. Apache + mod_auth_openidc 2.4.12.3 and oidcgate, the same
// config and provider, compared live.

// stepUpForm is the form bob posts (a field with a space and a UTF-8
// character, one with characters JavaScript and URLs escape).
const stepUpForm = "a=b+c&x=%C3%BC%26y"

// stepUpExtra adds the two step-up locations to every virtual host; they
// proxy to the body-recording backend.
func stepUpExtra(backend string) string {
	var b strings.Builder
	for _, pp := range []string{"On", "Off"} {
		fmt.Fprintf(&b, `  <Location /su/%[1]s/>
    Require claim sub:alice
    OIDCUnAutzAction auth
    OIDCPathAuthRequestParams prompt=login&acr_values=urn:stepup
    OIDCPreservePost %[2]s
    ProxyPass http://%[3]s/su/%[1]s/
  </Location>
`, strings.ToLower(pp), pp, backend)
	}
	return b.String()
}

var (
	metaRefreshRE   = regexp.MustCompile(`<meta http-equiv="refresh" content="0; url=([^"]+)">`)
	preservedJSONRE = regexp.MustCompile(`'((?:[^'\\]|\\.)*)': '((?:[^'\\]|\\.)*)'`)
	restoreActionRE = regexp.MustCompile(`document\.forms\[0\]\.action = "([^"]+)"`)
)

// stepUpNext is where the browser goes after the step-up answer: the
// Location, else the meta refresh, else the Preserving page's
// window.location ("" when nowhere).
func stepUpNext(h hop) string {
	if h.Location != "" {
		return h.Location
	}
	if m := metaRefreshRE.FindStringSubmatch(h.Body); m != nil {
		return strings.ReplaceAll(m[1], "&amp;", "&")
	}
	if m := preserveLocationRE.FindStringSubmatch(h.Body); m != nil {
		return jsUnescape(m[1])
	}
	return ""
}

func jsUnescape(s string) string {
	return strings.NewReplacer(`\/`, `/`, `\'`, `'`, `\"`, `"`, `\\`, `\`, `\x3c`, "<", `\x3e`, ">").Replace(s)
}

// restoredForm is the body the Restoring page's script posts: the
// Preserving page's sessionStorage object, each name and value
// decodeURIComponent'ed, in order, urlencoded as a browser does.
func restoredForm(preserving string) string {
	var parts []string
	for _, m := range preservedJSONRE.FindAllStringSubmatch(preserving, -1) {
		k, _ := url.PathUnescape(jsUnescape(m[1]))
		v, _ := url.PathUnescape(jsUnescape(m[2]))
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
	}
	return strings.Join(parts, "&")
}

// sendRawBody is scen.sendRaw with a request body; it returns the hop.
func (s *scen) sendRawBody(c *http.Client, variant, method, path string, hdr map[string]string, body string) hop {
	s.t.Helper()
	s.tg.Backend.take()
	h, rest := rawHop(s.t, c, s.tg.Base[variant], method, path, hdr, body)
	if body != "" {
		hdr = copyHdr(hdr, "(body)", body)
	}
	s.record(h, variant, path, hdr)
	if rest != "" {
		fmt.Fprintf(&s.out, "  then, on the same connection, %d more bytes:\n%s\n\n", len(rest), indent(s.n.text(strings.ReplaceAll(rest, "\r\n", "\n")), "  ! "))
	}
	return h
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}

// loginFrom is scen.loginAs starting at an absolute URL (the step-up
// answer's target at the OP).
func (s *scen) loginFrom(c *http.Client, variant, start, user string) []hop {
	s.t.Helper()
	s.tg.Env.OP.backchannel(s.t)
	uidRE := regexp.MustCompile(`/[A-Za-z0-9_-]{20,}`)
	var onHop func(h hop)
	onHop = func(h hop) {
		if strings.HasPrefix(h.URL, s.tg.Env.OP.Issuer) {
			u, _ := url.Parse(h.URL)
			fmt.Fprintf(&s.out, "> (OP) %s %s -> %d\n", h.Method, uidRE.ReplaceAllString(u.Path, "/<uid>"), h.Status)
			return
		}
		rel := strings.TrimPrefix(h.URL, s.tg.Base[variant])
		cb := s.tg.callback(variant)
		isCallback := strings.HasPrefix(rel, cb+"?")
		if isCallback {
			rel = s.n.location(rel)
		}
		s.record(h, variant, rel, browserHdr)
		if isCallback {
			s.backchannel()
			s.out.WriteString("\n")
		}
	}
	return loginSwitching(s.t, c, start, user, s.tg.Env.OP.Issuer, onHop)
}

// loginSwitching is loginHops for a browser already logged in at the OP
// as someone else: oidc-provider ends that session first, with a form a
// script submits at once (here, by hand).
func loginSwitching(t *testing.T, c *http.Client, start, user, issuer string, onHop func(hop)) []hop {
	t.Helper()
	hops := loginHops(t, c, start, user, issuer, onHop)
	for i := 0; i < 3; i++ {
		last := hops[len(hops)-1]
		m := formAction.FindStringSubmatch(last.Body)
		if !strings.HasPrefix(last.URL, issuer) || m == nil {
			break
		}
		f := url.Values{}
		for _, kv := range hiddenInputRE.FindAllStringSubmatch(last.Body, -1) {
			f.Set(kv[1], kv[2])
		}
		h := do(t, c, "POST", m[1], f, browserHdr)
		if onHop != nil {
			onHop(h)
		}
		hops = append(hops, h)
		if h.Location == "" {
			break
		}
		next, _ := url.Parse(h.URL)
		loc, _ := next.Parse(h.Location)
		hops = append(hops, loginHops(t, c, loc.String(), user, issuer, onHop)...)
	}
	return hops
}

var hiddenInputRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)

// postedLines renders what the body-recording backend received since the
// last call: method, URI, Content-Type, body and the user.
func postedLines(n *normaliser, pb *postBackend) string {
	var b strings.Builder
	for _, r := range pb.all() {
		fmt.Fprintf(&b, "  backend: %s %s Content-Type=%q body=%q OIDC_CLAIM_sub=%q\n",
			r.Method, n.text(r.RequestURI), r.get("Content-Type"), r.Body, r.get("OIDC_CLAIM_sub"))
	}
	pb.reset()
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

// stepUpScenario: for OIDCPreservePost On and Off, a form POST and a HEAD
// by bob, then the step-up login as alice and what the backend gets.
func stepUpScenario(pb *postBackend) oidcScenario {
	return oidcScenario{"stepup", func(s *scen) {
		form := copyHdr(browserHdr, "Content-Type", "application/x-www-form-urlencoded")
		for _, pp := range []string{"on", "off"} {
			for _, method := range []string{"POST", "HEAD"} {
				s.note("OIDCPreservePost %s: bob logs in, then %s /su/%s/form?q=1 (Require claim sub:alice, OIDCUnAutzAction auth)", pp, method, pp)
				c := newBrowser(s.t)
				s.loginAs(c, "default", "/x", "bob")
				pb.reset()
				path := "/su/" + pp + "/form?q=1"
				hdr, body := browserHdr, ""
				if method == "POST" {
					hdr, body = form, stepUpForm
				}
				h := s.sendRawBody(c, "default", method, path, hdr, body)
				s.out.WriteString(postedLines(s.n, pb))
				next := stepUpNext(h)
				if !strings.HasPrefix(next, s.tg.Env.OP.Issuer) {
					s.note("no step-up to the OP to follow")
					continue
				}
				s.note("the browser follows the step-up answer; the user logs in again, as alice")
				hops := s.loginFrom(c, "default", next, "alice")
				s.out.WriteString(postedLines(s.n, pb))
				last := hops[len(hops)-1]
				if strings.HasPrefix(last.URL, s.tg.Env.OP.Issuer) {
					s.t.Fatalf("the login ended at the OP: %s\n%s", last, last.Body)
				}
				if m := restoreActionRE.FindStringSubmatch(last.Body); m != nil {
					s.note("the Restoring page's script re-posts the preserved form")
					target := strings.TrimPrefix(jsUnescape(m[1]), s.tg.Base["default"])
					s.sendRawBody(c, "default", "POST", target, form, restoredForm(h.Body))
					s.out.WriteString(postedLines(s.n, pb))
				}
			}
		}
		s.note("bob, not following the answers: a JSON POST with OIDCPreservePost On, an XMLHttpRequest form POST, a HEAD without Accept")
		c := newBrowser(s.t)
		s.loginAs(c, "default", "/x", "bob")
		pb.reset()
		ro := &http.Client{Jar: readOnlyJar{c.Jar}}
		s.sendRawBody(ro, "default", "POST", "/su/on/json", copyHdr(browserHdr, "Content-Type", "application/json"), `{"a":"b"}`)
		s.out.WriteString(postedLines(s.n, pb))
		s.sendRawBody(ro, "default", "POST", "/su/on/xhr", copyHdr(form, "X-Requested-With", "XMLHttpRequest"), stepUpForm)
		s.out.WriteString(postedLines(s.n, pb))
		s.sendRawBody(ro, "default", "HEAD", "/su/off/noaccept", map[string]string{}, "")
		s.out.WriteString(postedLines(s.n, pb))
	}}
}

// stepUpComparable drops what oidcgate does differently on purpose:
// PKCE parameters (DESIGN.md difference 1) wherever the authorization URL
// shows (Location lines, meta refresh, Preserving page script), so body
// sizes too; and Apache's bytes after a module page (difference 3).
func stepUpComparable(s string) string {
	s = ruleNoTrailingBytes(s)
	var out []string
	for _, l := range strings.SplitAfter(s, "\n") {
		if strings.HasPrefix(l, "    &code_challenge=") || strings.HasPrefix(l, "    &code_challenge_method=") {
			continue
		}
		out = append(out, l)
	}
	s = strings.Join(out, "")
	s = strings.ReplaceAll(s, "&code_challenge=<43 b64url>&code_challenge_method=S256", "")
	return bodySizeRE.ReplaceAllString(s, "body:")
}

var bodySizeRE = regexp.MustCompile(`body \(\d+ bytes\):`)

// TestStepUpPostHead runs stepUpScenario through Apache + mod_auth_openidc
// 2.4.12.3 and oidcgate and compares the transcripts (stepUpComparable);
// with OIDC_WRITE_GOT=DIR both are written there.
func TestStepUpPostHead(t *testing.T) {
	requireOP(t)
	requireApache(t)
	pb := newPostBackend(t)
	env := newOIDCEnv(t, "apache", "oidcgate")
	got := map[string]string{}
	for _, name := range []string{"apache", "oidcgate"} {
		t.Run(name, func(t *testing.T) {
			tg := env.Targets[name]
			tg.Extra = stepUpExtra(pb.Addr())
			if name == "apache" {
				startApacheOIDC(t, tg)
			} else {
				startOIDCGateOIDC(t, tg)
			}
			got[name] = runScenario(t, tg, stepUpScenario(pb))
			t.Logf("%s transcript:\n%s", name, got[name])
			if dir := os.Getenv("OIDC_WRITE_GOT"); dir != "" {
				os.WriteFile(filepath.Join(dir, "stepup."+name), []byte(got[name]), 0o644)
			}
		})
	}
	a, o := got["apache"], got["oidcgate"]
	if a == "" || o == "" {
		t.Fatal("a target's run failed")
	}
	want, have := orderBlind(stepUpComparable(expectForOIDCGate(a))), orderBlind(stepUpComparable(o))
	if want != have {
		t.Errorf("oidcgate's step-up differs from Apache's (expectForOIDCGate):\n%s", requestDiff(want, have))
	}
}
