package main

import (
	"fmt"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// httpdCompat handles invocation as httpd, apache2, apachectl or
// apache2ctl: Apache's own flag set, so images that run `apache2ctl -D
// FOREGROUND` keep their entrypoint and scripts that run `apache2 -t` keep
// working.
func httpdCompat(prog string, args []string, e env) int {
	var f configFlags
	f.envvars = "auto"
	if !isDebianCtl(prog) {
		return httpdRun(prog, prog, args, f, e)
	}
	orig := strings.Join(args, " ")
	args, envvarsFile, code, done := debianCtl(prog, args, e)
	if done {
		return code
	}
	f.envvarsFile = envvarsFile
	// Debian's apache2ctl runs apache2, which names itself in messages,
	// and adds its own line when that fails.
	if code = httpdRun(prog, "apache2", args, f, e); code != 0 {
		fmt.Fprintf(e.stdout, "Action '%s' failed.\nThe Apache error log may have more information.\n", orig)
	}
	return code
}

// httpdRun carries out Apache's command line; argv0 is the name Apache's
// messages give the program.
func httpdRun(prog, argv0 string, args []string, f configFlags, e env) int {
	mode := "run"
	kVerb := ""
	foreground := false
	var dumpVHosts, dumpRunCfg bool
	for i := 0; i < len(args); i++ {
		a := args[i]
		takeArg := func() (string, bool) {
			if len(a) > 2 {
				return a[2:], true
			}
			if i+1 < len(args) {
				i++
				return args[i], true
			}
			return "", false
		}
		switch {
		case a == "configtest" && strings.HasSuffix(prog, "ctl"):
			mode = "t"
		case strings.HasPrefix(a, "-f"), strings.HasPrefix(a, "-d"), strings.HasPrefix(a, "-D"),
			strings.HasPrefix(a, "-k"), strings.HasPrefix(a, "-C"), strings.HasPrefix(a, "-c"),
			strings.HasPrefix(a, "-e"), strings.HasPrefix(a, "-E"):
			v, ok := takeArg()
			if !ok {
				return usage(prog, e)
			}
			switch a[:2] {
			case "-f":
				f.file = v
			case "-d":
				f.root = v
			case "-D":
				f.defines = append(f.defines, v)
				switch v {
				case "FOREGROUND", "NO_DETACH":
					foreground = true
				case "DUMP_VHOSTS":
					mode, dumpVHosts = "S", true
				case "DUMP_RUN_CFG":
					mode, dumpRunCfg = "S", true
				case "DUMP_MODULES":
					mode = "M"
				case "DUMP_INCLUDES":
					mode = "includes"
				}
			case "-k":
				kVerb = v
			case "-C", "-c":
				fmt.Fprintf(e.stderr, "%s: %s is not supported; put the directive in the configuration file\n", argv0, a[:2])
				return 1
			}
		case a == "-t":
			if mode == "run" {
				mode = "t"
			}
		case a == "-S":
			mode, dumpVHosts, dumpRunCfg = "S", true, true
			f.defines = append(f.defines, "DUMP_VHOSTS", "DUMP_RUN_CFG")
		case a == "-M":
			mode = "M"
			f.defines = append(f.defines, "DUMP_MODULES")
		case a == "-v", a == "-V":
			fmt.Fprintf(e.stdout, "Server version: Apache/%s (oidcgate %s)\n", apacheconf.HTTPDVersion, version)
			if a == "-V" {
				// The compiled-in settings scripts read to find the
				// configuration (Debian's apache2 -V, 2.4.71).
				fmt.Fprint(e.stdout, compiledWith)
			}
			return 0
		case a == "-X":
			// One process in the foreground (always one process here).
			foreground = true
		case a == "-T":
			// Skip the DocumentRoot check.
		default:
			return usage(prog, e)
		}
	}
	opts, err := f.options(e)
	if err != nil {
		fmt.Fprintln(e.stderr, argv0+":", err)
		return 1
	}
	opts.Strict = true // under Apache's names, read exactly as Apache does
	switch mode {
	case "t", "includes":
		if err := configtest(e, opts, true, mode == "includes", false, argv0); err != nil {
			return 1
		}
		return 0
	case "S", "M":
		tree, diags := apacheconf.Read(opts)
		cfg, cd := apacheconf.Compile(tree, apacheconf.DefaultRegistry())
		diags = append(diags, cd...)
		if diags.HasErrors() {
			out, code := apacheconf.ApacheResult(diags, tree.Modules, argv0, nowFunc())
			fmt.Fprint(e.stderr, out)
			return code
		}
		fmt.Fprint(e.stderr, ah00558(argv0, cfg))
		if mode == "S" {
			nameUnnamed(cfg)
			if dumpVHosts {
				apacheconf.DumpVHosts(e.stdout, cfg)
			}
			if dumpRunCfg {
				apacheconf.DumpRunConfig(e.stdout, cfg)
			}
		} else {
			apacheconf.DumpModules(e.stdout, tree.Modules)
		}
		return 0
	}
	// Run mode: -k start (restart, graceful when nothing runs) goes into
	// the background as Apache's does; -D FOREGROUND, -X or no flag serve
	// here.
	opts.Strict = false
	if kVerb != "" {
		if code, done := kCommand(e, prog, kVerb, opts); done {
			return code
		}
		if !foreground {
			return daemonize(e, withoutK(args))
		}
	}
	if v, _ := e.lookupEnv(detachEnv); v == "1" {
		stderr := e.stderr
		e.ready = func() { detachReady(stderr) }
	}
	if err := serve(e, opts, "text"); err != nil {
		if ee, ok := err.(exitError); ok {
			return ee.code
		}
		fmt.Fprintf(e.stderr, "%s: %v\n", argv0, err)
		return 1
	}
	return 0
}

// compiledWith is the part of Debian's apache2 -V that describes where
// things are by default, which oidcgate follows.
const compiledWith = `Server compiled with....
 -D HTTPD_ROOT="/etc/apache2"
 -D DEFAULT_PIDLOG="/run/apache2.pid"
 -D DEFAULT_ERRORLOG="logs/error_log"
 -D AP_TYPES_CONFIG_FILE="mime.types"
 -D SERVER_CONFIG_FILE="apache2.conf"
`

func usage(prog string, e env) int {
	if isDebianCtl(prog) {
		fmt.Fprintf(e.stderr, "Usage: %s start|stop|restart|graceful|graceful-stop|configtest|help\n", prog)
		fmt.Fprintf(e.stderr, "       %s <apache2 args>\n", prog)
	}
	fmt.Fprintf(e.stderr, "Usage: %s [-D name] [-d directory] [-f file]\n", prog)
	fmt.Fprintln(e.stderr, "       [-v] [-V] [-h] [-t] [-S] [-M] [-X] [-k start|restart|graceful|graceful-stop|stop]")
	return 1
}
