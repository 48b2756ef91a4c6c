package apacheconf

import (
	"sort"
	"strings"
)

// Spec describes one directive: which module defines it, how it takes its
// arguments, where it may appear and what oidcgate does with it.
type Spec struct {
	// Name as Apache registers it; sections keep the '<' ("<Location").
	Name   string
	Module string // "core", "mod_proxy", "mod_auth_openidc", ...
	Class  ArgClass
	// Override is where Apache allows the directive (req_override).
	Override Override
	// Check is the extra context test the module's handler applies.
	Check Check
	// Help is the module's help text, which Apache appends to arity errors.
	Help   string
	Status Status
	// Reason explains an Ignored or Unsupported status; for Unsupported it
	// also says what to do instead.
	Reason string
	// Notable marks an Ignored directive the user should know about (lint
	// exits 1); Critical marks an Unsupported one that changes routing or
	// security (lint exits 2).
	Notable  bool
	Critical bool
}

// IsSection reports whether the spec is a container.
func (s *Spec) IsSection() bool { return strings.HasPrefix(s.Name, "<") }

// Registry is the table of every directive oidcgate knows, looked up
// case-insensitively as Apache does.
type Registry struct {
	specs  []Spec
	byName map[string]*Spec
}

// NewRegistry builds a registry from spec tables. Later tables may not
// redefine a name; a duplicate is a programming error and panics, which the
// package tests catch.
func NewRegistry(tables ...[]Spec) *Registry {
	r := &Registry{byName: map[string]*Spec{}}
	for _, t := range tables {
		r.specs = append(r.specs, t...)
	}
	sort.SliceStable(r.specs, func(i, j int) bool {
		return strings.ToLower(r.specs[i].Name) < strings.ToLower(r.specs[j].Name)
	})
	for i := range r.specs {
		key := strings.ToLower(r.specs[i].Name)
		if _, dup := r.byName[key]; dup {
			panic("apacheconf: directive registered twice: " + r.specs[i].Name)
		}
		r.byName[key] = &r.specs[i]
	}
	return r
}

// DefaultRegistry returns the registry of every directive oidcgate knows.
// It builds a fresh value on each call; callers keep the one they use.
func DefaultRegistry() *Registry {
	return NewRegistry(allSpecTables()...)
}

// Lookup finds a directive by name, case-insensitively. Section names are
// looked up with their '<' ("<location").
func (r *Registry) Lookup(name string) (*Spec, bool) {
	s, ok := r.byName[strings.ToLower(name)]
	return s, ok
}

// Specs returns every spec, sorted by name.
func (r *Registry) Specs() []Spec { return r.specs }

// Suggest returns the registered name closest to name, or "" when nothing
// is close enough to be a likely typo.
func (r *Registry) Suggest(name string) string {
	lname := strings.ToLower(name)
	best, bestDist := "", len(lname)/3+1
	if bestDist > 3 {
		bestDist = 3
	}
	for i := range r.specs {
		cand := r.specs[i].Name
		if r.specs[i].IsSection() != strings.HasPrefix(name, "<") {
			continue
		}
		d := levenshtein(lname, strings.ToLower(cand))
		if d < bestDist || d == bestDist && best == "" {
			best, bestDist = cand, d
		}
	}
	if bestDist == 0 {
		return ""
	}
	return best
}

// levenshtein is the edit distance between a and b (bytes).
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
