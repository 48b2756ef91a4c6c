package apacheconf

// coreSpecs are the structural core directives handled by the reader and the
// compiler itself: sections, Include, Define, conditionals, modules, virtual
// hosts and names.
var coreSpecs = []Spec{}

var coreHandlers = map[string]handler{}
