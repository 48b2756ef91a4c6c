package claims

import (
	"fmt"
	"regexp"
	"unicode/utf8"
)

// 2.4.12.3 compiles its patterns with pcre2_compile(pattern, 0 options): no
// UTF mode, so a pattern and its subject are byte strings and '.' or a
// character class consumes one byte. Go's regexp works on UTF-8 runes. To
// get the byte semantics, pattern and subject are both mapped byte for byte
// to the runes U+0000–U+00FF ("Latin-1 view") whenever they contain a byte
// >= 0x80; ASCII text is left as is, so the common case costs nothing.
// \x{hh} escapes then mean the byte hh, as in PCRE2's non-UTF mode.
//
// Remaining differences (documented, not emulated): PCRE's '$' also
// matches before a final newline, Go's only at the very end; PCRE's \s also
// matches \v; (?i) folds Latin-1 letters in Go but not in PCRE without UCP;
// PCRE-only syntax (look-around, back-references, possessive and atomic
// groups, \Z, callouts, verbs) does not compile in Go.

// latin1View maps every byte of s to the rune of the same value.
func latin1View(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	b := make([]byte, 0, len(s)*2)
	for i := 0; i < len(s); i++ {
		b = utf8.AppendRune(b, rune(s[i]))
	}
	return string(b)
}

// fromLatin1View undoes latin1View.
func fromLatin1View(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return string(b)
}

// PatternError is a PCRE pattern that Go's regexp cannot compile: PCRE-only
// syntax or a pattern PCRE2 would refuse too. 2.4.12.3 compiles Require
// claim patterns per request and a bad one simply never matches (the module
// logs "pattern [...] is not a valid regular expression").
type PatternError struct {
	Pattern string
	Err     error
}

// Error implements error.
func (e *PatternError) Error() string {
	return fmt.Sprintf("regular expression %q cannot be compiled (Go's RE2 syntax lacks look-around, back-references, possessive and atomic groups; PCRE2 would match bytes): %v", e.Pattern, e.Err)
}

// Unwrap returns the regexp error.
func (e *PatternError) Unwrap() error { return e.Err }

// Regexp is a PCRE2 pattern compiled for byte semantics.
type Regexp struct {
	src string
	re  *regexp.Regexp
}

// CompilePCRE compiles a pattern as 2.4.12.3's oidc_pcre_compile would use
// it (no options: case-sensitive, unanchored, byte semantics), or returns a
// *PatternError.
func CompilePCRE(pattern string) (*Regexp, error) {
	re, err := regexp.Compile(latin1View(pattern))
	if err != nil {
		return nil, &PatternError{Pattern: pattern, Err: err}
	}
	return &Regexp{src: pattern, re: re}, nil
}

// String returns the source pattern.
func (r *Regexp) String() string { return r.src }

// MatchString reports whether the pattern matches anywhere in s.
func (r *Regexp) MatchString(s string) bool { return r.re.MatchString(latin1View(s)) }
