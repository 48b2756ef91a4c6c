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
func idleConnUsable(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	usable := false
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// Nothing to read: alive and quiet. n == 0 without error is
		// the backend's FIN, n > 0 an unsolicited response.
		usable = err == syscall.EAGAIN || err == syscall.EWOULDBLOCK
		return true
	})
	return err == nil && usable
}
