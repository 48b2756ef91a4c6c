// Command bareproxy is the baseline of the benchmark: a bare
// httputil.ReverseProxy with no configuration logic.
package main

import (
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
)

func main() {
	target, err := url.Parse(os.Args[2])
	if err != nil {
		log.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	// The same pool size oidcgate uses per worker, so the baseline measures
	// the proxy, not Go's default of 2 idle connections per host.
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 64}
	rp.ErrorLog = log.New(io.Discard, "", 0)
	log.Fatal(http.ListenAndServe(os.Args[1], rp))
}
