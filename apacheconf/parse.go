package apacheconf

import (
	"fmt"
	"strings"
)

// fileParser turns one file's logical lines into nodes. Sections cannot span
// files: each file starts with an empty section stack.
type fileParser struct {
	r     *reader
	file  string
	chain []IncludeSite
	lines []logicalLine
	i     int
	// unclosed collects the sections still open at the end of the file,
	// innermost first.
	unclosed []*Node
	// condDepth counts the true conditional sections being read; Apache
	// reads their bodies with a fresh section stack and does not complain
	// when the file ends inside one.
	condDepth int
}

func (p *fileParser) pos(l logicalLine) Pos {
	return Pos{File: p.file, Line: l.Line, EndLine: l.EndLine, Chain: p.chain}
}

// readErr records a read-pass error at l.
func (p *fileParser) readErr(l logicalLine, directive, hint, format string, args ...any) {
	p.r.add(SevError, StageRead, p.pos(l), directive, hint, format, args...)
}

// parseBlock reads nodes until the closer of open (or end of file when open
// is nil) and returns them. It consumes the closer.
func (p *fileParser) parseBlock(open *Node) []*Node {
	var nodes []*Node
	for p.i < len(p.lines) && !p.r.stop {
		l := p.lines[p.i]
		p.i++
		if isComment(l.Text) {
			continue
		}
		text := p.r.vars.expand(l.Text, func(name string, src VarSource) {
			p.r.tree.EnvUsed = append(p.r.tree.EnvUsed, VarUse{Pos: p.pos(l), Name: name, Source: src})
			if src == VarUndefined {
				p.r.diags = append(p.r.diags, Diagnostic{Severity: SevWarning, Stage: StageRead, Pos: p.pos(l),
					Code: "AH00111", Msg: "Config variable ${" + name + "} is not defined",
					Hint: "Define it, export it in the environment, or load Debian's envvars (--envvars)"})
			}
		})
		nameW, args := splitDirective(text)
		name := nameW.Text
		if name == "" {
			continue
		}
		if strings.HasPrefix(name, "</") {
			if p.closeSection(l, open, name) {
				return nodes
			}
			continue
		}
		n := &Node{Name: name, Pos: p.pos(l)}
		if strings.HasPrefix(name, "<") {
			if strings.HasSuffix(name, ">") && len(name) > 2 {
				// "<Location>": the '>' is glued to the name and the
				// section has no argument.
				n.Name = strings.TrimSuffix(name, ">")
				args = ">" + args
			}
			raw, trailing, ok := cutSectionArgs(args)
			n.Raw, n.Trailing = raw, trailing
			n.Args = SplitWords(raw)
			if !ok {
				n.missingGT = true
			}
			if kind, isCond := conditionalKinds[strings.ToLower(n.Name)]; isCond {
				nodes = append(nodes, p.conditional(l, n, kind)...)
				continue
			}
			n.Children = p.parseBlock(n)
			if n.Children == nil {
				n.Children = []*Node{}
			}
			nodes = append(nodes, n)
			continue
		}
		n.Raw = args
		n.Args = SplitWords(args)
		nodes = append(nodes, n)
		nodes = append(nodes, p.readTime(l, n)...)
	}
	if open != nil {
		if p.condDepth > 0 {
			p.r.add(SevWarning, StageRead, open.Pos, open.Name, "add the closing </"+open.Name[1:]+"> line; sections cannot span files",
				"%s> was not closed before the end of the file (Apache accepts this silently inside a conditional section)", open.Name)
		} else {
			// Reported once per file by readConfigFile, innermost first.
			p.unclosed = append(p.unclosed, open)
		}
	}
	return nodes
}

