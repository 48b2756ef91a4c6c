package apacheconf

import (
	"sort"
	"strings"
)

// MergeGroup is one of the five groups in which Apache merges sections for
// a request (sections.html, request.c).
type MergeGroup uint8

const (
	// GroupDirectory: <Directory> (non-regex), shortest path first, then
	// file order; <Proxy> takes its place for proxied requests.
	GroupDirectory MergeGroup = iota
	// GroupDirectoryMatch: <DirectoryMatch> and <Directory ~>, file order.
	GroupDirectoryMatch
	// GroupFiles: <Files> and <FilesMatch> together, file order.
	GroupFiles
	// GroupLocation: <Location> and <LocationMatch> together, file order
	// (not by specificity).
	GroupLocation
	// GroupIf: <If>/<ElseIf>/<Else>, wherever nested, file order.
	GroupIf
)

var mergeGroupNames = [...]string{"Directory", "DirectoryMatch", "Files", "Location", "If"}

func (g MergeGroup) String() string { return mergeGroupNames[g] }

// Group returns the merge group a section belongs to; <Proxy> sections are
// merged in the Directory group, as Apache does for proxied requests.
// <Limit> sections are not scopes and report false.
func (s *Section) Group() (MergeGroup, bool) {
	switch s.Kind {
	case SecDirectory, SecProxy:
		return GroupDirectory, true
	case SecDirectoryMatch, SecProxyMatch:
		return GroupDirectoryMatch, true
	case SecFiles, SecFilesMatch:
		return GroupFiles, true
	case SecLocation, SecLocationMatch:
		return GroupLocation, true
	case SecIf, SecElseIf, SecElse:
		return GroupIf, true
	}
	return 0, false
}

// MergeOrder returns the server's sections (nested ones included) in the
// order Apache would merge them if all matched: by group, and within a
// group in file order — the main server's before a virtual host's, nested
// sections after the non-nested ones of their group — except that
// non-regex <Directory> sections go shortest path first (by number of path
// components).
func (s *Server) MergeOrder() []*Section {
	type item struct {
		sec    *Section
		nested bool
		index  int
	}
	var items []item
	var collect func(secs []*Section, nested bool)
	collect = func(secs []*Section, nested bool) {
		for _, sec := range secs {
			if _, ok := sec.Group(); ok {
				items = append(items, item{sec, nested, len(items)})
			}
			collect(sec.Nested, true)
		}
	}
	collect(s.Sections, false)
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		ga, _ := a.sec.Group()
		gb, _ := b.sec.Group()
		if ga != gb {
			return ga < gb
		}
		if a.nested != b.nested && ga != GroupIf {
			return !a.nested
		}
		if ga == GroupDirectory && a.sec.Kind == SecDirectory && b.sec.Kind == SecDirectory {
			da, db := pathDepth(a.sec.Arg), pathDepth(b.sec.Arg)
			if da != db {
				return da < db
			}
		}
		return a.index < b.index
	})
	out := make([]*Section, len(items))
	for i, it := range items {
		out[i] = it.sec
	}
	return out
}

// pathDepth counts path components as Apache's ap_count_dirs does.
func pathDepth(p string) int {
	return strings.Count(strings.TrimSuffix(p, "/"), "/")
}
