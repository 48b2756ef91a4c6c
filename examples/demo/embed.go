// Package demo embeds the configuration that `oidcgate demo` serves.
//
// The file next to this one, 000-default.conf, is the only copy: go:embed
// cannot reach files outside the embedding package's directory, so the
// embedding lives here rather than in internal/demo. Editing the example
// changes the demo; there is no second copy to keep in sync.
package demo

import _ "embed"

//go:embed 000-default.conf
var siteConf string

// SiteConf returns the text of examples/demo/000-default.conf.
func SiteConf() string { return siteConf }