// reportUnclosed reports the sections left open at the end of the file as
// Apache does: one error at the outermost opener listing each section,
// innermost first, joined by a literal "\n".
func (p *fileParser) reportUnclosed() {
	if len(p.unclosed) == 0 || p.r.stop {
		return
	}
	msgs := make([]string, len(p.unclosed))
	people := make([]string, len(p.unclosed))
	for i, n := range p.unclosed {
		msgs[i] = fmt.Sprintf("%s:%d: %s> was not closed.", n.Pos.File, n.Pos.ApacheLine(), n.Name)
		people[i] = fmt.Sprintf("%s> (line %d)", n.Name, n.Pos.ApacheLine())
	}
	outer := p.unclosed[len(p.unclosed)-1]
	p.r.add(SevError, StageRead, outer.Pos, outer.Name, "add the closing line of each section; sections cannot span files", "%s", strings.Join(msgs, `\n`))
	// For people: one sentence, without Apache's repeated positions.
	p.r.diags[len(p.r.diags)-1].People = "not closed at the end of the file: " + strings.Join(people, ", ")
}

// closeSection checks a closer against the open section and reports whether
// it closes it. Apache compares names case-insensitively and ignores text
// after the closing word, but the word itself must end with '>'. The body
// of a true conditional section is read like a file of its own: a closer
// other than its own has no matching opener there.
func (p *fileParser) closeSection(l logicalLine, open *Node, word string) bool {
	unmatched := func() {
		p.readErr(l, word, "remove it, or add the matching opener", "%s without matching <%s section", word, word[2:])
	}
	if open == nil {
		unmatched()
		return false
	}
	want := open.Name[1:]
	name := word[2:]
	if strings.EqualFold(name, want+">") {
		return true
	}
	if _, isCond := conditionalKinds[strings.ToLower(open.Name)]; isCond {
		unmatched()
		return false
	}
	if strings.EqualFold(name, want) {
		p.readErr(l, word, "write the closer as </"+want+"> with no space before '>'", "</%s> directive missing closing '>'", want)
		return true
	}
	p.readErr(l, word, "sections must be closed in the order they were opened", "Expected </%s> but saw %s", want, word)
	return true
}

// cutSectionArgs cuts a section opener's argument string at its last '>'.
// It returns the arguments, any text after the '>' (which Apache drops), and
// whether a '>' was found.
func cutSectionArgs(args string) (raw, trailing string, ok bool) {
	i := strings.LastIndexByte(args, '>')
	if i < 0 {
		return strings.TrimSpace(args), "", false
	}
	return strings.TrimSpace(args[:i]), strings.TrimSpace(args[i+1:]), true
}

// skipBlock skips a false conditional's body without expanding or parsing
// it: only section openers and closers are looked at, to find the matching
// closer and to report a mismatched one, as Apache's ap_soak_end_container
// does.
func (p *fileParser) skipBlock(open *Node) {
	var stack []string // names of sections opened inside the skipped body
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		p.i++
		if isComment(l.Text) || l.Text[0] != '<' {
			continue
		}
		w, _ := nextWord(l.Text)
		word := w.Text
		if strings.HasPrefix(word, "</") {
			name := strings.TrimSuffix(strings.TrimPrefix(word, "</"), ">")
			want := open.Name[1:]
			if len(stack) > 0 {
				want = stack[len(stack)-1]
			}
			if !strings.EqualFold(name, want) {
				// Reported at the conditional's line, as Apache does; the
				// closer still counts, so scanning stays in step.
				p.r.add(SevError, StageRead, open.Pos, word, "sections must be closed in the order they were opened", "Expected </%s> but saw %s", want, word)
			}
			if len(stack) == 0 {
				return
			}
			stack = stack[:len(stack)-1]
			continue
		}
		stack = append(stack, strings.TrimSuffix(word[1:], ">"))
	}
	want := open.Name[1:]
	if len(stack) > 0 {
		want = stack[len(stack)-1]
	}
	p.r.add(SevError, StageRead, open.Pos, open.Name, "add the closing </"+want+"> line; sections cannot span files",
		"Expected </%s> before end of configuration", want)
}
