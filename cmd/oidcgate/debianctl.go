package main

import (
	"fmt"
	"path/filepath"
	"strings"
)

// isDebianCtl reports whether prog is Debian's apache2ctl wrapper
// (apachectl is a link to it; apache2ctl-NAME runs the instance
// /etc/apache2-NAME) rather than the apache2 binary.
func isDebianCtl(prog string) bool {
	base := filepath.Base(prog)
	return base == "apache2ctl" || base == "apachectl" || strings.HasPrefix(base, "apache2ctl-")
}

// debianCtl rewrites the command line as Debian's apache2ctl script does
// before it runs apache2: the verbs start, stop, restart, graceful and
// graceful-stop become -k VERB and configtest becomes -t; the
// configuration directory is $APACHE_CONFDIR (or /etc/apache2-NAME for
// apache2ctl-NAME), passed as -d before the user's own flags so that an
// explicit -d still wins; $APACHE_ENVVARS names the envvars file. done is
// set when the wrapper answers by itself (status, help), with code.
func debianCtl(prog string, args []string, e env) (out []string, envvarsFile string, code int, done bool) {
	if len(args) > 0 {
		switch args[0] {
		case "start", "stop", "restart", "graceful", "graceful-stop":
			args = append([]string{"-k", args[0]}, args[1:]...)
		case "configtest":
			args = append([]string{"-t"}, args[1:]...)
		case "status", "fullstatus":
			fmt.Fprintf(e.stderr, "%s %s: oidcgate serves no mod_status page; check the PidFile's process, or the access and error logs\n", prog, args[0])
			return nil, "", 1, true
		case "help", "usage", "--help":
			return nil, "", usage(prog, e), true
		}
	}
	confdir, _ := e.lookupEnv("APACHE_CONFDIR")
	if confdir == "" {
		if name, ok := strings.CutPrefix(filepath.Base(prog), "apache2ctl-"); ok && name != "" {
			confdir = "/etc/apache2-" + name
		}
	}
	if confdir != "" && confdir != "/etc/apache2" {
		args = append([]string{"-d", confdir}, args...)
	}
	envvarsFile, _ = e.lookupEnv("APACHE_ENVVARS")
	return args, envvarsFile, 0, false
}
