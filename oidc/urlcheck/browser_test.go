package urlcheck

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// browserHost resolves target against https://<base>/ roughly the way the
// WHATWG URL standard (and so a browser following a Location header) does,
// and returns the host the browser would contact. sameOrigin is true when
// the target is a relative reference that stays on base. foreign is true
// when the browser would not navigate to an http(s) host at all (opaque or
// non-special scheme, file:), which counts as leaving the host.
//
// It is a deliberately independent, simplified model: leading and trailing
// C0 controls and spaces are trimmed, tab/LF/CR removed anywhere, '\' is a
// slash for special schemes, any number of slashes introduces the authority
// of a special URL, the last '@' ends userinfo, the host is percent-decoded
// and folded (ASCII lower case, full-width forms and ideographic full stops
// mapped to ASCII).
func browserHost(target, base string) (host string, foreign bool) {
	s := strings.TrimFunc(target, func(r rune) bool { return r <= 0x20 })
	s = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(s)

	scheme := ""
	if i := strings.IndexByte(s, ':'); i > 0 && isAlpha(s[0]) {
		ok := true
		for j := 1; j < i; j++ {
			c := s[j]
			if !(isAlpha(c) || isDigit(c) || c == '+' || c == '-' || c == '.') {
				ok = false
				break
			}
		}
		if ok {
			scheme = strings.ToLower(s[:i])
			s = s[i+1:]
		}
	}
	special := map[string]bool{"http": true, "https": true, "ws": true, "wss": true, "ftp": true}
	switch {
	case scheme == "":
		// relative to https://base/
	case scheme == "file" || !special[scheme]:
		return "", true
	case scheme != "https":
		// a special scheme other than the base's: authority follows,
		// whatever number of slashes there is (even none)
		return authorityHost(strings.TrimLeft(s, `/\`)), false
	}
	// same scheme as the base, or no scheme: two or more slashes start an
	// authority, otherwise the reference stays on base
	n := 0
	for n < len(s) && (s[n] == '/' || s[n] == '\\') {
		n++
	}
	if n >= 2 {
		return authorityHost(s[n:]), false
	}
	return base, false
}

func authorityHost(s string) string {
	if i := strings.IndexAny(s, `/\?#`); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if strings.HasPrefix(s, "[") {
		if i := strings.IndexByte(s, ']'); i >= 0 {
			s = s[:i+1]
		}
	} else if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	if d, err := url.PathUnescape(s); err == nil {
		s = d
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\u3002' || r == '\uff0e' || r == '\uff61':
			r = '.'
		case r >= '\uff01' && r <= '\uff5e':
			r = r - 0xff01 + '!'
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestBrowserHost(t *testing.T) {
	for target, want := range map[string]string{
		"/x":                              testHost,
		"//evil.example/":                 "evil.example",
		`\\evil.example`:                  "evil.example",
		`/\evil.example`:                  "evil.example",
		"/\t/evil.example":                "evil.example",
		" //evil.example":                 "evil.example",
		"https:evil.example":              testHost,
		"https:/evil.example":             testHost,
		"http:evil.example":               "evil.example",
		"https:///evil.example":           "evil.example",
		"https://www.example.com@evil/":   "evil",
		`http://evil.example\@good/`:      "evil.example",
		"https://%65vil.example/":         "evil.example",
		"https://www\u3002example.com/":   "www.example.com",
		"https://\uff45vil.example/":      "evil.example",
		"HTTPS://WWW.EXAMPLE.COM:8443/x":  testHost,
		"https://[::1]:80/":               "[::1]",
		"https://evil.example#@good/":     "evil.example",
		"https://good:pass@evil.example/": "evil.example",
	} {
		got, foreign := browserHost(target, testHost)
		if foreign || got != want {
			t.Errorf("browserHost(%q) = %q, %v; want %q", target, got, foreign, want)
		}
	}
	for _, target := range []string{"javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "foo://www.example.com/"} {
		if _, foreign := browserHost(target, testHost); !foreign {
			t.Errorf("browserHost(%q) not foreign", target)
		}
	}
}

// TestRefusedAreForeignOrHarmless documents that the refused list is
// adversarial: the browser model sends most of its targets off-host.
func TestRefusedAreForeignOrHarmless(t *testing.T) {
	off := 0
	cases := loadRefused(t)
	for _, c := range cases {
		if h, foreign := browserHost(c.target, testHost); foreign || h != testHost {
			off++
		}
	}
	t.Logf("%d of %d refused targets leave %s in a browser", off, len(cases), testHost)
}

// checkRedirectProperty is the fuzz property: an accepted target stays on
// currentHost both for net/url and for the browser model.
func checkRedirectProperty(t *testing.T, target, currentHost string) {
	err := ValidateRedirect(target, currentHost, nil)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Title == "" {
			t.Fatalf("ValidateRedirect(%q) returned %T %v", target, err, err)
		}
		return
	}
	if h, foreign := browserHost(target, currentHost); foreign || !asciiEqualFold(h, currentHost) {
		t.Fatalf("accepted %q leaves %s for %q (foreign %v) in a browser", target, currentHost, h, foreign)
	}
	for _, s := range []string{target, strings.ReplaceAll(target, `\`, "/")} {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			continue
		}
		h := u.Hostname()
		if strings.Contains(h, ":") {
			h = "[" + h + "]"
		}
		if !asciiEqualFold(h, currentHost) {
			t.Fatalf("accepted %q: net/url host %q, current host %q", target, u.Host, currentHost)
		}
	}
}

var fuzzPatterns = []*regexp.Regexp{regexp.MustCompile(`^https://app\.example\.org/`), regexp.MustCompile(`evil`)}

func FuzzValidateRedirect(f *testing.F) {
	for _, c := range loadRefused(f) {
		f.Add(c.target, testHost)
	}
	for _, s := range []string{
		"/", "/path?q=1#f", "https://www.example.com/x", "HTTPS://WWW.EXAMPLE.COM:8443/x",
		"//www.example.com/x", `https://www.example.com\x`, "https://[2001:db8::1]/",
	} {
		f.Add(s, testHost)
		f.Add(s, "[2001:db8::1]")
	}
	f.Fuzz(func(t *testing.T, target, currentHost string) {
		if currentHost == "" || !validHost(currentHost) {
			currentHost = testHost
		}
		checkRedirectProperty(t, target, currentHost)
		// the pattern mode must not panic either
		_ = ValidateRedirect(target, currentHost, fuzzPatterns)
	})
}
