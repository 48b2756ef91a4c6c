package apacheconf

import (
	"bytes"
	"strings"
)

// logicalLine is one directive line after continuation joining and
// trimming, before variable expansion.
type logicalLine struct {
	Text    string
	Line    int // first physical line
	EndLine int // last physical line (what Apache reports)
}

// splitLines turns file contents into logical lines the way Apache's
// ap_cfg_getline does: a backslash immediately before the newline (or
// before "\r\n") joins the next physical line, with the backslash removed
// and nothing else; the result is trimmed of surrounding white space.
// Comment and blank lines are returned too (as empty or '#' lines) so that
// callers can tell them apart; isComment says which.
func splitLines(data []byte) []logicalLine {
	var out []logicalLine
	var cur bytes.Buffer
	start, lineNo := 0, 0
	for len(data) > 0 {
		lineNo++
		var phys []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			phys, data = data[:i], data[i+1:]
		} else {
			phys, data = data, nil
		}
		if cur.Len() == 0 {
			start = lineNo
		}
		phys = bytes.TrimSuffix(phys, []byte{'\r'})
		if len(phys) > 0 && phys[len(phys)-1] == '\\' && len(data) > 0 {
			cur.Write(phys[:len(phys)-1])
			continue
		}
		cur.Write(phys)
		out = append(out, logicalLine{Text: strings.TrimSpace(cur.String()), Line: start, EndLine: lineNo})
		cur.Reset()
	}
	if cur.Len() > 0 {
		out = append(out, logicalLine{Text: strings.TrimSpace(cur.String()), Line: start, EndLine: lineNo})
	}
	return out
}

// isComment reports whether a trimmed logical line is blank or a comment.
// Only a line whose first non-blank character is '#' is a comment: Apache
// has no trailing comments.
func isComment(text string) bool {
	return text == "" || text[0] == '#'
}

// nextWord splits one word off s the way Apache's ap_getword_conf does and
// returns it with the rest of the string (leading white space removed).
//
// A word starting with a quote runs to the next unescaped occurrence of the
// same quote (or the end of the line); inside, only \<quote> and \\ are
// unescaped. The closing quote ends the word even when a non-space follows.
// An unquoted word runs to the next white space, with \\ collapsed to \ and
// every other backslash kept.
func nextWord(s string) (Word, string) {
	s = strings.TrimLeft(s, " \t\r\n\v\f")
	if s == "" {
		return Word{}, ""
	}
	var b strings.Builder
	if q := s[0]; q == '"' || q == '\'' {
		i := 1
		for i < len(s) && s[i] != q {
			if s[i] == '\\' && i+1 < len(s) && (s[i+1] == q || s[i+1] == '\\') {
				b.WriteByte(s[i+1])
				i += 2
				continue
			}
			b.WriteByte(s[i])
			i++
		}
		if i < len(s) {
			i++ // closing quote
		}
		return Word{Text: b.String(), Quote: q}, strings.TrimLeft(s[i:], " \t\r\n\v\f")
	}
	i := 0
	for i < len(s) && !isSpace(s[i]) {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == '\\' {
			b.WriteByte('\\')
			i += 2
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return Word{Text: b.String()}, strings.TrimLeft(s[i:], " \t\r\n\v\f")
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// SplitWords splits an argument string into words with Apache's rules.
func SplitWords(s string) []Word {
	var out []Word
	for {
		s = strings.TrimLeft(s, " \t\r\n\v\f")
		if s == "" {
			return out
		}
		var w Word
		w, s = nextWord(s)
		out = append(out, w)
	}
}

// splitDirective splits a logical line into the directive name and the
// argument string.
func splitDirective(line string) (name Word, args string) {
	return nextWord(line)
}
