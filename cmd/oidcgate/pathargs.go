package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// withPath points options at PATH as lint's arguments do: a directory is
// a server root (its apache2.conf or httpd.conf is read), anything else a
// configuration file named as the shell sees it (not relative to the server
// root, as -f is), whose directory is the server root unless -d says.
func withPath(o apacheconf.Options, p string) (apacheconf.Options, error) {
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		o.ServerRoot = p
		o.File = mainFileIn(p)
		return o, nil
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return o, err
	}
	o.File = abs
	if o.ServerRoot == "" {
		o.ServerRoot = filepath.Dir(abs)
	}
	return o, nil
}

// optionalPath is the options for a command taking [PATH] besides -f/-d.
func optionalPath(f *configFlags, e env, args []string) (apacheconf.Options, error) {
	o, err := f.options(e)
	if err != nil || len(args) == 0 {
		return o, err
	}
	if f.file != "" {
		return o, fmt.Errorf("give the configuration either as PATH or with -f, not both")
	}
	return withPath(o, args[0])
}
