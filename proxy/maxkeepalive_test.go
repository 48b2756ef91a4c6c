package proxy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestMaxKeepAliveRequests: a connection serves the first request and N
// kept-alive ones; the response after says Connection: close and the
// connection ends (Apache's count, measured on 2.4.71); 0 is unlimited;
// a virtual host's value applies to its requests.
func TestMaxKeepAliveRequests(t *testing.T) {
	for _, tc := range []struct {
		conf, host string
		closeAt    int // 1-based response with Connection: close; 0 none within 8
	}{
		{"MaxKeepAliveRequests 3\n", "a", 4},
		{"MaxKeepAliveRequests 1\n", "a", 2},
		{"MaxKeepAliveRequests 0\n", "a", 0},
		{"", "a", 0}, // default 100
		{"MaxKeepAliveRequests 0\n<VirtualHost *>\nServerName a\n</VirtualHost>\n<VirtualHost *>\nServerName v\nMaxKeepAliveRequests 2\n</VirtualHost>\n", "v", 3},
		{"KeepAlive Off\nMaxKeepAliveRequests 3\n", "a", 1},
	} {
		cfg := loadConfig(t, "ServerName a\n"+tc.conf)
		front := httptest.NewUnstartedServer(NewSite(cfg, nil, nil))
		front.Config.ConnContext = withConnCounter
		front.Start()
		c, err := net.Dial("tcp", front.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(c)
		got := 0
		for i := 1; i <= 8; i++ {
			fmt.Fprintf(c, "GET /nothing HTTP/1.1\r\nHost: %s\r\n\r\n", tc.host)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Errorf("%q: request %d: %v (connection closed without Connection: close)", tc.conf, i, err)
				break
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.Close {
				got = i
				if _, err := br.ReadByte(); err != io.EOF {
					t.Errorf("%q: connection still open after Connection: close (%v)", tc.conf, err)
				}
				break
			}
		}
		c.Close()
		front.Close()
		if got != tc.closeAt {
			t.Errorf("%q: Connection: close on response %d, want %d", tc.conf, got, tc.closeAt)
		}
	}
}
