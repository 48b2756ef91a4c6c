package proxy

import (
	"net"
	"syscall"
)

// idleCheck tells whether a pooled connection can carry a request: the
// backend has neither closed it nor sent anything unasked while it was
// idle (http.Transport's read loop notices both as they happen; the
// synchronous path looks, without blocking, when it takes the
// connection). The peek function is made once per connection, not once
// per request.
type idleCheck struct {
	rc     syscall.RawConn
	peek   func(fd uintptr) bool
	usable bool
	b      [1]byte
}

// newIdleCheck is c's check (nil: c cannot be peeked at).
func newIdleCheck(c net.Conn) *idleCheck {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	ic := &idleCheck{rc: rc}
	ic.peek = func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), ic.b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// Nothing to read: alive and quiet. n == 0 without error is
		// the backend's FIN, n > 0 an unsolicited response.
		ic.usable = err == syscall.EAGAIN || err == syscall.EWOULDBLOCK
		return true
	}
	return ic
}

// ok reports whether the connection is usable (a nil check: assume so; a
// closed connection then shows when it is used).
func (ic *idleCheck) ok() bool {
	if ic == nil {
		return true
	}
	ic.usable = false
	err := ic.rc.Read(ic.peek)
	return err == nil && ic.usable
}
