// Command backend answers every request with a small fixed body, as the
// benchmark's upstream. GET /__count (asked directly, not through a proxy)
// returns how many other requests it has answered, so that a benchmark can
// check that every request wrk counted reached the backend (wrk's
// "Non-2xx or 3xx" line does not count redirects).
//
// It reads each request head line by line without building a header map:
// the benchmark runs it on the same cores as the proxies it measures, and
// net/http's parsing of the ~40 identity headers an authenticated request
// carries cost the backend more than some proxies' own work, which blurred
// the comparison of authenticated and plain requests. It speaks just what
// the proxies send it: HTTP/1.1 keep-alive requests with a Content-Length
// body or none (a chunked body gets 501 and the connection is closed).
package main

import (
	"bufio"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

func main() {
	ln, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(serve(ln, &atomic.Int64{}))
}

// serve accepts connections until ln fails; served counts the answered
// requests other than /__count.
func serve(ln net.Listener, served *atomic.Int64) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go handle(c, served)
	}
}

const (
	okHead   = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
	body     = "hello from the backend\n"
	chunked  = "HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
	badInput = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
)

// handle answers the requests of one connection in turn.
func handle(c net.Conn, served *atomic.Int64) {
	defer c.Close()
	r := bufio.NewReaderSize(c, 16<<10)
	w := bufio.NewWriterSize(c, 4<<10)
	for {
		req, err := readHead(r)
		if err != nil {
			if err == errBadRequest {
				w.WriteString(badInput)
				w.Flush()
				lingerClose(c)
			}
			return
		}
		if req.chunked {
			w.WriteString(chunked)
			w.Flush()
			lingerClose(c)
			return
		}
		if req.length > 0 {
			if _, err := r.Discard(int(req.length)); err != nil {
				return
			}
		}
		out := body
		if req.path == "/__count" {
			out = strconv.FormatInt(served.Load(), 10) + "\n"
		} else {
			served.Add(1)
		}
		w.WriteString(okHead)
		w.WriteString(strconv.Itoa(len(out)))
		if req.close {
			w.WriteString("\r\nConnection: close")
		}
		w.WriteString("\r\n\r\n")
		w.WriteString(out)
		if err := w.Flush(); err != nil || req.close {
			return
		}
	}
}

// lingerClose ends a connection whose request was not read to its end
// the way HTTP servers do (a lingering close): it stops writing, then
// reads and drops what the client still sends, for at most a second,
// before closing — closing with unread bytes would reset the connection
// and could destroy the answer before the client has read it.
func lingerClose(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(time.Second))
	io.Copy(io.Discard, c)
}
