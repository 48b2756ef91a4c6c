package proxy

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// FuzzAliasMap: whatever the request path (normalised as Apache does, with
// AllowEncodedSlashes Off and On) and whatever a header read by a
// <Location> Alias holds, the file a request maps to never leaves the
// directory its Alias, AliasMatch or DocumentRoot names, and holds no ".."
// segment; nothing panics.
func FuzzAliasMap(f *testing.F) {
	for _, s := range []string{"/", "/icons/a", "/d/../x", "/d/%2e%2e/%2e%2e/etc/passwd", "/d/..%2F..%2Fetc",
		"/am/../x/", "/am/y/..%2f..", "/ab/../", "/ab/.%2e/", "/hx", "/one/x", "/d%2F..%2F..%2Fetc"} {
		f.Add(s, "../../etc/passwd")
	}
	root := f.TempDir()
	cfg := loadConfig(f, `ServerRoot `+root+`
ServerName a.example
DocumentRoot /www
Alias /icons/ /srv/icons/
Alias /one /srv/one.txt
Alias /d /srv/d
Alias /rel rel
AliasMatch ^/am/([^/]+)/(.*)$ /srv/am/$2/$1
AliasMatch ^/ab/(.)(.)/ /srv/ab/$1$2/
<Location /hx>
  Alias /srv/hx/%{HTTP:X-Name}
</Location>
`)
	w := NewSectionWalker(cfg.Main)
	roots := []string{"/www", "/srv/icons", "/srv/one.txt", "/srv/d", filepath.Join(root, "rel"), "/srv/am", "/srv/ab", "/srv/hx"}
	f.Fuzz(func(t *testing.T, raw, header string) {
		for _, opts := range []NormalizeOptions{{MergeSlashes: true}, {MergeSlashes: true, EncodedSlashes: SlashesOn}, {}} {
			uri, err := NormalizePath(raw, opts)
			if err != nil {
				continue
			}
			eval := func(la *apacheconf.LocationAlias) (string, bool) {
				return strings.ReplaceAll(la.Expr.Text, "%{HTTP:X-Name}", header), true
			}
			fm := mapFile(cfg.Main, w.WalkProxied(uri, "").Dir, root, uri, eval)
			if fm.Status != 0 || fm.Filename == "" {
				continue
			}
			for _, seg := range strings.Split(fm.Filename, "/") {
				if seg == ".." {
					t.Fatalf("%q (%q) → %q keeps a '..' segment", raw, uri, fm.Filename)
				}
			}
			inside := false
			for _, r := range roots {
				inside = inside || within(filepath.Clean(fm.Filename), r)
			}
			if !inside {
				t.Fatalf("%q (%q, X-Name %q) → %q is outside every alias target", raw, uri, header, fm.Filename)
			}
		}
	})
}
