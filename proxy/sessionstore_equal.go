package proxy

import (
	"context"
	"errors"

	"github.com/oidcgate/oidcgate/cache"
)

// Equal passes cache.Comparer on (the relying parties check a kept
// session against the store with it); a store without it fails with
// errors.ErrUnsupported.
func (g *guardedStore) Equal(ctx context.Context, key string, value []byte) (bool, error) {
	c, ok := g.Store.(cache.Comparer)
	if !ok {
		return false, errors.ErrUnsupported
	}
	eq, err := c.Equal(ctx, key, value)
	return eq, g.note(ctx, err)
}
