package main

import (
	"os"
	"syscall"
)

// redirectFd makes file descriptor fd refer to f.
func redirectFd(f *os.File, fd int) { _ = syscall.Dup3(int(f.Fd()), fd, 0) }
