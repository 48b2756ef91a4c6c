package claims

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The testdata/oracle_module_*.golden files are the answers of Debian 12's
// real mod_auth_openidc.so (2.4.12.3-2+deb12u5), whose exported functions
// oidc_util_set_app_infos, oidc_authz_match_claim, oidc_get_remote_user,
// oidc_normalize_header_name and oidc_strnenvcmp were called by
// testdata/oracle/module.c.

const moduleOracle = "MODULE_ORACLE"

// aprTable is an apr_table_t with apr_table_set semantics: a key equal
// (ASCII case-insensitively) to an existing one replaces its value and
// keeps its original spelling and position.
type aprTable []Pair

func (t aprTable) set(k, v string) aprTable {
	for i := range t {
		if strings.EqualFold(t[i].Name, k) {
			t[i].Value = v
			return t
		}
	}
	return append(t, Pair{k, v})
}

func (t aprTable) dump() string {
	var b strings.Builder
	for _, p := range t {
		b.WriteString(hx(p.Name) + "=" + hx(p.Value) + " ")
	}
	return b.String()
}

var renderDocs = []string{
	`{"sub":"joe","email_verified":true,"no":false,"age":42,"r":1.5,"n":null,"o":{"b":2,"a":[1,{"c":null}]},"groups":["admin","ops"]}`,
	`{"s":"Dügé€","t":"x\ny\r\nz","ctl":"a\u0001b\u007f","arr":["a,b","c\\d","","x"],"lead":["",""," ","a"],"ws":[" ","\t","b"],"mixed":[1,1.5,null,{},[],"s",false,true],"e":[],"es":""}`,
	`{"o":{"r":1e21,"s":1e-7,"u":"é\n\"/","z":0.1,"e":{},"l":[]},"r":0.000001,"r2":-1e-7,"r3":1e300,"r4":-0.0,"big":-9223372036854775808,"i":-0}`,
	`{"é":"1","a:b":"x","a/b":"y","A:B":"z","":"empty","x y":"1","t\tab":"2","(){}[]<>@,;\\\"?=":"3","k\u0001\u001f\u007f":"4","~!#$%^&*-_.+|'` + "`" + `":"5"}`,
	`{"Sub":"1","sub":"2","SUB":"3","sub":"4"}`,
	`{"a":1e22,"b":123456789.125,"c":0.0000005,"d":2.675,"e":1e73,"f":1e74,"g":1e79,"h":9.999999e-7,"i":0.9999995,"j":99.9999995,"k":1.7976931348623157e308,"l":4.9e-324,"m":0.1,"n":-123.456,"o":5e-7,"p":1234567890123456789.0,"q":0.30000000000000004,"r":1e-6,"s":12345.6789e-3}`,
	`{"a":3.14159,"b":-2.5,"c":1.0,"d":1e15,"e":1e16,"f":1e17,"g":1e18,"h":1e19,"i":1e20,"j":1e21,"k":7.0e-3,"l":0.0000014999,"m":0.0000015,"n":255.255,"o":1e72,"p":-1e74,"q":8.5,"r":0.05,"s":1e-5}`,
	`{"latin":"\u00ff\u0100\u00e9\ud83d\ude00","empty":"","nl":"a\nb"}`,
}

func TestModuleOracleRender(t *testing.T) {
	type cfg struct{ prefix, delim, passAs string }
	cfgs := []cfg{{"OIDC_CLAIM_", ",", "0"}, {"", ";", "0"}, {"x-", "", "0"}, {"OIDC_CLAIM_", ", ", "1"}, {"OIDC_CLAIM_", ",", "2"}}
	for _, c := range goldenFrom(t, moduleOracle, "module_render", func() []string {
		var r []string
		for _, d := range renderDocs {
			for _, c := range cfgs {
				r = append(r, "render "+hx(d)+" "+hx(c.prefix)+" "+hx(c.delim)+" "+c.passAs)
			}
		}
		return r
	}) {
		f := strings.Split(c[0], " ")
		doc, prefix, delim := unhx(t, f[1]), unhx(t, f[2]), unhx(t, f[3])
		enc := map[string]string{"0": EncodingNone, "1": EncodingBase64URL, "2": EncodingLatin1}[f[4]]
		cl, err := Parse([]byte(doc))
		if err != nil {
			t.Fatalf("Parse(%s): %v", doc, err)
		}
		var h, e aprTable
		for _, p := range Render(cl, prefix, delim) {
			v := Encode(p.Value, enc)
			h = h.set(p.Name, HeaderValue(v))
			e = e.set(p.Name, v)
		}
		if got := "H " + h.dump() + "E " + e.dump(); got != c[1] {
			t.Errorf("Render(%s, %q, %q, %q):\n got %s\nwant %s", doc, prefix, delim, enc, decodeDump(t, got), decodeDump(t, c[1]))
		}
	}
}

