package apacheconf

// mod_env and mod_setenvif: SetEnv, UnsetEnv, PassEnv, SetEnvIf, BrowserMatch.

var envSpecs = []Spec{}

var envHandlers = map[string]handler{}

// EnvDir holds per-directory settings.
type EnvDir struct{}

// Merge merges add on top of base with Apache's rules.
func (base *EnvDir) Merge(add *EnvDir) *EnvDir {
	if add == nil {
		return base
	}
	return add
}
