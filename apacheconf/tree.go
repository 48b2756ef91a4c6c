package apacheconf

import "strings"

// Word is one argument as Apache's word splitter (ap_getword_conf) returns
// it. Quote is the quote character it was written with ('"', '\” or 0).
type Word struct {
	Text  string
	Quote byte
}

// Node is one directive or section of the configuration tree, after the
// read pass: includes are spliced in, conditional sections are resolved
// (their bodies are inlined or dropped) and variables are expanded.
type Node struct {
	// Name is the directive name as written. For a section it keeps the
	// leading '<' ("<Location"), like Apache's own directive records.
	Name string
	// Raw is the argument string after the name, expanded and trimmed. For
	// a section it is cut at the last '>' on the line.
	Raw string
	// Args are Raw split into words.
	Args []Word
	Pos  Pos
	// Children are the nodes inside a section; nil for plain directives.
	Children []*Node
	// Trailing is text that followed a section opener's '>' and that Apache
	// drops silently; lint reports it.
	Trailing string
	// missingGT is set on a section opener without a closing '>', which
	// Apache reports in the walk pass.
	missingGT bool
}

// IsSection reports whether the node is a container such as <Location>.
func (n *Node) IsSection() bool { return strings.HasPrefix(n.Name, "<") }

// Key is the registry key of the node: the name lower-cased, with the '<'
// kept for sections.
func (n *Node) Key() string { return strings.ToLower(n.Name) }

// SectionName returns the display name of a section ("<Location>") or the
// plain directive name.
func (n *Node) SectionName() string {
	if n.IsSection() {
		return n.Name + ">"
	}
	return n.Name
}

// Strings returns the argument texts.
func (n *Node) Strings() []string {
	out := make([]string, len(n.Args))
	for i, w := range n.Args {
		out[i] = w.Text
	}
	return out
}

// Tree is the result of the read pass.
type Tree struct {
	// Nodes are the top-level directives in file order.
	Nodes []*Node
	// Files lists every file read, in reading order, with the include site
	// that brought it in (for configtest --dump-includes).
	Files []IncludedFile
	// Modules is the module set as the read pass left it (LoadModule lines
	// seen, plus the statically compiled ones).
	Modules *ModuleSet
	// Defines are the parameters defined at the end of reading (-D and
	// Define), in definition order; Vars holds Define'd variable values.
	Defines []string
	Vars    map[string]string
	// ServerRoot is the server root at the end of reading.
	ServerRoot string
	// Conditions records every conditional section's decision, for lint.
	Conditions []Condition
	// EnvUsed lists every ${VAR} and where its value came from, for lint.
	EnvUsed []VarUse
	// Strict is Options.Strict: compile exactly as Debian's Apache would,
	// refusing oidcgate's extensions.
	Strict bool
}

// IncludedFile is a file read during the read pass. Depth 0 is the main
// file; Line is the line of the including file.
type IncludedFile struct {
	Path  string
	Depth int
	Line  int
}

// Condition is the outcome of one <IfModule>, <IfDefine>, ... section.
type Condition struct {
	Pos    Pos
	Kind   string // "IfModule", "IfDefine", ...
	Arg    string // as written, including a leading '!'
	Result bool
}

// VarSource says where a ${VAR} value came from.
type VarSource uint8

const (
	VarFromDefine VarSource = iota
	VarFromEnv
	VarUndefined
)

func (s VarSource) String() string {
	switch s {
	case VarFromDefine:
		return "Define"
	case VarFromEnv:
		return "environment"
	default:
		return "undefined"
	}
}

// VarUse is one ${VAR} reference met while reading.
type VarUse struct {
	Pos    Pos
	Name   string
	Source VarSource
}

// Walk calls fn for every node in tree order (parents before children).
// When fn returns false the node's children are skipped.
func Walk(nodes []*Node, fn func(*Node) bool) {
	for _, n := range nodes {
		if fn(n) {
			Walk(n.Children, fn)
		}
	}
}
