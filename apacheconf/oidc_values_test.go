package apacheconf

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// TestOIDCAgainstApache replays testdata/oidc/apache_t.tsv: each line is a
// directive written at server level and what Debian's apache2 -t (with
// mod_auth_openidc 2.4.12.3) said about it, "Syntax OK" or its message.
func TestOIDCAgainstApache(t *testing.T) {
	f, err := os.Open("testdata/oidc/apache_t.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line, want, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		n++
		t.Run(line, func(t *testing.T) {
			_, diags := compileForTest(t, "ServerName a\n"+line+"\n")
			d, bad := diags.First()
			if want == "Syntax OK" {
				if bad {
					t.Fatalf("apache accepts it; we say %q", d.Msg)
				}
				return
			}
			if !bad {
				t.Fatalf("apache refuses it with %q; we accept it", want)
			}
			if d.Msg != want {
				t.Fatalf("message\n got %q\nwant %q", d.Msg, want)
			}
		})
	}
	if n < 50 {
		t.Fatalf("only %d cases read", n)
	}
}
