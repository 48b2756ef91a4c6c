package apacheconf

// Directives of the Debian stock tree and common modules that oidcgate accepts without effect or reports as unsupported.

var ignoredSpecs = []Spec{}

var ignoredHandlers = map[string]handler{}
