package compattests

import "strings"

// loadModules renders the LoadModule lines of Debian's Apache for the
// named modules, in order: "proxy_http" is
//
//	LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
func loadModules(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString("LoadModule " + n + "_module /usr/lib/apache2/modules/mod_" + n + ".so\n")
	}
	return b.String()
}
