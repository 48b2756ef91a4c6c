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
	c.mu.RLock()
	ds, ok := c.ds[d]
	c.mu.RUnlock()
	if !ok {
		ds = oidcDirSettings(d)
		c.mu.Lock()
		if c.ds == nil || len(c.ds) >= maxDirSettings {
			c.ds = map[*apacheconf.OIDCDir]*oidc.DirSettings{}
		}
		c.ds[d] = ds
		c.mu.Unlock()
	}
	cp := *ds
	return &cp
}

// rsDir is rsDir(dir), translated once per merged section.
func (c *dirSettingsCache) rsDir(dir *apacheconf.DirConfig) *oidc.RSDir {
	c.mu.RLock()
	d, ok := c.rsd[dir]
	c.mu.RUnlock()
	if !ok {
		d = rsDir(dir)
		c.mu.Lock()
		if c.rsd == nil || len(c.rsd) >= maxDirSettings {
			c.rsd = map[*apacheconf.DirConfig]*oidc.RSDir{}
		}
		c.rsd[dir] = d
		c.mu.Unlock()
	}
	cp := *d
	return &cp
}
