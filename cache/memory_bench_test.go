package cache

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchSession mirrors oidc.session (oidc/session.go) field for field, so
// that the bytes stored are the ones oidcgate stores.
type benchSession struct {
	ID                 string          `json:"i"`
	RemoteUser         string          `json:"r"`
	Expiry             int64           `json:"e"`
	MaxExpiry          int64           `json:"se"`
	Issuer             string          `json:"iss"`
	CookieDomain       string          `json:"cd"`
	IDTokenClaims      json.RawMessage `json:"idc"`
	UserInfoClaims     json.RawMessage `json:"uic,omitempty"`
	IDToken            string          `json:"idt,omitempty"`
	UserInfoJWT        string          `json:"uij,omitempty"`
	AccessToken        string          `json:"at,omitempty"`
	AccessTokenExpires int64           `json:"ate,omitempty"`
	RefreshToken       string          `json:"rt,omitempty"`
	State              string          `json:"rs,omitempty"`
	OriginalURL        string          `json:"ou,omitempty"`
	SID                string          `json:"sid,omitempty"`
	Created            int64           `json:"t,omitempty"`
}

// pad returns s extended with filler to n bytes (s must be shorter).
func pad(s string, n int) string { return s + strings.Repeat("x", n-len(s)) }

// benchSessionValue is the JSON of session i: id_token claims of 600
// bytes, userinfo claims of 800, a 900-byte id_token, a 900-byte JWT
// access token and a 43-byte opaque refresh token; the id, user, tokens'
// leading bytes and sid differ per session.
func benchSessionValue(id string, i int) []byte {
	user := "user" + strconv.Itoa(i) + "@example.com"
	idc := `{"iss":"https://idp.example.com/realms/main","sub":"` + id + `","aud":"oidcgate","azp":"oidcgate","exp":1764600000,"iat":1764596400,"auth_time":1764596400,"nonce":"n-0S6_WzA2Mj","at_hash":"77QmUPtjPfzWtF2AnpK9RQ","email":"` + user + `","email_verified":true,"name":"Zoë Ångström","preferred_username":"u` + strconv.Itoa(i) + `","groups":["developers","ops, on-call","admins"],"pad":"`
	idc = pad(idc, 600-2) + `"}`
	uic := `{"sub":"` + id + `","email":"` + user + `","email_verified":true,"name":"Zoë Ångström","given_name":"Zoë","family_name":"Ångström","locale":"sv-SE","address":{"street_address":"Storgatan 1","locality":"Malmö","postal_code":"211 34","country":"SE"},"roles":["admin","editor"],"realm_access":{"roles":["offline_access","uma_authorization","admin"]},"pad":"`
	uic = pad(uic, 800-2) + `"}`
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(i))
	tag := base64.RawURLEncoding.EncodeToString(n[:])
	s := benchSession{
		ID: id, RemoteUser: id + "@https://idp.example.com/realms/main",
		Expiry: 1764600000, MaxExpiry: 1764625200,
		Issuer: "https://idp.example.com/realms/main", CookieDomain: "app.example.com",
		IDTokenClaims: json.RawMessage(idc), UserInfoClaims: json.RawMessage(uic),
		IDToken:     pad("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0."+tag, 900),
		AccessToken: pad("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.at"+tag, 900), AccessTokenExpires: 1764600000,
		RefreshToken: pad("rt"+tag, 43),
		State:        "Ovf3vfc2aFuzNKB6Rc7hXg", OriginalURL: "https://app.example.com/dashboard",
		SID: id + "@https://idp.example.com/realms/main", Created: 1764596400,
	}
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return b
}

// benchSessionID is a 27-character id like oidc's randomString(20).
func benchSessionID(i int) string {
	var b [20]byte
	binary.BigEndian.PutUint64(b[:], uint64(i)*0x9E3779B97F4A7C15)
	binary.BigEndian.PutUint64(b[8:], uint64(i))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func rssKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

func heapAfterGC() uint64 {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkMemory1MSessions fills the in-memory store with 1,000,000
// sessions of the size oidcgate stores (serially: Memory serialises
// writes) and reports the live heap per session after GC, the process
// RSS and the insert time. One fill takes tens of seconds; run it once:
//
//	go test ./cache -run '^$' -bench Memory1MSessions -benchtime 1x -timeout 10m
//
// SESSIONS=n changes the count (a quick check).
func BenchmarkMemory1MSessions(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("SESSIONS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	for b.Loop() {
		base := heapAfterGC()
		baseRSS := rssKiB()
		m, err := NewMemory(MemoryOptions{MaxEntries: 1_100_000})
		if err != nil {
			b.Fatal(err)
		}
		empty := heapAfterGC()
		ctx := context.Background()
		var valueBytes int64
		var insert time.Duration
		for i := 0; i < n; i++ {
			id := benchSessionID(i)
			v := benchSessionValue(id, i)
			valueBytes += int64(len(v))
			start := time.Now()
			if err := m.Set(ctx, "s:"+id, v, 8*time.Hour); err != nil {
				b.Fatalf("session %d: %v", i, err)
			}
			insert += time.Since(start)
		}
		full := heapAfterGC()
		rss := rssKiB()
		// Every session must still be there.
		for _, i := range []int{0, n / 2, n - 1} {
			if _, err := m.Get(ctx, "s:"+benchSessionID(i)); err != nil {
				b.Fatalf("session %d missing: %v", i, err)
			}
		}
		b.ReportMetric(float64(full-base)/float64(n), "heapB/session")
		b.ReportMetric(float64(full-empty)/float64(n), "entryB/session")
		b.ReportMetric(float64(empty-base)/1e6, "emptyStoreMB")
		b.ReportMetric(float64(valueBytes)/float64(n), "valueB/session")
		b.ReportMetric(float64(rss)/1024, "RSS_MiB")
		b.ReportMetric(float64(rss-baseRSS)*1024/float64(n), "RSSgrowthB/session")
		b.ReportMetric(insert.Seconds(), "insert_s")
		b.ReportMetric(float64(insert.Nanoseconds())/float64(n), "ns/insert")
		runtime.KeepAlive(m)
		m.Close()
	}
}
