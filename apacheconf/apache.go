package apacheconf

import (
	"fmt"
	"strings"
	"time"
)

// ApacheResult renders what `apache2 -t` would print on stderr for these
// diagnostics, and its exit status. prog is the program name Apache puts in
// read-pass errors ("apache2"). Apache stops at the first error of the
// first pass that fails: read errors win over walk errors, which win over
// post-config check errors. mods may be nil; when it is given and no MPM
// was loaded, Apache's "No MPM loaded" error comes between the two passes.
func ApacheResult(ds Diagnostics, mods *ModuleSet, prog string, now time.Time) (string, int) {
	var b strings.Builder
	// Apache logs warnings as it meets them and stops at the first error:
	// print the warnings met before the error that ends the run.
	stop := len(ds)
	for _, st := range []Stage{StageRead, StageWalk, StageCheck} {
		if i := indexOfStage(ds, st); i >= 0 {
			stop = i
			break
		}
	}
	for _, d := range ds[:stop] {
		if d.Severity == SevWarning && d.Code != "" {
			fmt.Fprintf(&b, "[%s] [%s] [pid 1:tid 1] %s: %s\n", now.Format("Mon Jan 02 15:04:05.000000 2006"), logTag(d.Code), d.Code, d.Msg)
		}
	}
	if d, ok := firstOfStage(ds, StageRead); ok {
		if d.Pos.Line == 0 {
			fmt.Fprintf(&b, "%s: %s\n", prog, d.Msg)
			return b.String(), 1
		}
		b.WriteString(prog + ": ")
		for _, s := range d.Pos.Chain {
			fmt.Fprintf(&b, "Syntax error on line %d of %s: ", s.Line, s.File)
		}
		fmt.Fprintf(&b, "Syntax error on line %d of %s: %s\n", d.Pos.ApacheLine(), d.Pos.File, d.Msg)
		return b.String(), 1
	}
	if mods != nil && !mods.All && !mods.HasMPM() {
		fmt.Fprintf(&b, "AH00534: %s: Configuration error: No MPM loaded.\n", prog)
		return b.String(), 1
	}
	if d, ok := firstOfStage(ds, StageWalk); ok {
		fmt.Fprintf(&b, "AH00526: Syntax error on line %d of %s:\n%s\n", d.Pos.ApacheLine(), d.Pos.File, d.Msg)
		return b.String(), 1
	}
	if d, ok := firstOfStage(ds, StageCheck); ok {
		code := d.Code
		if code != "" {
			code += ": "
		}
		fmt.Fprintf(&b, "%s%s\nAH00014: Configuration check failed\n", code, d.Msg)
		return b.String(), 1
	}
	b.WriteString("Syntax OK\n")
	return b.String(), 0
}

func firstOfStage(ds Diagnostics, st Stage) (Diagnostic, bool) {
	if i := indexOfStage(ds, st); i >= 0 {
		return ds[i], true
	}
	return Diagnostic{}, false
}

func indexOfStage(ds Diagnostics, st Stage) int {
	for i, d := range ds {
		if d.Severity == SevError && d.Stage == st {
			return i
		}
	}
	return -1
}

// logTag is the [module:level] Apache's error log prints for a message.
func logTag(code string) string {
	switch code {
	case "AH01574":
		return "so:warn"
	case "AH00547":
		return "core:error"
	}
	return "core:warn"
}
