package apacheconf

import (
	"strings"
)

// LintEntry is one directive of the migration report.
type LintEntry struct {
	Pos       Pos    `json:"-"`
	Location  string `json:"location"`
	Directive string `json:"directive"`
	Module    string `json:"module,omitempty"`
	Status    string `json:"status"` // supported, ignored, unsupported, unknown
	Why       string `json:"why,omitempty"`
	Notable   bool   `json:"notable,omitempty"`
	Critical  bool   `json:"critical,omitempty"`
}

// LintDiag is a diagnostic in the report.
type LintDiag struct {
	Location  string `json:"location"`
	Severity  string `json:"severity"`
	Directive string `json:"directive,omitempty"`
	Message   string `json:"message"`
	Hint      string `json:"hint,omitempty"`
}

// LintReport is oidcgate's migration report for a configuration.
type LintReport struct {
	Entries     []LintEntry    `json:"directives"`
	Diagnostics []LintDiag     `json:"diagnostics"`
	Counts      map[string]int `json:"counts"`
	// Exit is the report's verdict: 0 everything honoured, 1 something
	// ignored or unsupported that the user should know about, 2 something
	// unsupported that changes routing or security, or an invalid config.
	Exit int `json:"exit"`
}

// Lint builds the migration report from a read tree and the diagnostics of
// reading and compiling it.
func Lint(tree *Tree, reg *Registry, diags Diagnostics) *LintReport {
	rep := &LintReport{Counts: map[string]int{}}
	inDir := perDirNodes(tree.Nodes)
	Walk(tree.Nodes, func(n *Node) bool {
		e := LintEntry{Pos: n.Pos, Location: n.Pos.String(), Directive: n.SectionName()}
		spec, ok := reg.Lookup(n.Name)
		switch {
		case !ok:
			e.Status, e.Why = "unknown", "not a directive oidcgate knows"
		case !tree.Modules.HasModule(spec.Module):
			e.Status, e.Module = "unknown", spec.Module
			e.Why = spec.Module + " is not loaded"
		default:
			e.Module, e.Status, e.Why = spec.Module, spec.Status.String(), spec.Reason
			e.Notable, e.Critical = spec.Notable, spec.Critical
			if p, ok := logArgPolicy(n, inDir[n]); ok {
				e.Status, e.Why, e.Critical, e.Notable = p.Status.String(), p.Reason, p.Critical, p.Notable
			}
			// The status in effect counts: a value the argument policy
			// accepts is not notable even when other values are.
			if e.Status == "unsupported" || e.Status == "planned" {
				e.Notable = true
			}
		}
		if hashArgs(n) {
			diags = append(diags, Diagnostic{Severity: SevWarning, Stage: StageWalk, Pos: n.Pos, Directive: n.Name,
				Msg:  "an argument starts with '#': Apache has no trailing comments, so it is passed to " + n.Name + " as arguments",
				Hint: "move the comment to a line of its own"})
		}
		rep.Counts[e.Status]++
		rep.Entries = append(rep.Entries, e)
		switch {
		case e.Status == "unsupported" && e.Critical, e.Status == "unknown":
			rep.Exit = max(rep.Exit, 2)
		case e.Notable:
			rep.Exit = max(rep.Exit, 1)
		}
		return true
	})
	for _, c := range tree.Conditions {
		diags = append(diags, Diagnostic{Severity: SevInfo, Pos: c.Pos, Directive: "<" + c.Kind,
			Msg: "<" + c.Kind + " " + c.Arg + "> is " + map[bool]string{true: "true: its contents are used", false: "false: its contents are skipped"}[c.Result]})
	}
	for _, u := range tree.EnvUsed {
		diags = append(diags, Diagnostic{Severity: SevInfo, Pos: u.Pos, Msg: "${" + u.Name + "} comes from " + u.Source.String()})
	}
	sorted := diags.Sorted()
	for _, d := range sorted {
		sev := d.Severity.String()
		if d.ApacheOnly {
			sev = "warning" // Apache refuses it; oidcgate does not need it
		}
		msg := d.Msg
		if d.People != "" {
			msg = d.People
		}
		rep.Diagnostics = append(rep.Diagnostics, LintDiag{Location: d.Pos.String(), Severity: sev,
			Directive: d.Directive, Message: msg, Hint: d.Hint})
		rep.Counts[sev+"s"]++
		if sev == "error" {
			rep.Exit = 2
		}
	}
	return rep
}

// hashArgs reports whether a directive has an argument that looks like a
// trailing comment.
func hashArgs(n *Node) bool {
	for _, w := range n.Args {
		if w.Quote == 0 && strings.HasPrefix(w.Text, "#") {
			return true
		}
	}
	return false
}
