package main

import (
	"bufio"
	"bytes"
	"errors"
	"strconv"
)

// errBadRequest: the head is not one this backend understands.
var errBadRequest = errors.New("bad request")

// head is what the backend needs from a request head.
type head struct {
	path    string
	length  int64 // Content-Length, 0 when absent
	chunked bool  // Transfer-Encoding other than identity
	close   bool  // Connection: close, or HTTP/1.0
}

// maxHead bounds a request head (line and fields), as servers do.
const maxHead = 1 << 20

// readHead reads a request line and its header fields up to the empty
// line. Only Content-Length, Transfer-Encoding and Connection are looked
// at; the other fields are skipped without being copied.
func readHead(r *bufio.Reader) (head, error) {
	var h head
	line, err := readLine(r)
	if err != nil {
		return h, err
	}
	total := len(line)
	// METHOD SP target SP HTTP/1.x
	sp1 := bytes.IndexByte(line, ' ')
	sp2 := bytes.LastIndexByte(line, ' ')
	if sp1 <= 0 || sp2 <= sp1 || !bytes.HasPrefix(line[sp2+1:], []byte("HTTP/1.")) {
		return h, errBadRequest
	}
	target := line[sp1+1 : sp2]
	if i := bytes.IndexByte(target, '?'); i >= 0 {
		target = target[:i]
	}
	h.path = string(target)
	h.close = string(line[sp2+1:]) == "HTTP/1.0"
	for {
		line, err := readLine(r)
		if err != nil {
			return h, err
		}
		if total += len(line); total > maxHead {
			return h, errBadRequest
		}
		if len(line) == 0 {
			return h, nil
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return h, errBadRequest
		}
		value = bytes.TrimSpace(value)
		switch {
		case len(name) == len("Content-Length") && bytes.EqualFold(name, []byte("Content-Length")):
			n, err := strconv.ParseInt(string(value), 10, 64)
			if err != nil || n < 0 {
				return h, errBadRequest
			}
			h.length = n
		case len(name) == len("Transfer-Encoding") && bytes.EqualFold(name, []byte("Transfer-Encoding")):
			h.chunked = !bytes.EqualFold(value, []byte("identity"))
		case len(name) == len("Connection") && bytes.EqualFold(name, []byte("Connection")):
			h.close = bytes.EqualFold(value, []byte("close"))
		}
	}
}

// readLine returns one line without its CRLF (or LF); the slice is valid
// until the next read.
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return nil, errBadRequest
	}
	if err != nil {
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}
