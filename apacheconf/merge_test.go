package apacheconf

import (
	"strings"
	"testing"
)

func TestMergeOrder(t *testing.T) {
	cfg, diags := compileForTest(t, `ServerName a
<Location /app>
</Location>
<Directory /var/www/html/sub>
  <Files x.php>
  </Files>
</Directory>
<If "true">
</If>
<Directory /var/www>
</Directory>
<Files "*.txt">
</Files>
<DirectoryMatch "^/srv">
</DirectoryMatch>
<LocationMatch "^/api">
</LocationMatch>
<VirtualHost *:80>
  <Location />
  </Location>
  <Directory />
  </Directory>
</VirtualHost>
`)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	var got []string
	for _, s := range cfg.VHosts[0].MergeOrder() {
		got = append(got, s.Kind.String()+" "+s.Arg)
	}
	want := []string{
		"Directory /", // shortest path first, although the vhost's
		"Directory /var/www",
		"Directory /var/www/html/sub",
		"DirectoryMatch ^/srv",
		"Files *.txt", // non-nested before nested
		"Files x.php",
		"Location /app", // file order, main server first
		"LocationMatch ^/api",
		"Location /",
		"If true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("merge order:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
