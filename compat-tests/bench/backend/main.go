// Command backend answers every request with a small fixed body, as the
// benchmark's upstream. GET /__count (asked directly, not through a proxy)
// returns how many other requests it has answered, so that a benchmark can
// check that every request wrk counted reached the backend (wrk's
// "Non-2xx or 3xx" line does not count redirects).
package main

import (
	"log"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
)

func main() {
	body := []byte("hello from the backend\n")
	var served atomic.Int64
	log.Fatal(http.ListenAndServe(os.Args[1], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		if r.URL.Path == "/__count" {
			w.Write([]byte(strconv.FormatInt(served.Load(), 10) + "\n"))
			return
		}
		served.Add(1)
		w.Write(body)
	})))
}
