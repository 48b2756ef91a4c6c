package claims

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range jsonCases {
		if len(s) < 4096 {
			f.Add([]byte(s))
		}
	}
	f.Add([]byte(`{"a":[1,2.5,"x",{"b":null}],"a":true}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		// what jansson accepts is JSON (up to the first NUL)
		in := data
		if i := bytes.IndexByte(in, 0); i >= 0 {
			in = in[:i]
		}
		if !json.Valid(in) {
			t.Fatalf("Parse accepted invalid JSON %q", in)
		}
		// the compact form is valid JSON that parses back to itself
		out := c.JSON()
		if !json.Valid(out) {
			t.Fatalf("JSON() = %q is not valid JSON", out)
		}
		c2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(JSON()) = %v for %q", err, out)
		}
		if !bytes.Equal(c2.JSON(), out) {
			t.Fatalf("round trip %q != %q", c2.JSON(), out)
		}
		if !json.Valid(c.JSONSpaced()) {
			t.Fatalf("JSONSpaced() = %q is not valid JSON", c.JSONSpaced())
		}
		for _, p := range Render(c, DefaultPrefix, DefaultDelimiter) {
			if !strings.HasPrefix(p.Name, DefaultPrefix) {
				t.Fatalf("pair name %q", p.Name)
			}
			for i := len(DefaultPrefix); i < len(p.Name); i++ {
				if b := p.Name[i]; b < 33 || b > 126 || strings.IndexByte("()<>@,;:\\\"/[]?={}", b) >= 0 {
					t.Fatalf("header name %q has byte %#x", p.Name, b)
				}
			}
			if strings.Contains(HeaderValue(Encode(p.Value, EncodingLatin1)), "\n") {
				t.Fatal("LF in a header value")
			}
		}
		for _, n := range c.Names() {
			if _, ok := c.Get(n); !ok {
				t.Fatalf("Get(%q) after Names", n)
			}
		}
	})
}

func FuzzRequireClaim(f *testing.F) {
	doc := mustParse(f, matchDocs[0])
	for _, s := range matchSpecs {
		f.Add(s, matchDocs[0])
	}
	f.Add("a.b.c~(x|y)*", `{"a":{"b":{"c":["x"]}}}`)
	f.Fuzz(func(t *testing.T, spec, js string) {
		r, err := CompileRequireClaim(strings.Fields(spec))
		if r == nil {
			t.Fatalf("nil rule (err %v)", err)
		}
		r.Match(doc)
		if c, err := Parse([]byte(js)); err == nil {
			r.Match(c)
			r.Match(Merge(doc, c))
		}
		// a single word: compiling it alone never panics either
		if r1, _ := CompileRequireClaim([]string{spec}); r1 != nil {
			r1.Match(doc)
		}
	})
}

func FuzzIsIdentityHeader(f *testing.F) {
	for _, s := range []string{"OIDC_CLAIM_email", "oidc-claim-email", "Oidc_claim_email", "X-Remote-User", "Content-Type", "", "OIDC", "é"} {
		f.Add(s, DefaultPrefix, "X-Remote-User")
		f.Add(s, "X-Claim-", "")
	}
	f.Fuzz(func(t *testing.T, name, prefix, authn string) {
		got := IsIdentityHeader(name, prefix, authn)
		// the decision does not depend on ASCII case nor on which
		// non-alphanumeric byte separates the words
		swapped := strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z':
				return r - 'a' + 'A'
			case r >= 'A' && r <= 'Z':
				return r - 'A' + 'a'
			case r == '-':
				return '_'
			case r == '_':
				return '.'
			}
			return r
		}, name)
		if len(swapped) == len(name) && IsIdentityHeader(swapped, prefix, authn) != got {
			t.Fatalf("IsIdentityHeader(%q) = %v but (%q) = %v", name, got, swapped, !got)
		}
		// everything that maps to OIDC_... is scrubbed
		if envHasPrefix(name, "OIDC_") && !got {
			t.Fatalf("%q not scrubbed", name)
		}
		// the header a claim is passed in is always scrubbed
		if prefix != "" && IsIdentityHeader(HeaderName(prefix, name), prefix, authn) != true {
			t.Fatalf("claim header %q with prefix %q not scrubbed", HeaderName(prefix, name), prefix)
		}
		if authn != "" && !IsIdentityHeader(authn, prefix, authn) {
			t.Fatalf("OIDCAuthNHeader %q not scrubbed", authn)
		}
	})
}
