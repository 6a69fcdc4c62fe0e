package report

import "slices"

// Selects reports whether the selector sel names the configuration of arm
// with the run label label: sel is the arm's name or exactly the label
// (docs/specs.md, "The report block").
func Selects(sel, arm, label string) bool { return sel == arm || sel == label }

// Named returns the selectors of o that name configurations of its own
// study, each once, in order: the claims' a and b (and those of a `than`
// gap in the same study), the comparisons' a and b, and the reference.
func (o Options) Named() []string {
	var out []string
	add := func(sels ...string) {
		for _, s := range sels {
			if s != "" && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	for _, c := range o.Claims {
		add(c.A, c.B)
		if c.Than != nil && c.Than.Study == "" {
			add(c.Than.A, c.Than.B)
		}
	}
	for _, c := range o.Compare {
		add(c.A, c.B)
	}
	add(o.Reference)
	return out
}
