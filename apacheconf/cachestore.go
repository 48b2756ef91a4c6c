package apacheconf

import (
	"slices"
	"strings"
)

// StoreServer returns the OIDC settings whose OIDCCacheType, OIDCCache*,
// OIDCRedisCache* and OIDCMemCache* directives choose the one session
// store oidcgate keeps every virtual host's sessions in: the main
// server's when it sets OIDCCacheType, else those of the first virtual
// host that does — a configuration like Debian's 000-default.conf keeps
// all of mod_auth_openidc's settings inside its <VirtualHost>.
// mod_auth_openidc gives each virtual host its own cache;
// LintCacheStore reports the virtual hosts that would need another one.
func StoreServer(cfg *Config) *OIDCServer {
	if cfg == nil || cfg.Main == nil {
		return nil
	}
	if _, ok := cfg.Main.OIDC.Value("OIDCCacheType"); ok {
		return cfg.Main.OIDC
	}
	for _, v := range cfg.VHosts {
		if _, ok := v.OIDC.Value("OIDCCacheType"); ok {
			return v.OIDC
		}
	}
	return cfg.Main.OIDC
}

// storeDirective reports whether a directive (lower case) configures the
// session store.
func storeDirective(name string) bool {
	return strings.HasPrefix(name, "oidccache") || strings.HasPrefix(name, "oidcredis") || strings.HasPrefix(name, "oidcmemcache")
}

// storeSettings renders s's store directives comparably: name=words,
// sorted.
func storeSettings(s *OIDCServer) []string {
	if s == nil {
		return nil
	}
	var out []string
	for name, v := range s.values {
		if storeDirective(name) {
			out = append(out, name+"="+strings.Join(v.Words, " "))
		}
	}
	slices.Sort(out)
	return out
}

// LintCacheStore warns at each virtual host whose session-store settings
// differ from those StoreServer chose: oidcgate keeps all sessions in one
// store, so that virtual host's settings are not used.
func LintCacheStore(cfg *Config) Diagnostics {
	chosen := StoreServer(cfg)
	if chosen == nil {
		return nil
	}
	want := storeSettings(chosen)
	sink := &diagSink{}
	for _, srv := range append([]*Server{cfg.Main}, cfg.VHosts...) {
		if srv == nil || srv.OIDC == nil || srv.OIDC == chosen {
			continue
		}
		v, ok := srv.OIDC.Value("OIDCCacheType")
		if !ok || slices.Equal(storeSettings(srv.OIDC), want) {
			continue
		}
		at := "the main server's defaults"
		if cv, ok := chosen.Value("OIDCCacheType"); ok {
			at = "the settings at " + cv.Pos.String()
		}
		sink.add(SevWarning, StageCheck, v.Pos, "OIDCCacheType",
			"give every virtual host the same OIDCCacheType and cache server settings (or run one oidcgate per store)",
			"oidcgate keeps the sessions of all virtual hosts in one store, chosen by %s; this virtual host's different session-store settings are not used (mod_auth_openidc gives each virtual host its own cache)", at)
	}
	return sink.diags
}
