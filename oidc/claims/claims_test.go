package claims

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func mustParse(t testing.TB, s string) Claims {
	t.Helper()
	c, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse(%s): %v", s, err)
	}
	return c
}

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		err     string // substring of the error, "" for success
		names   []string
		compact string
	}{
		{in: `{}`, compact: `{}`},
		{in: " \t\r\n{ \"a\" : 1 }\n", names: []string{"a"}, compact: `{"a":1}`},
		{in: `{"b":1,"a":2}`, names: []string{"b", "a"}, compact: `{"b":1,"a":2}`},
		{in: `{"a":1,"b":2,"a":3}`, names: []string{"a", "b"}, compact: `{"a":3,"b":2}`},
		{in: `{"big":9223372036854775807,"neg":-9223372036854775808}`, compact: `{"big":9223372036854775807,"neg":-9223372036854775808}`},
		{in: `{"big":9223372036854775808}`, err: "too big integer"},
		{in: `{"big":-9223372036854775809}`, err: "too big negative integer"},
		{in: `{"r":1.50,"e":1E+2,"z":-0}`, compact: `{"r":1.50,"e":1E+2,"z":-0}`},
		{in: `{"r":1e400}`, err: "real number overflow"},
		{in: `{"r":1e-400}`, compact: `{"r":1e-400}`},
		{in: `{"s":"\u00e9\/\ud83d\ude00\"\\\n\u0001"}`, compact: "{\"s\":\"é/😀\\\"\\\\\\n\\u0001\"}"},
		{in: `{"s":"\u0000"}`, err: `\u0000 is not allowed`},
		{in: `{"\u0000":1}`, err: "NUL byte in object key"},
		{in: `{"s":"\ud800"}`, err: `invalid Unicode '\uD800'`},
		{in: `{"s":"\udc00x"}`, err: `invalid Unicode`},
		{in: "{\"s\":\"a\nb\"}", err: "unexpected newline"},
		{in: "{\"s\":\"a\tb\"}", err: "control character 0x9"},
		{in: "{\"s\":\"\xff\"}", err: "unable to decode byte 0xff"},
		{in: "{\"a\":1}\x00trailing garbage", names: []string{"a"}},
		{in: `{"a":1} x`, err: "end of file expected"},
		{in: `[1]`, err: "did not contain a JSON object"},
		{in: `"s"`, err: "'[' or '{' expected"},
		{in: ``, err: "'[' or '{' expected"},
		{in: `{"a":01}`, err: "invalid token"},
		{in: `{"a":.5}`, err: "unexpected token"},
		{in: `{"a":1.}`, err: "invalid token"},
		{in: `{"a":True}`, err: "invalid token"},
		{in: `{"a":1,}`, err: "string or '}' expected"},
		{in: `{"a":[1,]}`, err: "unexpected token"},
		{in: `{"a":{"b":[true,false,null,"x",{"c":[]}]}}`, compact: `{"a":{"b":[true,false,null,"x",{"c":[]}]}}`},
		{in: `{"x:y/z.w":"v","":""}`, names: []string{"x:y/z.w", ""}},
		{in: strings.Repeat(`{"a":`, 2048) + "1" + strings.Repeat("}", 2048), err: "maximum parsing depth"},
	}
	for _, tt := range tests {
		c, err := Parse([]byte(tt.in))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Parse(%.60q) error = %v, want %q", tt.in, err, tt.err)
			}
			var se *SyntaxError
			if err != nil && !errors.As(err, &se) {
				t.Errorf("Parse(%.60q) error %T is not a *SyntaxError", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%.60q): %v", tt.in, err)
			continue
		}
		if tt.names != nil && !reflect.DeepEqual(c.Names(), tt.names) {
			t.Errorf("Parse(%.60q).Names() = %q, want %q", tt.in, c.Names(), tt.names)
		}
		if tt.compact != "" && string(c.JSON()) != tt.compact {
			t.Errorf("Parse(%.60q).JSON() = %s, want %s", tt.in, c.JSON(), tt.compact)
		}
	}
}

