package apacheconf

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLintExitCodes(t *testing.T) {
	reg := NewRegistry(withPolicy(apacheSpecs), []Spec{
		{Name: "Harmless", Module: "core", Class: Take1, Override: RsrcConf, Status: Ignored, Reason: "tuning"},
		{Name: "Noteworthy", Module: "core", Class: Take1, Override: RsrcConf, Status: Ignored, Reason: "no effect here", Notable: true},
		{Name: "Minor", Module: "core", Class: Take1, Override: RsrcConf, Status: Unsupported, Reason: "cosmetic"},
		{Name: "Routing", Module: "core", Class: Take1, Override: RsrcConf, Status: Unsupported, Reason: "rewrites URLs", Critical: true},
		{Name: "Later", Module: "core", Class: Take1, Override: RsrcConf, Status: Planned, Reason: "next issue"},
	})
	tests := []struct {
		conf string
		want int
	}{
		{"ServerName a\n", 0},
		{"ServerName a\nHarmless x\n", 0},
		{"ServerName a\nNoteworthy x\n", 1},
		{"ServerName a\nMinor x\n", 1},
		{"ServerName a\nRouting x\n", 2},
		{"ServerName a\nLater x\n", 1},
		{"ServerName a\nNoSuchThing x\n", 2},
	}
	for _, tt := range tests {
		root := t.TempDir()
		writeFiles(t, root, map[string]string{"main.conf": tt.conf})
		tree, diags := Read(Options{File: filepath.Join(root, "main.conf"), ServerRoot: root, Registry: reg, Envvars: EnvvarsOff})
		_, cd := Compile(tree, reg)
		rep := Lint(tree, reg, append(diags, cd...))
		if rep.Exit != tt.want {
			t.Errorf("%q: exit %d, want %d (%+v)", tt.conf, rep.Exit, tt.want, rep.Entries)
		}
	}
}

func TestLintFlagsHashArguments(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"main.conf": "ServerName a # the name\n"})
	tree, diags := Read(Options{File: filepath.Join(root, "main.conf"), ServerRoot: root, Envvars: EnvvarsOff})
	rep := Lint(tree, DefaultRegistry(), diags)
	found := false
	for _, d := range rep.Diagnostics {
		if strings.Contains(d.Message, "starts with '#'") {
			found = true
		}
	}
	if !found {
		t.Errorf("no trailing-comment warning in %+v", rep.Diagnostics)
	}
}

func TestApacheResultReadChain(t *testing.T) {
	ds := Diagnostics{{Severity: SevError, Stage: StageRead, Msg: "boom",
		Pos: Pos{File: "/c.conf", Line: 2, EndLine: 3, Chain: []IncludeSite{{"/a.conf", 7}, {"/b.conf", 9}}}}}
	out, code := ApacheResult(ds, nil, "apache2", timeZero)
	want := "apache2: Syntax error on line 7 of /a.conf: Syntax error on line 9 of /b.conf: Syntax error on line 3 of /c.conf: boom\n"
	if out != want || code != 1 {
		t.Errorf("got %q %d, want %q 1", out, code, want)
	}
}

var timeZero = time.Time{}
