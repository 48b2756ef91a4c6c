package cache

import "errors"

// ErrUnavailable wraps every error of a shared store (Redis, memcached)
// that is not a miss: the server is down, unreachable or answered with an
// error. Callers tell "no such entry" (ErrNotFound) from "the store could
// not say" with errors.Is.
var ErrUnavailable = errors.New("cache: store unavailable")
