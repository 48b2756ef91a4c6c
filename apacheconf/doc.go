// Package apacheconf reads Apache httpd 2.4 configuration the way Apache does
// and compiles it into an immutable, typed model.
//
// Reading mirrors Apache's own phases:
//
//  1. The read pass (Reader) turns files into a tree of Nodes. Like Apache's
//     EXEC_ON_READ directives, Include, IncludeOptional, Define, UnDefine,
//     ServerRoot, LoadModule and the <If*> conditional sections are carried
//     out immediately, in file order, while reading. ${VAR} is expanded on
//     every line before it is split into words.
//  2. The walk pass (Compile) hands every other directive to its handler in
//     tree order, checking it against the directive Registry for context and
//     arity exactly as Apache does, and builds the model (Config, Server,
//     Section, DirConfig).
//
// Every node, and every model value built from one, keeps its Pos (file, line
// and the chain of Include lines that brought it in), so errors, lint output
// and runtime logs can say where something was written.
//
// The package collects every problem instead of stopping at the first one:
// both passes return Diagnostics. It does not import net/http.
package apacheconf
