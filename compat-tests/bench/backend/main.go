// Command backend answers every request with a small fixed body, as the
// benchmark's upstream.
package main

import (
	"log"
	"net/http"
	"os"
)

func main() {
	body := []byte("hello from the backend\n")
	log.Fatal(http.ListenAndServe(os.Args[1], http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})))
}
