//go:build !linux

package proxy

import "net"

// idleConnUsable: without a non-blocking peek, a closed connection shows
// when it is used (and the request is retried on a new one).
func idleConnUsable(net.Conn) bool { return true }
