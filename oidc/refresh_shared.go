package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// keyRefresh prefixes a refresh grant's state in the store, by the SHA-256
// of the refresh token sent: a lock while one instance runs the grant,
// then the grant's outcome (current upstream's refresh-token cache
// section). The store layer encrypts it as every other value
// (OIDCCacheEncrypt).
const keyRefresh = "r:"

// refreshLockTTL bounds how long a lock is held and how long another
// instance waits for its outcome (upstream's OIDC_REFRESH_LOCK_TTL): a
// lock whose holder died expires, so it is never stuck.
const refreshLockTTL = 5 * time.Second

// refreshPoll is how often a waiting instance re-reads the lock.
const refreshPoll = 500 * time.Millisecond

// States of a sharedRefresh.
const (
	refreshLocked = "lock"
	refreshOK     = "ok"
	refreshFailed = "failed"
)

// sharedRefresh is the value under keyRefresh.
type sharedRefresh struct {
	State string `json:"st"`
	// Owner names the lock's holder (random per grant), so that two
	// instances that took the lock at once learn which of them holds it.
	Owner string `json:"o,omitempty"`
	// At is when the grant was sent (unix ms); Tokens its answer.
	At     int64            `json:"ts,omitempty"`
	Tokens *refreshResponse `json:"tr,omitempty"`
}

// errRefreshFailedElsewhere is the outcome another instance stored for a
// refresh token whose grant failed: it is not sent again for
// refreshCacheTTL, as upstream.
var errRefreshFailedElsewhere = errors.New("a refresh grant with this refresh token failed recently (on this or another instance sharing the cache); not retrying it yet")

// sharedGrant runs the refresh grant for refreshToken (key is its SHA-256)
// once across every instance sharing the store, as current upstream does
// through its cache: an outcome another instance stored is taken; a lock
// another instance holds is waited for, at most refreshLockTTL; otherwise
// this instance takes the lock, sends the grant and stores the outcome
// for refreshCacheTTL. Redis and memcached take the lock atomically (SET
// NX, add: one instance holds it); on a store without that it is best
// effort, as upstream's. A grant that fails looks again for another
// instance's grant (the provider refuses a refresh token it rotated away)
// before the failure is stored. The caller holds the in-process lock of
// the refresh token, so one request per instance gets here.
func (rp *RelyingParty) sharedGrant(ctx context.Context, md *Metadata, key, refreshToken string) refreshOutcome {
	// The outcome is shared, so the grant must not depend on whether this
	// request's client is still there; OIDCHTTPTimeoutLong still bounds it.
	ctx = context.WithoutCancel(ctx)
	sk := rp.key(keyRefresh, key)
	if o, ok := rp.awaitRefresh(ctx, sk, ""); ok {
		return o
	}
	owner := randomString(16)
	if !rp.lockRefresh(ctx, sk, owner) {
		// Another instance took the lock at the same time.
		if o, ok := rp.awaitRefresh(ctx, sk, owner); ok {
			return o
		}
		rp.putRefresh(ctx, sk, sharedRefresh{State: refreshLocked, Owner: owner}, refreshLockTTL)
	}
	o := refreshOutcome{at: rp.now()}
	o.tr, o.err = rp.refreshGrant(ctx, md, refreshToken)
	if o.err == nil {
		tr := o.tr
		rp.putRefresh(ctx, sk, sharedRefresh{State: refreshOK, At: o.at.UnixMilli(), Tokens: &tr}, refreshCacheTTL)
		return o
	}
	// Another instance may have spent the refresh token first.
	if other, ok := rp.awaitRefresh(ctx, sk, owner); ok && other.err == nil {
		rp.log.Warn("refresh grant failed, but another instance refreshed the same refresh token: using its result", "err", o.err)
		return other
	}
	rp.putRefresh(ctx, sk, sharedRefresh{State: refreshFailed, At: o.at.UnixMilli()}, refreshCacheTTL)
	return o
}

// adder is a store that can take a lock in one step (cache.Adder: Redis
// SET NX, memcached add).
type adder interface {
	Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
}

// lockRefresh takes the lock sk for owner and reports whether it holds
// it. With a store that adds atomically only one instance does; with
// another it is upstream's best effort — set, then read back: the last
// lock written holds.
func (rp *RelyingParty) lockRefresh(ctx context.Context, sk, owner string) bool {
	b, err := json.Marshal(sharedRefresh{State: refreshLocked, Owner: owner})
	if err != nil {
		return true
	}
	if a, ok := rp.store.(adder); ok {
		added, err := a.Add(ctx, sk, b, refreshLockTTL)
		if err == nil {
			return added
		}
		if !errors.Is(err, errors.ErrUnsupported) {
			rp.log.Warn("could not lock the refresh token for other instances", "err", err)
			return true
		}
	}
	if err := rp.store.Set(ctx, sk, b, refreshLockTTL); err != nil {
		rp.log.Warn("could not lock the refresh token for other instances", "err", err)
		return true
	}
	v, ok := rp.getRefresh(ctx, sk)
	return !ok || v.State == refreshLocked && v.Owner == owner
}

// awaitRefresh reads the refresh token's entry sk, waiting while another
// instance's lock is there (one that is not owner's), at most
// refreshLockTTL. It returns the outcome an instance stored; false when
// there is none (no entry, a lock that timed out or is owner's).
func (rp *RelyingParty) awaitRefresh(ctx context.Context, sk, owner string) (refreshOutcome, bool) {
	sleep := rp.refreshSleep
	if sleep == nil {
		sleep = time.Sleep
	}
	v, ok := rp.getRefresh(ctx, sk)
	for i := 0; ok && v.State == refreshLocked && v.Owner != owner && i < int(refreshLockTTL/refreshPoll); i++ {
		if i == 0 {
			rp.log.Warn("refresh of this refresh token in progress on another instance: waiting for its result")
		}
		sleep(refreshPoll)
		v, ok = rp.getRefresh(ctx, sk)
	}
	switch {
	case !ok:
		return refreshOutcome{}, false
	case v.State == refreshOK && v.Tokens != nil:
		return refreshOutcome{at: time.UnixMilli(v.At), tr: *v.Tokens}, true
	case v.State == refreshFailed:
		return refreshOutcome{at: time.UnixMilli(v.At), err: errRefreshFailedElsewhere}, true
	case v.State == refreshLocked && v.Owner != owner:
		rp.log.Warn("timed out waiting for another instance's refresh of this refresh token: refreshing here")
	}
	return refreshOutcome{}, false
}

// getRefresh reads the entry sk; a missing, unreadable or malformed entry
// is none (the grant then runs here, as without a shared store).
func (rp *RelyingParty) getRefresh(ctx context.Context, sk string) (sharedRefresh, bool) {
	var v sharedRefresh
	b, err := rp.store.Get(ctx, sk)
	if err != nil || json.Unmarshal(b, &v) != nil {
		return v, false
	}
	return v, true
}

// putRefresh stores v under sk; a store that refuses it only costs the
// other instances their own grant.
func (rp *RelyingParty) putRefresh(ctx context.Context, sk string, v sharedRefresh, ttl time.Duration) {
	b, err := json.Marshal(v)
	if err == nil {
		err = rp.store.Set(ctx, sk, b, ttl)
	}
	if err != nil {
		rp.log.Warn("could not store the refresh grant's state for other instances", "err", err)
	}
}
