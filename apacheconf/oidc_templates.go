package apacheconf

import (
	"fmt"
	"os"
)

// checkPostTemplates checks upstream's OIDCPreservePostTemplates files at
// load time: each must be readable, and may contain no printf specifier
// but "%s" and "%%" — the preserve template exactly two "%s" (the form
// data as a JavaScript object, then the URL to go on to), the restore
// template exactly one (the URL the form is posted back to). Upstream
// finds a bad template per request and answers 500; oidcgate refuses the
// configuration.
func checkPostTemplates(files []string) string {
	for i, f := range files {
		want := 2
		if i == 1 {
			want = 1
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Sprintf("could not read template %s: %s", f, oidcErrText(err))
		}
		if n, ok := templateSpecifiers(string(b)); !ok || n != want {
			return fmt.Sprintf("template %s must contain exactly %d \"%%s\" placeholder(s) and no other format specifier than \"%%%%\"", f, want)
		}
	}
	return ""
}

// templateSpecifiers counts a template's "%s"; ok is false when it has
// another specifier (oidc_util_template_format_valid).
func templateSpecifiers(tpl string) (n int, ok bool) {
	for i := 0; i < len(tpl); i++ {
		if tpl[i] != '%' {
			continue
		}
		i++
		switch {
		case i < len(tpl) && tpl[i] == '%':
		case i < len(tpl) && tpl[i] == 's':
			n++
		default:
			return n, false
		}
	}
	return n, true
}
