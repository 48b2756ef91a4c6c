package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// echoUpgrade is a backend that answers Upgrade requests with 101 and then
// echoes bytes back, as a WebSocket server would after the handshake.
func echoUpgrade(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			io.WriteString(w, "no upgrade")
			return
		}
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		buf.Flush()
		io.Copy(conn, buf)
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func TestWebSocketTunnel(t *testing.T) {
	backend := echoUpgrade(t)
	cfg := loadConfig(t, "ServerName a\nProxyPass /ws ws://"+backend+"/ws\nProxyPass /up http://"+backend+"/up upgrade=websocket\nProxyPass /plain http://"+backend+"/plain\n")
	front := httptest.NewServer(NewSite(cfg, nil, nil))
	defer front.Close()
	try := func(path string) (int, string) {
		c, err := net.Dial("tcp", front.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusSwitchingProtocols {
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		io.WriteString(c, "ping through the tunnel")
		buf := make([]byte, len("ping through the tunnel"))
		if _, err := io.ReadFull(br, buf); err != nil {
			t.Fatal(err)
		}
		return 101, string(buf)
	}
	for _, p := range []string{"/ws/x", "/up/x"} {
		if code, echo := try(p); code != 101 || echo != "ping through the tunnel" {
			t.Errorf("%s: %d %q", p, code, echo)
		}
	}
	// Without ws:// or upgrade=, Apache drops the Upgrade header.
	if code, body := try("/plain/x"); code != 200 || body != "no upgrade" {
		t.Errorf("/plain: %d %q", code, body)
	}
}
