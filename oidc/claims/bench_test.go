package claims

import (
	"regexp"
	"testing"
)

// benchDoc is a typical Keycloak-like id_token merged with userinfo.
const benchDoc = `{"exp":1700000000,"iat":1699999700,"auth_time":1699999690,"jti":"6c1f0c1e-5a1b-4c1e-9e3a-3f6a2b1c0d9e",` +
	`"iss":"https://idp.example.com/realms/corp","aud":"portal","sub":"f:9a1c6c7e-7e2a-4b1e-8f1f-2a3b4c5d6e7f:jdoe",` +
	`"typ":"ID","azp":"portal","session_state":"1b2c3d4e","acr":"1","email_verified":true,"name":"Jane Doe",` +
	`"preferred_username":"jdoe","given_name":"Jane","family_name":"Doe","email":"jane.doe@example.com",` +
	`"realm_access":{"roles":["offline_access","uma_authorization","portal-user"]},` +
	`"resource_access":{"portal":{"roles":["reader","editor"]},"account":{"roles":["manage-account","view-profile"]}},` +
	`"groups":["/staff","/staff/engineering","/vpn"],"locale":"de","score":0.75}`

func BenchmarkParse(b *testing.B) {
	data := []byte(benchDoc)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	c := mustParse(b, benchDoc)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range Render(c, DefaultPrefix, DefaultDelimiter) {
			_ = HeaderValue(Encode(p.Value, EncodingNone))
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	c := mustParse(b, benchDoc)
	for name, words := range map[string][]string{
		"value":  {"preferred_username:nobody", "email_verified:true"},
		"nested": {"resource_access.portal.roles:editor"},
		"regex":  {"email~@example\\.com$"},
		"miss":   {"groups:/admins", "realm_access.roles:admin", "acr:2"},
	} {
		r, err := CompileRequireClaim(words)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r.Match(c)
			}
		})
	}
}

func BenchmarkClaimsExpr(b *testing.B) {
	c := mustParse(b, benchDoc)
	r, err := CompileClaimsExpr([]string{`.groups | index("/vpn") != null`})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r.Match(c)
	}
}

func BenchmarkRemoteUser(b *testing.B) {
	c := mustParse(b, benchDoc)
	re := regexp.MustCompile(`^(.*)@example\.com$`)
	for b.Loop() {
		if _, err := RemoteUser(c, "email@", re, "$1", "https://idp.example.com"); err != nil {
			b.Fatal(err)
		}
	}
}
