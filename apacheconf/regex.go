package apacheconf

import (
	"regexp"
	"strings"
)

// compileRegex compiles a configuration regex as Apache's ap_pregcomp
// does with its default options (RegexDefaultOptions unset:
// AP_REG_DOTALL | AP_REG_DOLLAR_ENDONLY): '.' matches a newline — which a
// request path holds when it decodes %0A — and '$' matches only at the
// very end, which is Go's '$' already. prefix holds further flags such
// as "(?i)".
func compileRegex(prefix, pat string) (*regexp.Regexp, error) {
	return regexp.Compile("(?s)" + prefix + pat)
}

// regexSource is the pattern as written in the configuration, without
// the flags compileRegex adds.
func regexSource(re *regexp.Regexp) string {
	return strings.TrimPrefix(re.String(), "(?s)")
}
