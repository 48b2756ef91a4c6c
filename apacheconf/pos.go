package apacheconf

import (
	"fmt"
	"strings"
)

// IncludeSite is one step of an include chain: the Include or
// IncludeOptional line that brought a file in.
type IncludeSite struct {
	File string
	Line int
}

// Pos is where a directive was written. Line is the first physical line of
// the logical line and EndLine the last one (they differ when backslash
// continuations join lines); Apache reports EndLine in its own messages.
// Chain lists the include sites from the outermost file inwards.
type Pos struct {
	File    string
	Line    int
	EndLine int
	Chain   []IncludeSite
}

// String renders the position as file:line, or file:first-last for a
// directive that spans several physical lines.
func (p Pos) String() string {
	if p.File == "" {
		return "<unknown>"
	}
	if p.EndLine > p.Line {
		return fmt.Sprintf("%s:%d-%d", p.File, p.Line, p.EndLine)
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// ApacheLine is the line number Apache itself reports for the directive:
// the last physical line of the logical line.
func (p Pos) ApacheLine() int {
	if p.EndLine > 0 {
		return p.EndLine
	}
	return p.Line
}

// ChainString renders the include chain as "a.conf:3 → b.conf:7", or "" for
// a directive in the main file.
func (p Pos) ChainString() string {
	if len(p.Chain) == 0 {
		return ""
	}
	parts := make([]string, len(p.Chain))
	for i, s := range p.Chain {
		parts[i] = fmt.Sprintf("%s:%d", s.File, s.Line)
	}
	return strings.Join(parts, " → ")
}
