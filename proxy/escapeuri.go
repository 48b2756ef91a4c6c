package proxy

import "strings"

// escapeURI is Apache's ap_escape_uri (ap_os_escape_path with partial
// set), which mod_alias and mod_dir apply to the paths they put in a
// redirect: every byte outside A–Z a–z 0–9 and $ - _ . + ! * ' ( ) , : ; @
// & = / ~ becomes %xx with lower-case hex ("%" too). CanonPath is
// mod_proxy's variant for backend request lines (upper-case hex).
func escapeURI(p string) string {
	const lower = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(p) + 8)
	for i := 0; i < len(p); i++ {
		c := p[i]
		if isPathSafe(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(lower[c>>4])
		b.WriteByte(lower[c&15])
	}
	return b.String()
}
