// Command bearer is bearer.sh's token helper. It mints one access token
// (a JWT with sub, iss, aud, exp two hours ahead, scope and a few claims)
// and writes it to -out:
//
//	bearer -alg RS256 -jwks 127.0.0.1:18431 -out FILE
//	bearer -alg HS256 -secret KEY -out FILE
//
// RS256: a fresh 2048-bit RSA key signs the token (kid "bench"); its public
// key is served as a JWK set at https://ADDR/jwks (self-signed certificate:
// mod_auth_openidc takes only https JWKS URIs, the configuration turns
// OIDCOAuthSSLValidateServer Off) until the process is killed. The token
// file is written once the listener is up. GET /__count returns how many
// JWKS fetches it served. HS256: the token is signed with -secret (as
// OIDCOAuthVerifySharedKeys takes it) and the command exits.
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func main() {
	alg := flag.String("alg", "RS256", "RS256 or HS256")
	jwks := flag.String("jwks", "127.0.0.1:18431", "RS256: where to serve the JWK set (https)")
	secret := flag.String("secret", "", "HS256: the shared key")
	out := flag.String("out", "", "file to write the token to")
	flag.Parse()
	claims := map[string]any{
		"sub": "svc-bench", "iss": "https://as.example", "aud": "api",
		"exp": time.Now().Add(2 * time.Hour).Unix(), "iat": time.Now().Unix(),
		"scope": "read write", "client_id": "bench-client", "groups": []string{"g1", "g2"},
	}
	payload, _ := json.Marshal(claims)
	var key jose.SigningKey
	var rsaKey *rsa.PrivateKey
	opts := (&jose.SignerOptions{}).WithType("JWT")
	switch *alg {
	case "RS256":
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			log.Fatal(err)
		}
		key = jose.SigningKey{Algorithm: jose.RS256, Key: rsaKey}
		opts = opts.WithHeader("kid", "bench")
	case "HS256":
		if len(*secret) < 32 {
			log.Fatal("-secret: at least 32 bytes for HS256")
		}
		key = jose.SigningKey{Algorithm: jose.HS256, Key: []byte(*secret)}
	default:
		log.Fatalf("-alg %s: RS256 or HS256", *alg)
	}
	s, err := jose.NewSigner(key, opts)
	if err != nil {
		log.Fatal(err)
	}
	j, err := s.Sign(payload)
	if err != nil {
		log.Fatal(err)
	}
	tok, _ := j.CompactSerialize()
	write := func() {
		if err := os.WriteFile(*out+".tmp", []byte(tok), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(*out+".tmp", *out); err != nil {
			log.Fatal(err)
		}
	}
	if rsaKey == nil {
		write()
		return
	}
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: rsaKey.Public(), KeyID: "bench", Algorithm: "RS256", Use: "sig"}}})
	var fetches atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/__count" {
			fmt.Fprintln(w, strconv.FormatInt(fetches.Load(), 10))
			return
		}
		fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write(set)
	}))
	ln, err := net.Listen("tcp", *jwks)
	if err != nil {
		log.Fatal(err)
	}
	srv.Listener.Close()
	srv.Listener = ln
	srv.StartTLS()
	write()
	select {}
}
