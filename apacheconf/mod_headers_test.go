package apacheconf

import "testing"

func TestHeaderOps(t *testing.T) {
	cfg, diags := compileForTest(t, `ServerName a
Header always set Strict-Transport-Security "max-age=63072000"
<Location /app>
  RequestHeader set X-User "%{REMOTE_USER}s via %{HOST}e at %t" env=!NOUSER
  Header edit Location ^http://(.*)$ https://$1
  RequestHeader unset Authorization early
</Location>
`)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	m := cfg.Main.Dir.Merge(cfg.Main.Sections[0].Dir).Headers
	if len(m.Response) != 2 || len(m.Request) != 2 {
		t.Fatalf("ops: %d response, %d request", len(m.Response), len(m.Request))
	}
	hsts := m.Response[0]
	if !hsts.Always || hsts.Action != HeaderSet || hsts.Name != "Strict-Transport-Security" || hsts.Value[0].Literal != "max-age=63072000" {
		t.Errorf("outer op first, as written: %+v", hsts)
	}
	user := m.Request[0]
	want := []FormatPart{{Tag: 's', Arg: "REMOTE_USER"}, {Literal: " via "}, {Tag: 'e', Arg: "HOST"}, {Literal: " at "}, {Tag: 't'}}
	if len(user.Value) != len(want) || user.EnvVar != "NOUSER" || !user.EnvNegate {
		t.Fatalf("request op %+v", user)
	}
	for i := range want {
		if user.Value[i] != want[i] {
			t.Errorf("part %d: %+v, want %+v", i, user.Value[i], want[i])
		}
	}
	edit := m.Response[1]
	if edit.Action != HeaderEdit || edit.Match == nil || regexSource(edit.Match) != "^http://(.*)$" || edit.Value[0].Literal != "https://$1" {
		t.Errorf("edit %+v", edit)
	}
	if !m.Request[1].Early || m.Request[1].Action != HeaderUnset {
		t.Errorf("early unset %+v", m.Request[1])
	}
}

func FuzzHeaderFormat(f *testing.F) {
	for _, s := range []string{"%t %D", "%{X}e%{Y}s", "100%%", "%", "%{", "%{a}", "%q", "plain"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parts, msg := parseHeaderFormat(s)
		if msg != "" {
			return
		}
		for _, p := range parts {
			if p.Tag == 0 && p.Literal == "" {
				t.Fatalf("%q: empty literal part", s)
			}
		}
	})
}
