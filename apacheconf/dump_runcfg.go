package apacheconf

import (
	"fmt"
	"io"
	"os/user"
	"sort"
	"strings"
)

// DefaultDocumentRoot is the DocumentRoot of a configuration that sets
// none: Debian's apache2 is built with /var/www/html (DOCUMENT_LOCATION,
// apache2 -V, 2.4.71); static files are served from it too.
const DefaultDocumentRoot = "/var/www/html"

// Debian's other compiled-in defaults that apache2 -S shows when the
// configuration does not set them.
const (
	debianErrorLog = "logs/error_log"
	debianPidFile  = "/run/apache2.pid"
)

// DumpRunConfig writes what `apache2 -S` (or -t -D DUMP_RUN_CFG) prints
// after the virtual hosts, in Apache's order: ServerRoot, the main
// server's DocumentRoot and ErrorLog, PidFile, the defines, User and
// Group. Apache's Mutex lines are left out: oidcgate has no mutexes.
func DumpRunConfig(w io.Writer, cfg *Config) {
	fmt.Fprintf(w, "ServerRoot: %q\n", cfg.ServerRoot)
	docRoot := DefaultDocumentRoot
	if cfg.Main.Core != nil && cfg.Main.Core.DocumentRoot != "" {
		docRoot = cfg.Main.Core.DocumentRoot
	}
	fmt.Fprintf(w, "Main DocumentRoot: %q\n", serverRootRelative(cfg.ServerRoot, docRoot))
	errLog := debianErrorLog
	if cfg.Main.Log != nil && cfg.Main.Log.ErrorLog != "" {
		errLog = cfg.Main.Log.ErrorLog
	}
	if !strings.HasPrefix(errLog, "|") && !strings.HasPrefix(errLog, "syslog") {
		errLog = serverRootRelative(cfg.ServerRoot, errLog)
	}
	fmt.Fprintf(w, "Main ErrorLog: %q\n", errLog)
	pid := cfg.PidFile
	if pid == "" {
		pid = debianPidFile
	}
	fmt.Fprintf(w, "PidFile: %q\n", pid)
	for _, d := range cfg.Defines {
		fmt.Fprintf(w, "Define: %s\n", d)
	}
	if cfg.Tree != nil {
		names := make([]string, 0, len(cfg.Tree.Vars))
		for k := range cfg.Tree.Vars {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Fprintf(w, "Define: %s=%s\n", k, cfg.Tree.Vars[k])
		}
	}
	u, g := runAs(cfg.Tree)
	fmt.Fprintf(w, "User: name=%q id=%s\n", u, accountID(u, func(n string) (string, error) {
		a, err := user.Lookup(n)
		if err != nil {
			return "", err
		}
		return a.Uid, nil
	}))
	fmt.Fprintf(w, "Group: name=%q id=%s\n", g, accountID(g, func(n string) (string, error) {
		a, err := user.LookupGroup(n)
		if err != nil {
			return "", err
		}
		return a.Gid, nil
	}))
}

// runAs is the main server's User and Group ("#-1", Apache's unset
// value, when absent).
func runAs(tree *Tree) (usr, grp string) {
	usr, grp = "#-1", "#-1"
	if tree == nil {
		return
	}
	for _, n := range tree.Nodes {
		if len(n.Args) != 1 {
			continue
		}
		switch n.Key() {
		case "user":
			usr = n.Args[0].Text
		case "group":
			grp = n.Args[0].Text
		}
	}
	return
}

// accountID is the numeric id Apache prints for a User or Group: #N is N
// (#-1 is 4294967295, as an unsigned id), a name is looked up.
func accountID(name string, lookup func(string) (string, error)) string {
	if n, ok := strings.CutPrefix(name, "#"); ok {
		if n == "-1" {
			return "4294967295"
		}
		return n
	}
	id, err := lookup(name)
	if err != nil {
		return "4294967295"
	}
	return id
}
