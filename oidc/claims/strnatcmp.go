package claims

// This file reproduces APR 1.7's apr_strnatcmp ("natural order" string
// comparison, strings/apr_strnatcmp.c), which 2.4.12.3 uses wherever it
// compares a claim value with a Require claim value and to decide whether
// the array rendering buffer is still "empty". Its equality is not byte
// equality:
//
//   - white space (C isspace: space, \t, \n, \v, \f, \r) is skipped before
//     every character comparison, so "ad min " equals "admin";
//   - runs of digits are compared as numbers in a way that makes differing
//     runs unequal; a run of digits followed by white space in one string
//     and by another digit in the other is unequal ("1 2" ≠ "12") although
//     "1 a" equals "1a".
//
// The comparison of the non-digit bytes is on C's (signed on amd64) char.

func cIsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// at returns s[i] or NUL past the end, as reading a C string does.
func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// natRight compares two digit runs that do not start with '0': the longer
// run wins, then the first differing digit.
func natRight(a, b string, ai, bi int) int {
	bias := 0
	for ; ; ai, bi = ai+1, bi+1 {
		ca, cb := at(a, ai), at(b, bi)
		da, db := isDigit(ca), isDigit(cb)
		switch {
		case !da && !db:
			return bias
		case !da:
			return -1
		case !db:
			return +1
		case ca < cb:
			if bias == 0 {
				bias = -1
			}
		case ca > cb:
			if bias == 0 {
				bias = +1
			}
		}
	}
}

// natLeft compares two digit runs of which one starts with '0' digit by
// digit.
func natLeft(a, b string, ai, bi int) int {
	for ; ; ai, bi = ai+1, bi+1 {
		ca, cb := at(a, ai), at(b, bi)
		da, db := isDigit(ca), isDigit(cb)
		switch {
		case !da && !db:
			return 0
		case !da:
			return -1
		case !db:
			return +1
		case ca < cb:
			return -1
		case ca > cb:
			return +1
		}
	}
}

// strnatcmp is apr_strnatcmp.
func strnatcmp(a, b string) int {
	ai, bi := 0, 0
	for {
		ca, cb := at(a, ai), at(b, bi)
		for cIsSpace(ca) {
			ai++
			ca = at(a, ai)
		}
		for cIsSpace(cb) {
			bi++
			cb = at(b, bi)
		}
		if isDigit(ca) && isDigit(cb) {
			var r int
			if ca == '0' || cb == '0' {
				r = natLeft(a, b, ai, bi)
			} else {
				r = natRight(a, b, ai, bi)
			}
			if r != 0 {
				return r
			}
		}
		if ca == 0 && cb == 0 {
			return 0
		}
		sa, sb := int8(ca), int8(cb)
		if sa < sb {
			return -1
		}
		if sa > sb {
			return +1
		}
		ai++
		bi++
	}
}

// natEqual reports apr_strnatcmp(a, b) == 0.
func natEqual(a, b string) bool { return strnatcmp(a, b) == 0 }
