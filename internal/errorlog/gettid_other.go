//go:build !linux

package errorlog

import "os"

func gettid() int { return os.Getpid() }
