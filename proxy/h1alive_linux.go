package proxy

import (
	"net"
	"syscall"
)

// idleConnUsable tells whether a pooled connection can carry a request:
// the backend has neither closed it nor sent anything unasked while it
// was idle (http.Transport's read loop notices both as they happen; the
// synchronous path looks, without blocking, when it takes the
// connection).
func idleConnUsable(c net.Conn, rc syscall.RawConn) bool {
	if rc == nil {
		return true
	}
	usable := false
	var b [1]byte
	err := rc.Read(func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// Nothing to read: alive and quiet. n == 0 without error is
		// the backend's FIN, n > 0 an unsolicited response.
		usable = err == syscall.EAGAIN || err == syscall.EWOULDBLOCK
		return true
	})
	return err == nil && usable
}

// rawConn is c's syscall.RawConn, for idleConnUsable (nil: none).
func rawConn(c net.Conn) syscall.RawConn {
	if sc, ok := c.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			return rc
		}
	}
	return nil
}
