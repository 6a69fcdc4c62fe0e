package report

import "slices"

// Selects reports whether the selector sel names the configuration of arm
// with the run label label: sel is the arm's name or exactly the label
// (docs/specs.md, "The report block").
func Selects(sel, arm, label string) bool { return sel == arm || sel == label }

// Named returns the selectors of o that name configurations of its own
// study, each once, in order: the claims' a and b (and those of a `than`
// gap in the same study), the comparisons' a and b, and the reference.
// Those of a claim or comparison with select_on are in choosing (the
// choice needs every configuration they name), the others in plain.
func (o Options) Named() (plain, choosing []string) {
	add := func(to *[]string, selectOn string, sels ...string) {
		if selectOn != "" {
			to = &choosing
		}
		for _, s := range sels {
			if s != "" && !slices.Contains(*to, s) {
				*to = append(*to, s)
			}
		}
	}
	for _, c := range o.Claims {
		add(&plain, c.SelectOn, c.A, c.B)
		if c.Than != nil && c.Than.Study == "" {
			add(&plain, c.SelectOn, c.Than.A, c.Than.B)
		}
	}
	for _, c := range o.Compare {
		add(&plain, c.SelectOn, c.A, c.B)
	}
	add(&plain, "", o.Reference)
	return plain, choosing
}
