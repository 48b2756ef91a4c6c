package apacheconf

// mod_headers: Header and RequestHeader operations.

var headersSpecs = []Spec{}

var headersHandlers = map[string]handler{}

// HeadersDir holds per-directory settings.
type HeadersDir struct{}

// Merge merges add on top of base with Apache's rules.
func (base *HeadersDir) Merge(add *HeadersDir) *HeadersDir {
	if add == nil {
		return base
	}
	return add
}