func TestAccessors(t *testing.T) {
	c := mustParse(t, `{"s":"x","i":12345678901234567890e0,"n":null,"o":{"b":1.0,"a":[1,"2"]},"big":123456789012345678}`)
	if v, ok := c.Get("o"); !ok || string(v) != `{"b":1.0,"a":[1,"2"]}` {
		t.Errorf("Get(o) = %s, %v", v, ok)
	}
	if v, ok := c.Get("big"); !ok || string(v) != `123456789012345678` {
		t.Errorf("Get(big) = %s, %v", v, ok)
	}
	if _, ok := c.Get("missing"); ok {
		t.Error("Get(missing) found something")
	}
	if k, _ := c.Kind("i"); k != Real {
		t.Errorf("Kind(i) = %v, want Real", k)
	}
	if k, _ := c.Kind("n"); k != Null {
		t.Errorf("Kind(n) = %v, want Null", k)
	}
	if s, ok := c.String("s"); !ok || s != "x" {
		t.Errorf("String(s) = %q, %v", s, ok)
	}
	if _, ok := c.String("o"); ok {
		t.Error("String(o) is not a string")
	}
	if got := string(c.JSONSpaced()); got != `{"s": "x", "i": 1.2345678901234567e19, "n": null, "o": {"b": 1.0, "a": [1, "2"]}, "big": 123456789012345678}` {
		t.Errorf("JSONSpaced = %s", got)
	}
	var zero Claims
	if zero.Len() != 0 || zero.Names() != nil || string(zero.JSON()) != "{}" || Render(zero, "X", ",") != nil {
		t.Error("zero Claims is not an empty object")
	}
}

func TestMerge(t *testing.T) {
	userinfo := mustParse(t, `{"sub":"u","email":"old@x","groups":["a"],"only_ui":1}`)
	idToken := mustParse(t, `{"iss":"https://op","sub":"u","email":"new@x","exp":2}`)
	m := Merge(userinfo, idToken)
	if got, want := string(m.JSON()), `{"sub":"u","email":"new@x","groups":["a"],"only_ui":1,"iss":"https://op","exp":2}`; got != want {
		t.Errorf("Merge = %s, want %s", got, want)
	}
	if string(userinfo.JSON()) != `{"sub":"u","email":"old@x","groups":["a"],"only_ui":1}` {
		t.Error("Merge modified its base")
	}
	if string(Merge(Claims{}, Claims{}).JSON()) != "{}" {
		t.Error("Merge of empties")
	}
}

func TestHeaderName(t *testing.T) {
	tests := []struct{ prefix, claim, want string }{
		{"OIDC_CLAIM_", "email", "OIDC_CLAIM_email"},
		{"OIDC_CLAIM_", "https://x.io/roles", "OIDC_CLAIM_https---x.io-roles"},
		{"OIDC_CLAIM_", "a:b/c.d", "OIDC_CLAIM_a-b-c.d"},
		{"OIDC_CLAIM_", `()<>@,;:\"/[]?={} ` + "\t", "OIDC_CLAIM_" + strings.Repeat("-", 19)},
		{"OIDC_CLAIM_", "x\x00\x01\x1f\x7fy", "OIDC_CLAIM_x----y"},
		{"OIDC_CLAIM_", "né", "OIDC_CLAIM_n--"},
		{"OIDC_CLAIM_", "😀", "OIDC_CLAIM_----"},
		{"OIDC_CLAIM_", "~!#$%^&*-_.+|'`", "OIDC_CLAIM_~!#$%^&*-_.+|'`"},
		{"my prefix:", "a", "my prefix:a"}, // the prefix is not normalised
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := HeaderName(tt.prefix, tt.claim); got != tt.want {
			t.Errorf("HeaderName(%q, %q) = %q, want %q", tt.prefix, tt.claim, got, tt.want)
		}
	}
}

func TestRender(t *testing.T) {
	doc := `{"s":"Dügé","nl":"a\nb\r\nc","e":"","t":true,"f":false,"i":-42,"big":9223372036854775807,` +
		`"r":1.5,"r0":-0.0,"tiny":1e-7,"n":null,"o":{"z":1,"a":{"b":[1.5,null]}},"arr":["a,b","c\\d",true,false,1,2.5,null,{"x":1},["y"],"z"],` +
		`"lead":["","","x"],"sp":[" ","x"," "],"none":[1,null],"empty":[],"a:b/c.d":"x","é":"y"}`
	want := []Pair{
		{"P_s", "Dügé"},
		{"P_nl", "a\nb\r\nc"},
		{"P_e", ""},
		{"P_t", "1"},
		{"P_f", "0"},
		{"P_i", "-42"},
		{"P_big", "9223372036854775807"},
		{"P_r", "1.500000"},
		{"P_r0", "0.000000"},
		{"P_tiny", "0.000000"},
		{"P_o", `{"z": 1, "a": {"b": [1.5, null]}}`},
		{"P_arr", `a,b|c\d|1|0|z`},
		{"P_lead", "x"},
		{"P_sp", "x| "},
		{"P_none", ""},
		{"P_empty", ""},
		{"P_a-b-c.d", "x"},
		{"P_--", "y"},
	}
	got := Render(mustParse(t, doc), "P_", "|")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Render:\n got %q\nwant %q", got, want)
	}
}