func decodeDump(t *testing.T, s string) string {
	var out []string
	for _, f := range strings.Split(s, " ") {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			out = append(out, f)
			continue
		}
		out = append(out, strconv.Quote(unhx(t, k))+"="+strconv.Quote(unhx(t, v)))
	}
	return strings.Join(out, " ")
}

var matchDocs = []string{
	`{"sub":"joe","email":"Joe@Example.com","email_verified":true,"age":42,"big":4294967297,"neg":-99,"score":1.5,"nothing":null,` +
		`"groups":["admin","ops",1,true,null,{"x":"y"},["nested"],2.5],"realm_access":{"roles":["offline","admin"]},` +
		`"resource_access":{"client":{"roles":["x"]}},"https://test.com/pay:alot":"yes","a.b":"dotted","name":"Ad Min",` +
		`"digits":"007","empty":"","uml":"ü","n12":"12"}`,
	`{"a":{"b":"x"},"a.b":"y"}`,
	`{"a.b":"y","a":{"b":"x"}}`,
	`{"a":"1","a:b":"c","a~b":"d"}`,
	`{"":"v","x":{"":"w"}}`,
	`{"arr":[1,2,3],"s":"a b","f":false,"o":{"p":{"q":"deep"}},"o.p":"flat"}`,
	`{}`,
}

var matchSpecs = []string{
	"sub:joe", "sub:Joe", "sub: joe", "sub:jo e", "sub:joe ", "sub:jo", "sub:joex", "sub", "sub:", "sub.x", "sub~", "sub~^$",
	"email:Joe@Example.com", "email~example", "email~Example", "email~^Joe@", "email~(?i)example", "email~.*@Example\\.com$",
	"email_verified:true", "email_verified:1", "email_verified:True", "email_verified: true", "email_verified:true ",
	"age:42", "age:42abc", "age: 42", "age:+42", "age:042", "age:4294967338", "age:42.0", "age:", "big:4294967297", "big:1",
	"neg:-99", "neg: -99", "score:1.5", "score:1", "nothing:null", "nothing:", "nothing~.",
	"groups:admin", "groups:1", "groups:true", "groups:nested", "groups:y", "groups:2.5", "groups:2", "groups~^op", "groups~1",
	"groups.admin", "groups.ops", "groups.1", "groups.ad min", "groups.admin:x",
	"realm_access.roles:admin", "realm_access.roles.admin", "realm_access.roles~adm", "realm_access:admin", "realm_access.x:admin",
	"resource_access.client.roles:x", "resource_access.client.roles.x", "resource_access.client:x",
	"https://test.com/pay:alot:yes", "https://test.com/pay:alot~y", "https://test.com/pay:yes",
	"a.b:dotted", "a.b:x", "a.b:y", "a:1", "a:b:c", "a~b:d", "a~b~d", "a:b~c",
	"name:AdMin", "name:Ad Min", "name:ad min", "name:A d M i n", "digits:7", "digits:007", "digits:0 07", "digits:00 7", "n12:1 2", "n12:12 ",
	"empty:", "empty: ", "empty~^$", ":v", "x.:w", "x:w",
	"uml~^.{2}$", "uml~^.$", "uml~ü", "uml:ü",
	"arr:2", "arr: 3", "arr.3", "arr.4", "s:ab", "s:a  b", "f:false", "f:0", "o.p.q:deep", "o.p:flat", "o.p.q~^d",
}

