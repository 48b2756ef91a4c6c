// Command oidcgate reads an Apache httpd + mod_auth_openidc configuration
// and checks it, reports on it and serves it: the reverse proxy and the
// OpenID Connect login, as Apache and mod_auth_openidc would.
package main

import "os"

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr, os.LookupEnv))
}