func TestAPRFormatF(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0.000000"}, {1.5, "1.500000"}, {-1.5, "-1.500000"}, {0.1, "0.100000"}, {0.0000005, "0.000001"},
		{0.9999995, "1.000000"}, {99.9999995, "100.000000"}, {1e-7, "0.000000"}, {-1e-7, "-0.000000"},
		{1e20, "100000000000000000000.000000"}, {1e300, strings.Repeat("0", 79)},
	}
	for _, tt := range tests {
		if got := aprFormatF(tt.f); got != tt.want {
			t.Errorf("aprFormatF(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestEncode(t *testing.T) {
	tests := []struct{ in, enc, want string }{
		{"hans", EncodingBase64URL, "aGFucw"},
		{"D†gÿger", EncodingBase64URL, "ROKAoGfDv2dlcg"},
		{"", EncodingBase64URL, ""},
		{"\xff\xfe", EncodingBase64URL, "__4"},
		{"D†gÿger", EncodingLatin1, "D?g\xffger"},
		{"é😀a", EncodingLatin1, "\xe9?a"},
		{"plain", EncodingLatin1, "plain"},
		{"", EncodingLatin1, ""},
		{"\x80a", EncodingLatin1, "a"},               // stray continuation at the start: code point 0, emits nothing
		{"\x81a", EncodingLatin1, "\x01a"},           // ... or its low bits
		{"a\x80", EncodingLatin1, "?"},               // continues 'a': 0x1840
		{"\xc3a", EncodingLatin1, "\x03a"},           // truncated sequence: the lead byte's bits
		{"\xf8\x88\x80\x80\x80", EncodingLatin1, ""}, // > 0x10FFFF: nothing
		{"x\ny", EncodingNone, "x\ny"},
		{"x", "unknown", "x"},
	}
	for _, tt := range tests {
		if got := Encode(tt.in, tt.enc); got != tt.want {
			t.Errorf("Encode(%q, %q) = %q, want %q", tt.in, tt.enc, got, tt.want)
		}
	}
	if HeaderValue("a\nb\r\nc\x01") != "a b\r c\x01" {
		t.Errorf("HeaderValue = %q", HeaderValue("a\nb\r\nc\x01"))
	}
}

func TestCheckEncoding(t *testing.T) {
	for in, want := range map[string]string{"base64url": EncodingBase64URL, "latin1": EncodingLatin1, " latin1 ": EncodingLatin1} {
		if got, err := CheckEncoding(in); err != nil || got != want {
			t.Errorf("CheckEncoding(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"none", "LATIN1", "latin01", "base64", ""} {
		if _, err := CheckEncoding(in); err == nil || !strings.Contains(err.Error(), `only "base64url" or "latin1" is supported`) {
			t.Errorf("CheckEncoding(%q) error = %v", in, err)
		}
	}
}

func TestIsIdentityHeader(t *testing.T) {
	tests := []struct {
		name, prefix, authn string
		want                bool
	}{
		{"OIDC_CLAIM_email", DefaultPrefix, "", true},
		{"oidc_claim_email", DefaultPrefix, "", true},
		{"Oidc_claim_email", DefaultPrefix, "", true}, // net/http's canonical form of oidc_claim_email
		{"Oidc-Claim-Email", DefaultPrefix, "", true},
		{"OIDC-CLAIM-EMAIL", DefaultPrefix, "", true},
		{"oidc.claim.email", DefaultPrefix, "", true},
		{"OIDC_access_token", DefaultPrefix, "", true},
		{"Oidc-Access-Token", DefaultPrefix, "", true},
		{"OIDC_id_token_payload", DefaultPrefix, "", true},
		{"Oidc_", DefaultPrefix, "", true},
		{"OIDC", DefaultPrefix, "", false},
		{"OIDCX", DefaultPrefix, "", false},
		{"X-OIDC-Claim", DefaultPrefix, "", false},
		{"Content-Type", DefaultPrefix, "", false},
		{"", DefaultPrefix, "", false},
		{"OİDC_x", DefaultPrefix, "", false}, // dotted capital I is not ASCII
		// a prefix that does not start with OIDC_
		{"X-Claim-email", "X-Claim-", "", true},
		{"x_claim_email", "X-Claim-", "", true},
		{"X.CLAIM.email", "X-Claim-", "", true},
		{"X-Claim", "X-Claim-", "", false},
		{"Y-Claim-email", "X-Claim-", "", false},
		{"OIDC_CLAIM_email", "X-Claim-", "", true},
		// a lower-case oidc_ prefix is scrubbed through the OIDC_ rule anyway
		{"Oidc-Claim-x", "oidc_claim_", "", true},
		// empty prefix: only the OIDC_ family
		{"email", "", "", false},
		{"OIDC_x", "", "", true},
		// OIDCAuthNHeader, case- and separator-insensitive
		{"X-Remote-User", DefaultPrefix, "X-Remote-User", true},
		{"x-remote-user", DefaultPrefix, "X-Remote-User", true},
		{"X_Remote_User", DefaultPrefix, "X-Remote-User", true},
		{"X.Remote.User", DefaultPrefix, "X-Remote-User", true},
		{"X-Remote-User-2", DefaultPrefix, "X-Remote-User", false},
		{"X-Remote-Use", DefaultPrefix, "X-Remote-User", false},
		{"X-Remote-User", DefaultPrefix, "", false},
	}
	for _, tt := range tests {
		if got := IsIdentityHeader(tt.name, tt.prefix, tt.authn); got != tt.want {
			t.Errorf("IsIdentityHeader(%q, %q, %q) = %v, want %v", tt.name, tt.prefix, tt.authn, got, tt.want)
		}
	}
	s := Scrubber{ClaimPrefix: "", WhiteListedClaims: []string{"email", "given_name"}}
	for name, want := range map[string]bool{"email": true, "Email": true, "given-name": true, "given_name_x": false, "sub": false} {
		if got := s.Match(name); got != want {
			t.Errorf("white-listed Match(%q) = %v, want %v", name, got, want)
		}
	}
	s.ClaimPrefix = "P_"
	if s.Match("email") {
		t.Error("white-listed claims only matter with an empty prefix")
	}
}

func TestRequireClaim(t *testing.T) {
	doc := `{"sub":"joe","email":"joe@example.com","email_verified":true,"age":42,"groups":["admin","ops",7,false],` +
		`"realm_access":{"roles":["offline","admin"]},"https://test.com/pay:alot":"yes","name":"Ad Min","n":null,"r":1.5,` +
		`"nested":{"a":{"b":"c"}},"a.b":"dotted","é":"ü","scope":"openid email"}`
	c := mustParse(t, doc)
	tests := []struct {
		words []string
		want  bool
	}{
		{[]string{"sub:joe"}, true},
		{[]string{"sub:Joe"}, false},
		{[]string{"sub:jo e "}, true}, // apr_strnatcmp ignores white space
		{[]string{"sub:bob", "email~@example\\.com$"}, true},
		{[]string{"sub:bob", "email~@example\\.org$"}, false},
		{[]string{"email_verified:true"}, true},
		{[]string{"email_verified:1"}, false},
		{[]string{"age:42"}, true},
		{[]string{"age:42abc"}, true},
		{[]string{"age:4294967338"}, true}, // atoi truncates to 32 bits: 42
		{[]string{"age:43"}, false},
		{[]string{"groups:admin"}, true},
		{[]string{"groups:7"}, true},
		{[]string{"groups:false"}, true},
		{[]string{"groups.ops"}, true}, // 2.4.12.3: '.' into an array
		{[]string{"groups~^adm"}, true},
		{[]string{"realm_access.roles:admin"}, true},
		{[]string{"realm_access.roles.admin"}, true},
		{[]string{"realm_access:admin"}, false},
		{[]string{"https://test.com/pay:alot:yes"}, true},
		{[]string{"name:AdMin"}, true},
		{[]string{"n:null"}, false},
		{[]string{"r:1.5"}, false},
		{[]string{"nested.a.b:c"}, true},
		{[]string{"nested.a:c"}, false},
		{[]string{"a.b:dotted"}, true},
		{[]string{"é:ü"}, true},
		{[]string{"é~^..$"}, true}, // PCRE2 without UTF: two bytes
		{[]string{"scope:email"}, false},
		{[]string{"scope~(^| )email( |$)"}, true},
		{[]string{"", "sub:joe"}, false}, // the empty word ends the list
		{nil, false},
		{[]string{"nosuch:x"}, false},
	}
	for _, tt := range tests {
		r, err := CompileRequireClaim(tt.words)
		if err != nil {
			t.Fatalf("CompileRequireClaim(%q): %v", tt.words, err)
		}
		if got := r.Match(c); got != tt.want {
			t.Errorf("Require claim %q = %v, want %v", tt.words, got, tt.want)
		}
	}
	// the '.' branch is final: the first claim that prefixes the word decides
	r, _ := CompileRequireClaim([]string{"a.b:y"})
	if r.Match(mustParse(t, `{"a":{"b":"x"},"a.b":"y"}`)) || !r.Match(mustParse(t, `{"a.b":"y","a":{"b":"x"}}`)) {
		t.Error("claim order does not decide the '.' branch")
	}
	if r.Match(Claims{}) {
		t.Error("empty claims matched")
	}
	if !reflect.DeepEqual(r.Words(), []string{"a.b:y"}) {
		t.Errorf("Words = %q", r.Words())
	}
}

func TestRequireClaimPattern(t *testing.T) {
	r, err := CompileRequireClaim([]string{"email~(?=x)", "sub:joe"})
	var pe *PatternError
	if !errors.As(err, &pe) || pe.Pattern != "(?=x)" || !strings.Contains(err.Error(), "look-around") {
		t.Fatalf("error = %v, want a *PatternError for (?=x)", err)
	}
	if r == nil || !r.Match(mustParse(t, `{"sub":"joe","email":"x"}`)) || r.Match(mustParse(t, `{"email":"x"}`)) {
		t.Error("the rule with a bad pattern must still work, the bad word never matching")
	}
	// only the pattern after the first '~' is reported
	if _, err := CompileRequireClaim([]string{"a~[~(]"}); err != nil {
		t.Errorf("later '~' reported: %v", err)
	}
}

func TestClaimsExpr(t *testing.T) {
	c := mustParse(t, `{"groups":["ops","dev"],"age":42,"big":123456789012,"r":1.5,"email":"a@b"}`)
	tests := []struct {
		words []string
		want  bool
	}{
		{[]string{`.groups | index("ops") != null`}, true},
		{[]string{`.groups | any(. == "admin")`}, false},
		{[]string{`.age > 40`}, true},
		{[]string{`.big == 123456789012`}, true},
		{[]string{`.r == 1.5`}, true},
		{[]string{`"true"`}, false},      // a string, not JSON true
		{[]string{`1`}, false},           // truthy is not enough
		{[]string{`empty`}, false},       // no output
		{[]string{`true, false`}, false}, // the last output decides, as libjq in the module
		{[]string{`false, true`}, true},
		{[]string{`error("x")`}, false},
		{[]string{`$ENV | length == 0`}, true},
		{[]string{`false`, `.email | test("@b$")`}, true},
		{[]string{``, `true`}, false},                  // the empty word ends the list
		{[]string{`def f: f; f`}, false},               // bounded by ExprTimeout
		{[]string{`[range(1e9)] | length > 0`}, false}, // bounded
	}
	for _, tt := range tests {
		r, err := CompileClaimsExpr(tt.words)
		if err != nil {
			t.Fatalf("CompileClaimsExpr(%q): %v", tt.words, err)
		}
		if got := r.Match(c); got != tt.want {
			t.Errorf("claims_expr %q = %v, want %v", tt.words, got, tt.want)
		}
	}
	for _, bad := range []string{`.a |`, `undefined_function(1)`, `$undefined`} {
		if _, err := CompileClaimsExpr([]string{bad}); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("CompileClaimsExpr(%q) error = %v", bad, err)
		}
	}
}

func TestRemoteUser(t *testing.T) {
	c := mustParse(t, `{"sub":"abc","email":"joe@example.com","num":1,"nneul":"nneul@umsystem.edu","long":"`+strings.Repeat("x", 254)+`"}`)
	tests := []struct {
		claim, re, rep, issuer string
		want, err              string
	}{
		{claim: "sub", want: "abc"},
		{claim: "sub@", issuer: "https://op.example.com", want: "abc@op.example.com"},
		{claim: "sub@", issuer: "http://op.example.com", want: "abc@http://op.example.com"},
		{claim: "sub@", issuer: "op/https://x", want: "abc@://x"}, // strstr anywhere, strip the first 8 bytes
		{claim: "sub@", issuer: "", want: "abc@"},
		{claim: "email@", re: "^(.*)@", issuer: "https://op", want: "joe@op"},
		{claim: "email", re: "^(.*)@", want: "joe"},
		{claim: "email", re: "@", err: "no capture group 1"},
		{claim: "email", re: "(x)?joe", err: "did not take part"},
		{claim: "email", re: "^zzz(.*)", err: "does not match"},
		{claim: "email", re: `^(.*)@example.com$`, rep: "$1", want: "joe"},
		{claim: "nneul", re: `^(.*)@([^.]+)\..+$`, rep: `$2\$1`, want: `umsystem\nneul`},
		{claim: "email", re: `(o)`, rep: `0`, want: "j0e@example.c0m"},
		{claim: "email", re: `(o)`, rep: `$1x$$`, want: "jox$e@example.cox$m"},
		{claim: "email", re: `(?P<u>[^@]+)@.*`, rep: `${u}!`, want: "joe!"},
		{claim: "email", re: `(o)`, rep: `$2`, err: "does not exist"},
		{claim: "email", re: `(o)`, rep: `$`, err: "lone '$'"},
		{claim: "email", re: `(o)`, rep: `${1`, err: "without its '}'"},
		{claim: "email", re: `xyz`, rep: `a`, err: "does not match"},
		{claim: "long", re: `x`, rep: `y`, err: "larger than the maximum"},
		{claim: "long", re: `^(x)`, want: "x"}, // no length limit without replacement
		{claim: "num", err: `"num" string`},
		{claim: "missing", err: `"missing" string`},
	}
	for _, tt := range tests {
		var re *regexp.Regexp
		if tt.re != "" {
			re = regexp.MustCompile(tt.re)
		}
		got, err := RemoteUser(c, tt.claim, re, tt.rep, tt.issuer)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("RemoteUser(%q, %q, %q) = %q, %v; want error %q", tt.claim, tt.re, tt.rep, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("RemoteUser(%q, %q, %q, %q) = %q, %v; want %q", tt.claim, tt.re, tt.rep, tt.issuer, got, err, tt.want)
		}
	}
	// byte semantics: a non-ASCII pattern and subject
	u := mustParse(t, `{"u":"éa@x"}`)
	if got, err := RemoteUser(u, "u", regexp.MustCompile(`^é(.)`), "", ""); err != nil || got != "a" {
		t.Errorf("non-ASCII pattern: %q, %v", got, err)
	}
	if got, err := RemoteUser(u, "u", regexp.MustCompile(`^(.)`), "", ""); err != nil || got != "\xc3" {
		t.Errorf("'.' must take one byte as in PCRE2 without UTF: %q, %v", got, err)
	}
}

func TestStrnatcmp(t *testing.T) {
	tests := []struct {
		a, b string
		eq   bool
	}{
		{"admin", "admin", true}, {"admin", " admin ", true}, {"ad min", "admin", true}, {"a\vb", "ab", true},
		{"1 2", "12", false}, {"1 a", "1a", true}, {"007", "7", false}, {"Admin", "admin", false}, {"", "  ", true},
		{"x9", "x10", false}, {"é", "é", true},
	}
	for _, tt := range tests {
		if got := natEqual(tt.a, tt.b); got != tt.eq {
			t.Errorf("natEqual(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.eq)
		}
	}
	if strnatcmp("x9", "x10") >= 0 || strnatcmp("b", "a") <= 0 {
		t.Error("strnatcmp order")
	}
}

func TestOAuthRemoteUser(t *testing.T) {
	c := mustParse(t, `{"sub":"abc","sub@":"literal"}`)
	if got, err := OAuthRemoteUser(c, "sub@", nil, ""); err != nil || got != "literal" {
		t.Errorf("OAuthRemoteUser(sub@) = %q, %v; the resource server has no '@' suffix", got, err)
	}
	if got, err := OAuthRemoteUser(c, "sub", regexp.MustCompile("^(a)"), ""); err != nil || got != "a" {
		t.Errorf("OAuthRemoteUser(sub, ^(a)) = %q, %v", got, err)
	}
}