func TestModuleOracleMatch(t *testing.T) {
	for _, c := range goldenFrom(t, moduleOracle, "module_match", func() []string {
		var r []string
		for _, d := range matchDocs {
			for _, s := range matchSpecs {
				r = append(r, "match "+hx(d)+" "+hx(s))
			}
		}
		return r
	}) {
		f := strings.Split(c[0], " ")
		doc, spec := unhx(t, f[1]), unhx(t, f[2])
		cl, err := Parse([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		rule, err := CompileRequireClaim([]string{spec})
		if rule == nil {
			t.Fatalf("CompileRequireClaim(%q): %v", spec, err)
		}
		want := c[1] == "1"
		if got := rule.Match(cl); got != want {
			t.Errorf("Require claim %q on %s = %v, mod_auth_openidc says %v", spec, doc, got, want)
		}
	}
}

var remoteUserDoc = `{"sub":"abc","email":"joe@example.com","num":1,"long":"` + strings.Repeat("a", 252) + `@x","long2":"` +
	strings.Repeat("a", 251) + `@x","nneul":"nneul@umsystem.edu","u":"é@x","nul":null,"e":"","t":true,"o":{"x":"y"}}`

var remoteUserCases = [][3]string{ // claim, regex ("-": none), replacement ("-": none)
	{"sub", "-", "-"}, {"num", "-", "-"}, {"missing", "-", "-"}, {"nul", "-", "-"}, {"t", "-", "-"}, {"o", "-", "-"}, {"e", "-", "-"},
	{"email", "^(.*)@", "-"}, {"email", "@", "-"}, {"email", "(x)?joe", "-"}, {"email", "xyz(.)", "-"}, {"email", "(o)", "-"},
	{"email", "^(.*)@example.com$", "$1"}, {"nneul", `^(.*)@([^.]+)\..+$`, `$2\$1`}, {"long", "^(.*)@x$", "$1"},
	{"long2", "^(.*)@x$", "$1"}, {"long", "^(.*)@x$", "-"}, {"email", "nomatch", "x"}, {"email", "(o)", "0"},
	{"email", "(o)", "$1$1"}, {"u", "^(.)", "-"}, {"u", "^(.)", "[$1]"}, {"u", "^(..)", "-"}, {"e", "^(.*)$", "-"},
	{"e", "^(.*)$", "x$1"}, {"email", "(?P<n>[^@]+)@.*", "$n"}, {"email", "(?P<n>[^@]+)@.*", "${n}!"}, {"email", "^(.*)$", "$2"},
	{"email", "@(.*)", "$"}, {"email", "@(.*)", "$$"}, {"email", "@(.*)", "${1}x"}, {"email", "(a)|(@)", "[$1]"}, {"sub", "(b)", "$0$0"},
}

func TestModuleOracleRemoteUser(t *testing.T) {
	cl, err := Parse([]byte(remoteUserDoc))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range goldenFrom(t, moduleOracle, "module_remoteuser", func() []string {
		var r []string
		for _, k := range remoteUserCases {
			re, rep := k[1], k[2]
			if re != "-" {
				re = hx(re)
			}
			if rep != "-" {
				rep = hx(rep)
			}
			r = append(r, "ruser "+hx(remoteUserDoc)+" "+hx(k[0])+" "+re+" "+rep)
		}
		return r
	}) {
		f := strings.Split(c[0], " ")
		claim := unhx(t, f[2])
		var re *regexp.Regexp
		rep := ""
		if f[3] != "-" {
			re = regexp.MustCompile(unhx(t, f[3]))
		}
		if f[4] != "-" {
			rep = unhx(t, f[4])
		}
		got, err := RemoteUser(cl, claim, re, rep, "")
		switch {
		case strings.HasPrefix(c[1], "OK"):
			want := unhx(t, strings.TrimPrefix(strings.TrimPrefix(c[1], "OK"), " "))
			if err != nil || got != want {
				t.Errorf("RemoteUser(%q, %v, %q) = %q, %v; mod_auth_openidc gives %q", claim, re, rep, got, err, want)
			}
		default:
			if err == nil {
				t.Errorf("RemoteUser(%q, %v, %q) = %q; mod_auth_openidc fails", claim, re, rep, got)
			}
		}
	}
}

func TestModuleOracleHeaderName(t *testing.T) {
	for _, c := range goldenFrom(t, moduleOracle, "module_hname", func() []string {
		var r []string
		for b := 1; b < 256; b++ {
			r = append(r, "hname "+hx("a"+string([]byte{byte(b)})+"z"))
		}
		for _, s := range []string{"email", "https://x.io/roles", "a:b/é", "x y\tz", "ünï", "😀"} {
			r = append(r, "hname "+hx(s))
		}
		return r
	}) {
		in := unhx(t, strings.Split(c[0], " ")[1])
		if got, want := HeaderName("", in), unhx(t, c[1]); got != want {
			t.Errorf("HeaderName(%q) = %q, mod_auth_openidc gives %q", in, got, want)
		}
	}
}

func TestModuleOracleEnvCompare(t *testing.T) {
	names := []string{"OIDC_CLAIM_email", "oidc-claim-email", "Oidc_claim_email", "Oidc-Claim-Email", "OIDC.x", "OIDC", "OIDC_", "oidc_",
		"OIDCX", "xOIDC_", "OİDC_", "OIDC\xff", "X-Remote-User", "x_remote_user", "X.REMOTE.USER", "X-Remote-Usery", "MY_PREFIX_a", "my-prefix-a", ""}
	prefixes := []string{"OIDC_", "X-Remote-User", "MY_PREFIX_", "my.prefix.", "a"}
	for _, c := range goldenFrom(t, moduleOracle, "module_envcmp", func() []string {
		var r []string
		for _, n := range names {
			for _, p := range prefixes {
				r = append(r, "envcmp "+hx(n)+" "+hx(p)+" "+strconv.Itoa(len(p)))
				r = append(r, "envcmp "+hx(n)+" "+hx(p)+" -1")
			}
		}
		return r
	}) {
		f := strings.Split(c[0], " ")
		n, p := unhx(t, f[1]), unhx(t, f[2])
		var got bool
		if f[3] == "-1" {
			got = envEqual(n, p)
		} else {
			got = envHasPrefix(n, p)
		}
		if want := c[1] == "0"; got != want {
			t.Errorf("env compare(%q, %q, %s) = %v, oidc_strnenvcmp says %v", n, p, f[3], got, want)
		}
	}
}
