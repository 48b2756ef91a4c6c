package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// writePidFile writes our PID where PidFile says, when its directory
// exists (oidcgate creates no directories), so that -k and logrotate's
// scripts find the server. It returns a function removing the file.
func writePidFile(cfg *apacheconf.Config) (func(), error) {
	if cfg.PidFile == "" {
		return func() {}, nil
	}
	if _, err := os.Stat(filepath.Dir(cfg.PidFile)); err != nil {
		return func() {}, fmt.Errorf("%s: PidFile %s: directory missing, no PID file written", cfg.PidFilePos, cfg.PidFile)
	}
	if err := os.WriteFile(cfg.PidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return func() {}, err
	}
	path := cfg.PidFile
	return func() { os.Remove(path) }, nil
}

// runningPid reads the PID file and reports a live process other than
// ourselves (a container restarted with the same PID counts as not running).
func runningPid(cfg *apacheconf.Config) (int, bool) {
	if cfg.PidFile == "" {
		return 0, false
	}
	b, err := os.ReadFile(cfg.PidFile)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return 0, false
	}
	if syscall.Kill(pid, 0) != nil {
		return 0, false
	}
	return pid, true
}

// kSignals maps -k verbs to the signals a running server understands.
var kSignals = map[string]syscall.Signal{
	"stop":          syscall.SIGTERM,
	"restart":       syscall.SIGHUP,
	"graceful":      syscall.SIGUSR1,
	"graceful-stop": syscall.SIGWINCH,
}

// kCommand carries out -k VERB as apachectl does. It returns done=false
// when the verb means "start a server here".
func kCommand(e env, prog, verb string, opts apacheconf.Options) (code int, done bool) {
	cfg, diags := apacheconf.Load(opts)
	if cfg == nil {
		printDiags(e.stderr, diags, false)
		return 1, true
	}
	pid, running := runningPid(cfg)
	switch verb {
	case "start":
		if running {
			fmt.Fprintf(e.stderr, "%s (pid %d) already running\n", prog, pid)
			return 0, true
		}
		return 0, false
	case "stop", "graceful-stop":
		if !running {
			fmt.Fprintf(e.stderr, "%s (no pid file) not running\n", prog)
			return 0, true
		}
	case "restart", "graceful":
		if !running {
			fmt.Fprintf(e.stderr, "%s not running, trying to start\n", prog)
			return 0, false
		}
	default:
		fmt.Fprintf(e.stderr, "%s: -k %s: unknown verb (start, stop, restart, graceful, graceful-stop)\n", prog, verb)
		return 1, true
	}
	if err := syscall.Kill(pid, kSignals[verb]); err != nil {
		fmt.Fprintf(e.stderr, "%s: signalling pid %d: %v\n", prog, pid, err)
		return 1, true
	}
	return 0, true
}
