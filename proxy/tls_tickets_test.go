package proxy

import (
	"crypto/tls"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"
)

// ticketCache records whether the server gave the client a session.
type ticketCache struct {
	mu  sync.Mutex
	put int
}

func (c *ticketCache) Get(string) (*tls.ClientSessionState, bool) { return nil, false }
func (c *ticketCache) Put(_ string, cs *tls.ClientSessionState) {
	if cs != nil {
		c.mu.Lock()
		c.put++
		c.mu.Unlock()
	}
}

// TestSSLSessionTickets: SSLSessionTickets off — Debian's ssl.conf line —
// issues no session tickets, as mod_ssl; unset or on, Go issues them. It
// used to be ignored (tickets always issued).
func TestSSLSessionTickets(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCA(t)
	crt, key := ca.issue(t, dir, "a.example")
	for _, tt := range []struct {
		line    string
		tickets bool
	}{{"", true}, {"SSLSessionTickets on", true}, {"SSLSessionTickets off", false}} {
		t.Run(tt.line, func(t *testing.T) {
			ln, _ := net.Listen("tcp", "127.0.0.1:0")
			addr := ln.Addr().String()
			ln.Close()
			cfg := loadConfig(t, fmt.Sprintf("ServerName front.example\nListen %[1]s https\n%[4]s\n<VirtualHost %[1]s>\nServerName a.example\nSSLEngine on\nSSLCertificateFile %[2]s\nSSLCertificateKeyFile %[3]s\n</VirtualHost>\n", addr, crt, key, tt.line))
			srv := NewServer(cfg, nil, nil)
			if err := srv.Listen(cfg); err != nil {
				t.Fatal(err)
			}
			go srv.Serve()
			defer srv.Close()
			for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
				cache := &ticketCache{}
				c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr,
					&tls.Config{RootCAs: ca.pool, ServerName: "a.example", MinVersion: v, MaxVersion: v, ClientSessionCache: cache})
				if err != nil {
					t.Fatal(err)
				}
				// TLS 1.3 tickets come after the handshake: make a round trip.
				c.SetDeadline(time.Now().Add(5 * time.Second))
				fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n")
				buf := make([]byte, 512)
				c.Read(buf)
				c.Close()
				cache.mu.Lock()
				got := cache.put > 0
				cache.mu.Unlock()
				if got != tt.tickets {
					t.Errorf("TLS %x: session ticket issued %v, want %v", v, got, tt.tickets)
				}
			}
		})
	}
}
