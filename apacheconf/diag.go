package apacheconf

import (
	"fmt"
	"sort"
	"strings"
)

// Severity ranks a Diagnostic.
type Severity uint8

const (
	// SevInfo is a remark for lint only (for example, a conditional
	// section's outcome).
	SevInfo Severity = iota
	// SevWarning is something Apache accepts that the user should know
	// about; it never stops oidcgate from starting.
	SevWarning
	// SevError makes the configuration invalid, as it would for Apache.
	SevError
)

func (s Severity) String() string {
	switch s {
	case SevInfo:
		return "info"
	case SevWarning:
		return "warning"
	default:
		return "error"
	}
}

// Stage says which of Apache's passes raised a Diagnostic; Apache words the
// two differently ("apache2: Syntax error on line N of F: msg" while reading,
// "AH00526: Syntax error on line N of F:\nmsg" while walking).
type Stage uint8

const (
	StageRead Stage = iota
	StageWalk
	// StageCheck is raised after the walk (post-config checks such as an
	// empty <RequireAll>); Apache prints these without a position.
	StageCheck
)

// Diagnostic is one problem found in a configuration.
type Diagnostic struct {
	Severity  Severity
	Stage     Stage
	Pos       Pos
	Directive string // as written, e.g. "ProxyPass" or "<Location"
	// Msg is Apache's own wording where Apache has one, so that
	// configtest --apache can print it unchanged.
	Msg string
	// Hint says what to do about it (a did-you-mean, the directive to use
	// instead); it is never part of Apache's wording.
	Hint string
	// People, when set, replaces Msg in Error(): Apache's wording is kept
	// for configtest --apache where it is unreadable (positions repeated,
	// a literal "\n").
	People string
	// Code is Apache's message identifier where it has one (AH00111, ...).
	Code string
	// ApacheOnly marks an error Apache raises that does not concern
	// oidcgate (a missing run-time directory, say): it decides the verdict
	// of configtest --apache but does not make the configuration invalid
	// for oidcgate, and is shown to people as a warning.
	ApacheOnly bool
}

// Error renders the diagnostic for people: "file:line: directive: msg (hint)".
func (d Diagnostic) Error() string {
	var b strings.Builder
	b.WriteString(d.Pos.String())
	b.WriteString(": ")
	if d.Severity != SevError {
		b.WriteString(d.Severity.String())
		b.WriteString(": ")
	} else if d.ApacheOnly {
		b.WriteString("warning (apache2 -t would refuse this): ")
	}
	msg := d.Msg
	if d.People != "" {
		msg = d.People
	}
	if d.Directive != "" && !strings.Contains(msg, d.Directive) {
		b.WriteString(d.Directive)
		b.WriteString(": ")
	}
	b.WriteString(msg)
	if d.Hint != "" {
		b.WriteString(" (")
		b.WriteString(d.Hint)
		b.WriteString(")")
	}
	if c := d.Pos.ChainString(); c != "" {
		b.WriteString(" [included from ")
		b.WriteString(c)
		b.WriteString("]")
	}
	return b.String()
}

// Diagnostics is the list of problems a read or compile found, in the order
// they were found.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == SevError && !d.ApacheOnly {
			return true
		}
	}
	return false
}

// Errors returns only the errors that make the configuration invalid for
// oidcgate.
func (ds Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range ds.filter(SevError) {
		if !d.ApacheOnly {
			out = append(out, d)
		}
	}
	return out
}

// Warnings returns only the warnings.
func (ds Diagnostics) Warnings() Diagnostics { return ds.filter(SevWarning) }

func (ds Diagnostics) filter(s Severity) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// First returns the first error, which is the one Apache would have stopped
// at, and false when there is none.
func (ds Diagnostics) First() (Diagnostic, bool) {
	for _, d := range ds {
		if d.Severity == SevError && !d.ApacheOnly {
			return d, true
		}
	}
	return Diagnostic{}, false
}

// Sorted returns a copy ordered by file and line, keeping the found order
// for ties.
func (ds Diagnostics) Sorted() Diagnostics {
	out := append(Diagnostics(nil), ds...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Pos.File != out[j].Pos.File {
			return out[i].Pos.File < out[j].Pos.File
		}
		return out[i].Pos.Line < out[j].Pos.Line
	})
	return out
}

// Error joins every diagnostic, one per line, so Diagnostics can be
// returned as an error.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.Error()
	}
	return strings.Join(lines, "\n")
}

// diagSink collects diagnostics; embedded by the reader and the compiler.
type diagSink struct{ diags Diagnostics }

func (s *diagSink) add(sev Severity, st Stage, pos Pos, directive, hint, format string, args ...any) {
	s.diags = append(s.diags, Diagnostic{
		Severity: sev, Stage: st, Pos: pos, Directive: directive,
		Msg: fmt.Sprintf(format, args...), Hint: hint,
	})
}
