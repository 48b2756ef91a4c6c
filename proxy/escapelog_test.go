package proxy

import "testing"

// TestEscapeLog: ap_escape_logitem's escapes — \b \n \r \t \v by name,
// '"' and '\' with a backslash, other control and non-ASCII bytes as \xhh
// (measured: Apache 2.4.71 logs %U of /rma/a%3Fb%0D%0Ax as
// "/rma/a?b\r\nx").
func TestEscapeLog(t *testing.T) {
	for in, want := range map[string]string{
		"a\r\nb":       `a\r\nb`,
		"\b\t\v":       `\b\t\v`,
		"\x01\x7f\xc3": `\x01\x7f\xc3`,
		`q"\`:          `q\"\\`,
		"plain /x?y":   "plain /x?y",
	} {
		if got := escapeLog(in); got != want {
			t.Errorf("escapeLog(%q) = %q, want %q", in, got, want)
		}
	}
}
