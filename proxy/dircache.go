package proxy

import (
	"sync"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/oidc"
)

// dirSettingsCache keeps what oidcDirSettings and rsDir translate from a
// request's merged section: the section walker keeps its merges, so the
// same *apacheconf.OIDCDir and *apacheconf.DirConfig come back request
// after request, and translating them again (two dozen directive
// look-ups) was a measurable part of an authenticated request. Callers get
// a copy they may change.
type dirSettingsCache struct {
	mu  sync.RWMutex
	ds  map[*apacheconf.OIDCDir]*oidc.DirSettings
	rsd map[*apacheconf.DirConfig]*oidc.RSDir
}

// maxDirSettings bounds each map; when one is full it starts over (the
// walker stops keeping merges past its own bound, so every request may
// then bring a new pointer).
const maxDirSettings = 1024

// dirSettings is oidcDirSettings(d), translated once per merged section.
func (c *dirSettingsCache) dirSettings(d *apacheconf.OIDCDir) *oidc.DirSettings {
	return keptCopy(&c.mu, &c.ds, d, oidcDirSettings)
}

// rsDir is rsDir(dir), translated once per merged section.
func (c *dirSettingsCache) rsDir(dir *apacheconf.DirConfig) *oidc.RSDir {
	return keptCopy(&c.mu, &c.rsd, dir, rsDir)
}

// keptCopy returns a copy of (*m)[k], building and keeping it first when
// it is not there yet; callers may change the copy.
func keptCopy[K comparable, V any](mu *sync.RWMutex, m *map[K]*V, k K, build func(K) *V) *V {
	mu.RLock()
	v, ok := (*m)[k]
	mu.RUnlock()
	if !ok {
		v = build(k)
		mu.Lock()
		if *m == nil || len(*m) >= maxDirSettings {
			*m = map[K]*V{}
		}
		(*m)[k] = v
		mu.Unlock()
	}
	cp := *v
	return &cp
}
