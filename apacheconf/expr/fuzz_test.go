package expr

import "testing"

// FuzzParse checks that parsing never panics and that evaluating what
// parses never panics, in both modes.
func FuzzParse(f *testing.F) {
	for _, s := range append(differentialExprs,
		"", "'", "%{", "%{X:", "%{HTTP:a%{REMOTE_USER}b}", "(", "-z", "m#", "/a", `\`, `'\`,
		"'a' in {'b', 'c'}", "$1 == $0", "a:\\101%{REQUEST_METHOD}$1", "%{tolower:ABC}",
		"((((true))))", "!!!false", "-R '::1/128'", "'x' -ipmatch 'fe80::/10'",
		"%{REQUEST_URI} -fnmatch '[!a-]*'", "unbase64('////') == ''", "unescape('%2f%00')",
	) {
		f.Add(s)
	}
	v := defaultVars()
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range []Mode{Boolean, String} {
			e, err := Parse(s, m)
			if err != nil {
				if err.Error() == "" {
					t.Fatalf("Parse(%q, %v): empty error", s, m)
				}
				continue
			}
			if m == Boolean {
				_, _ = e.Bool(v)
			} else {
				_, _ = e.String(v)
			}
		}
	})
}
