package apacheconf

import (
	"strings"
	"testing"
)

func words(ss ...string) []Word {
	out := make([]Word, len(ss))
	for i, s := range ss {
		out[i] = Word{Text: s}
	}
	return out
}

func TestArityMessages(t *testing.T) {
	tests := []struct {
		class ArgClass
		args  []Word
		want  string
	}{
		{NoArgs, words(), ""},
		{NoArgs, words("x"), "D takes no arguments, help"},
		{Take1, words("a"), ""},
		{Take1, words(), "D takes one argument, help"},
		{Take1, words("a", "b"), "D takes one argument, help"},
		{Take1, []Word{{Text: "", Quote: '"'}}, "D takes one argument, help"},
		{Take2, words("a"), "D takes two arguments, help"},
		{Take12, words("a", "b", "c"), "D takes 1-2 arguments, help"},
		{Take3, words("a", "b"), "D takes three arguments, help"},
		{Take23, words("a"), "D takes two or three arguments, help"},
		{Take123, words(), "D takes one, two or three arguments, help"},
		{Take13, words("a", "b"), "D takes one or three arguments, help"},
		{Take13, words("a", "b", "c"), ""},
		{Iterate, words(), "D requires at least one argument, help"},
		{Iterate2, words("a"), "D requires at least two arguments, help"},
		{Flag, words("on"), ""},
		{Flag, words("OFF"), ""},
		{Flag, words("yes"), "D must be On or Off"},
		{RawArgs, words(), ""},
	}
	for _, tt := range tests {
		if got := tt.class.checkArity("D", "help", tt.args); got != tt.want {
			t.Errorf("%v %v: got %q, want %q", tt.class, tt.args, got, tt.want)
		}
	}
	if got := Take1.checkArity("D", "", nil); got != "D takes one argument" {
		t.Errorf("without help: %q", got)
	}
}

func TestRegistryLookupAndSuggest(t *testing.T) {
	reg := DefaultRegistry()
	for _, name := range []string{"servername", "SERVERNAME", "<location", "<LOCATION", "Listen"} {
		if _, ok := reg.Lookup(name); !ok {
			t.Errorf("Lookup(%q) failed", name)
		}
	}
	for in, want := range map[string]string{"SeverName": "ServerName", "ServerAlais": "ServerAlias", "<Locaton": "<Location", "Lsten": "Listen", "Completelydifferent": ""} {
		if got := reg.Suggest(in); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRegistryConsistency(t *testing.T) {
	reg := DefaultRegistry() // panics on a duplicate name
	handlers := allHandlers()
	for _, s := range reg.Specs() {
		key := strings.ToLower(s.Name)
		_, has := handlers[key]
		switch {
		case s.Module == "":
			t.Errorf("%s: no module", s.Name)
		case s.Status != Supported && s.Reason == "":
			t.Errorf("%s: status %s without a reason", s.Name, s.Status)
		case s.Status == Supported && !has && !readTimeDirectives[key] && !isStructural(key):
			t.Errorf("%s: supported but no handler compiles it", s.Name)
		}
	}
	for key := range handlers {
		if _, ok := reg.Lookup(key); !ok {
			t.Errorf("handler %q has no registry entry", key)
		}
	}
}

// isStructural reports whether the compiler itself handles the directive.
func isStructural(key string) bool {
	if _, ok := conditionalKinds[key]; ok {
		return true
	}
	_, ok := sectionKinds[key]
	return ok || key == "<virtualhost"
}

func TestModuleSetForms(t *testing.T) {
	m := NewModuleSet()
	m.Load("proxy_module", "/x/mod_proxy.so", Pos{})
	m.Load("mpm_event_module", "/x/mod_mpm_event.so", Pos{})
	for name, want := range map[string]bool{
		"proxy_module": true, "mod_proxy.c": true, "src/mod_proxy.c": true, "Proxy_module": false,
		"mpm_event_module": true, "event.c": true, "mod_mpm_event.c": false,
		"log_config_module": true, "mod_log_config.c": true, "version_module": true,
		"ssl_module": false, "mod_ssl.c": false, "oidcgate.c": true,
	} {
		if got := m.Has(name); got != want {
			t.Errorf("Has(%q) = %v, want %v", name, got, want)
		}
	}
	if m.Load("proxy_module", "/y.so", Pos{}) {
		t.Error("second Load of a module should report it as already loaded")
	}
	if !m.HasMPM() {
		t.Error("HasMPM false after loading mpm_event_module")
	}
}
