package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// detachEnv marks the server process that `-k start` re-executes: it
// serves in its own session and tells the starting process, through its
// standard error, when it is listening.
const detachEnv = "OIDCGATE_DETACHED"

// readyMarker ends the detached server's start-up output.
const readyMarker = "\x00oidcgate: listening\n"

// daemonize carries out `-k start` (apachectl start) as Apache does: the
// server goes on in the background and the command returns once it
// listens — 0, or 1 with the server's messages when it could not start.
// Debian's apache2.service (Type=forking, ExecStart=apachectl start)
// waits for exactly this. The server is this program again, with args
// (without -k) and detachEnv set; oidcgate cannot fork itself.
func daemonize(e env, args []string) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(e.stderr, "cannot start the server: %v\n", err)
		return 1
	}
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(e.stderr, "cannot start the server: %v\n", err)
		return 1
	}
	defer r.Close()
	// argv[0] keeps the name oidcgate was called by (apache2ctl, ...).
	cmd := &exec.Cmd{Path: exe, Args: append([]string{os.Args[0]}, args...), Env: append(os.Environ(), detachEnv+"=1"),
		Stdout: w, Stderr: w, SysProcAttr: &syscall.SysProcAttr{Setsid: true}}
	if err := cmd.Start(); err != nil {
		w.Close()
		fmt.Fprintf(e.stderr, "cannot start the server: %v\n", err)
		return 1
	}
	w.Close()
	// The server closes its end once it listens (or when it exits).
	out := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(r)
		out <- b
	}()
	var b []byte
	select {
	case b = <-out:
	case <-time.After(2 * time.Minute):
		fmt.Fprintln(e.stderr, "the server did not start listening within 2 minutes; stopping it")
		cmd.Process.Kill()
		cmd.Wait()
		return 1
	}
	if msgs, ok := bytes.CutSuffix(b, []byte(readyMarker)); ok {
		e.stderr.Write(msgs)
		cmd.Process.Release()
		return 0
	}
	e.stderr.Write(b)
	if err := cmd.Wait(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() > 0 {
			return ee.ExitCode()
		}
	}
	return 1
}

// detachReady is the detached server's signal that it listens: the
// marker, then standard output and error on /dev/null, which closes the
// starting process's pipe. Later messages go to the error log, as Apache's
// daemon's do.
func detachReady(stderr io.Writer) {
	fmt.Fprint(stderr, readyMarker)
	if f, err := os.OpenFile(os.DevNull, os.O_RDWR, 0); err == nil {
		redirectFd(f, 1)
		redirectFd(f, 2)
		f.Close()
	}
}

// withoutK is the command line without its -k VERB.
func withoutK(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "-k":
			i++
		case strings.HasPrefix(args[i], "-k"):
		default:
			out = append(out, args[i])
		}
	}
	return out
}
