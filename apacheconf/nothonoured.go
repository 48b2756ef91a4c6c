package apacheconf

// NotHonoured warns about every directive of the tree that oidcgate does
// not honour although it changes routing or security (lint's critical
// unsupported entries): configtest and serve report them, so that a
// configuration whose RewriteRule (say) is dropped does not start without
// a word to someone who never ran lint.
func NotHonoured(tree *Tree, reg *Registry) Diagnostics {
	var out Diagnostics
	for _, e := range Lint(tree, reg, nil).Entries {
		if e.Status != "unsupported" || !e.Critical {
			continue
		}
		out = append(out, Diagnostic{Severity: SevWarning, Stage: StageWalk, Pos: e.Pos, Directive: e.Directive,
			Msg:  e.Directive + " is not honoured by oidcgate, which changes routing or security: " + e.Why,
			Hint: "oidcgate lint lists every directive oidcgate does not honour"})
	}
	return out
}
