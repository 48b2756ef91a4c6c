package proxy

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizePath(t *testing.T) {
	def := NormalizeOptions{MergeSlashes: true}
	tests := []struct {
		raw  string
		opts NormalizeOptions
		want string
		err  error
	}{
		{"/", def, "/", nil},
		{"/app//x/../y/%41%2e%7e%20%3F", def, "/app/y/A.~ ?", nil}, // apache_semantics §g [obs]
		{"/a/./b/.", def, "/a/b/", nil},
		{"/a/b/..", def, "/a/", nil},
		{"/a/%2e%2e/b", def, "/b", nil},
		{"/..", def, "", ErrBadPath},
		{"/a/../../b", def, "", ErrBadPath},
		{"/a%2Fb", def, "", ErrEncodedSlash},
		{"/a%2fb", NormalizeOptions{MergeSlashes: true, EncodedSlashes: SlashesOn}, "/a/b", nil},
		{"/a%2fb", NormalizeOptions{MergeSlashes: true, EncodedSlashes: SlashesNoDecode}, "/a%2Fb", nil},
		// AllowEncodedSlashes On: normalised again after decoding, a ".."
		// at the root dropped (Apache 2.4.71: 404 for the first through an
		// Alias, where before the fix it reached a file outside DocumentRoot).
		{"/x/..%2F..%2Fam/y", NormalizeOptions{MergeSlashes: true, EncodedSlashes: SlashesOn}, "/am/y", nil},
		{"/d/sub%2F..%2Ff.txt", NormalizeOptions{MergeSlashes: true, EncodedSlashes: SlashesOn}, "/d/f.txt", nil},
		{"/a/.%2F%2Fb", NormalizeOptions{MergeSlashes: true, EncodedSlashes: SlashesOn}, "/a/b", nil},
		{"/x/..%2F..%2Fam/y", NormalizeOptions{MergeSlashes: true, EncodedSlashes: SlashesNoDecode}, "/x/..%2F..%2Fam/y", nil},
		{"/a//b", NormalizeOptions{}, "/a//b", nil},
		{"/a%zzb", def, "", ErrBadPath},
		{"/a%2", def, "", ErrBadPath},
		{"/a%00b", def, "", ErrBadPath},
		{"relative", def, "", ErrBadPath},
		{"/caf%C3%A9", def, "/caf\xc3\xa9", nil},
		{"/p;x=y", def, "/p;x=y", nil},
		{"/a b", def, "", ErrBadPath},
		{"/a\x00", def, "", ErrBadPath},
	}
	for _, tt := range tests {
		got, err := NormalizePath(tt.raw, tt.opts)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("NormalizePath(%q) = %q, %v; want %q, %v", tt.raw, got, err, tt.want, tt.err)
		}
	}
	if Status(ErrEncodedSlash) != 404 || Status(ErrBadPath) != 400 {
		t.Error("statuses")
	}
}

func TestCanonPath(t *testing.T) {
	if got := CanonPath("/a%2Fb", true); got != "/a%2Fb" {
		t.Errorf("NoDecode keeps %%2F: got %q", got)
	}
	for in, want := range map[string]string{
		"/app/y/A.~ ?":  "/app/y/A.~%20%3F", // apache_semantics §g [obs]
		"/a%2Fb":        "/a%252Fb",
		"/caf\xc3\xa9":  "/caf%C3%A9",
		"/x;p=1:@&=+$,": "/x;p=1:@&=+$,",
		"/q\"<>#%":      "/q%22%3C%3E%23%25",
	} {
		if got := CanonPath(in, false); got != want {
			t.Errorf("CanonPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzNormalizePath: never panics; a result is absolute, has no dot
// segments, no "//" when merging, and survives canonical re-encoding and a
// second normalisation unchanged.
func FuzzNormalizePath(f *testing.F) {
	for _, s := range []string{"/", "/a//b/../c", "/%2e%2e/x", "/a%2Fb", "/%41%zz", "//", "/./.", "/a/..", "/x/..%2F..%2Fy"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		opts := NormalizeOptions{MergeSlashes: true}
		p, err := NormalizePath(raw, opts)
		if err != nil {
			return
		}
		if !strings.HasPrefix(p, "/") || strings.Contains(p, "//") {
			t.Fatalf("%q → %q", raw, p)
		}
		for _, seg := range strings.Split(p, "/") {
			if seg == "." || seg == ".." {
				t.Fatalf("%q → %q keeps a dot segment", raw, p)
			}
		}
		again, err := NormalizePath(CanonPath(p, false), opts)
		if err != nil || again != p {
			t.Fatalf("%q → %q → %q → %q, %v", raw, p, CanonPath(p, false), again, err)
		}
		// AllowEncodedSlashes On decodes %2F: still no dot segment.
		p, err = NormalizePath(raw, NormalizeOptions{MergeSlashes: true, EncodedSlashes: SlashesOn})
		for _, seg := range strings.Split(p, "/") {
			if err == nil && (seg == "." || seg == "..") {
				t.Fatalf("%q → %q keeps a dot segment (AllowEncodedSlashes On)", raw, p)
			}
		}
	})
}
