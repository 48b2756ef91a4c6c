package expr

import "regexp"

// compileRegex compiles an ap_expr regex (PCRE in Apache) with Go's
// RE2. Apache compiles with its default options AP_REG_DOTALL and
// AP_REG_DOLLAR_ENDONLY (RegexDefaultOptions unset): '.' matches a
// newline, and '$' matches only at the very end — which is Go's '$'
// already, so only the s flag is added.
func compileRegex(pat string, icase bool) (*regexp.Regexp, error) {
	flags := "(?s)"
	if icase {
		flags = "(?is)"
	}
	return regexp.Compile(flags + pat)
}
