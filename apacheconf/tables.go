package apacheconf

// allSpecTables lists every directive table; DefaultRegistry joins them.
// The facts come from Apache's own command tables (specs_apache_gen.go);
// registry_policy.go decides what oidcgate does with each.
func allSpecTables() [][]Spec {
	return [][]Spec{withPolicy(apacheSpecs), withPolicy(withHeadModule(oidcHeadSpecs)), extSpecs()}
}

// allHandlers joins every module's handler map, keyed by lower-case name.
// A Supported directive must have a handler; the package tests check it.
func allHandlers() map[string]handler {
	out := map[string]handler{}
	for _, m := range []map[string]handler{
		coreHandlers, coreMiscHandlers, coreRefuseHandlers, ignoredHandlers,
		authzHandlers, aliasHandlers, proxyHandlers, headersHandlers, envHandlers, logHandlers, sslHandlers,
		oidcHandlers, extHandlers,
	} {
		for k, h := range m {
			if _, dup := out[k]; dup {
				panic("apacheconf: two handlers for " + k)
			}
			out[k] = h
		}
	}
	return out
}
