package errorlog

import "syscall"

// gettid is the OS thread running the caller (Apache's %T).
func gettid() int { return syscall.Gettid() }
