package claims

import "testing"

func TestFilter(t *testing.T) {
	const in = `{"sub":"u1","email":"a@b.c","Email":"X","groups":["a","b"],"realm_access":{"roles":["r"]},"realm_access.roles":"dotted","":"empty","n":null}`
	tests := []struct {
		name         string
		white, black []string
		want         string
	}{
		{name: "no lists", want: in},
		{name: "white list keeps only listed names, in claim order", white: []string{"groups", "sub"}, want: `{"sub":"u1","groups":["a","b"]}`},
		{name: "names are case-sensitive", white: []string{"email"}, want: `{"email":"a@b.c"}`},
		{name: "black list case-sensitive", black: []string{"Email"}, want: `{"sub":"u1","email":"a@b.c","groups":["a","b"],"realm_access":{"roles":["r"]},"realm_access.roles":"dotted","":"empty","n":null}`},
		{name: "dots name a top-level claim, not a nested one", white: []string{"realm_access.roles"}, want: `{"realm_access.roles":"dotted"}`},
		{name: "nested objects are kept whole", white: []string{"realm_access"}, want: `{"realm_access":{"roles":["r"]}}`},
		{name: "black list wins over white list", white: []string{"sub", "email"}, black: []string{"email"}, want: `{"sub":"u1"}`},
		{name: "black list only", black: []string{"sub", "groups", "n"}, want: `{"email":"a@b.c","Email":"X","realm_access":{"roles":["r"]},"realm_access.roles":"dotted","":"empty"}`},
		{name: "an empty word is a name", white: []string{""}, want: `{"":"empty"}`},
		{name: "white list of absent names keeps nothing", white: []string{"nope"}, want: `{}`},
		{name: "no prefix or pattern matching", white: []string{"e*", "emai", "email "}, want: `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NewFilter(tt.white, tt.black).Apply(mustParse(t, in))
			if s := string(got.JSON()); s != tt.want {
				t.Errorf("got %s\nwant %s", s, tt.want)
			}
		})
	}
}

func TestFilterNilAndEmpty(t *testing.T) {
	if NewFilter(nil, nil) != nil {
		t.Error("no lists: want a nil filter")
	}
	var f *Filter
	c := mustParse(t, `{"a":1}`)
	if got := f.Apply(c); string(got.JSON()) != `{"a":1}` || !f.Allowed("a") {
		t.Error("nil filter must keep everything")
	}
	if got := NewFilter([]string{"a"}, nil).Apply(Claims{}); got.Len() != 0 {
		t.Error("empty claims stay empty")
	}
	// Filtering does not change the input.
	NewFilter([]string{"x"}, nil).Apply(c)
	if string(c.JSON()) != `{"a":1}` {
		t.Error("Apply changed its input")
	}
}
