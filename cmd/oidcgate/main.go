// Command oidcgate reads an Apache httpd + mod_auth_openidc configuration
// and checks, reports on and (in later versions) serves it.
package main

import "os"

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr, os.LookupEnv))
}
