//go:build !linux

package proxy

import (
	"net"
	"syscall"
)

// idleConnUsable: without a non-blocking peek, a closed connection shows
// when it is used (and the request is retried on a new one).
func idleConnUsable(net.Conn, syscall.RawConn) bool { return true }

func rawConn(net.Conn) syscall.RawConn { return nil }
