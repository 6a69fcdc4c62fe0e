package report

import (
	"fmt"
	"math"
	"strings"
)

// Verdict words (docs/specs.md, "Claims"; defined in the README too).
const (
	verdictSupported    = "supported"
	verdictInconclusive = "inconclusive"
	verdictContradicted = "contradicted"
	verdictNotEvaluated = "not evaluated"
)

// claimTest is one test of a declared claim: at one fraction, or against
// a reference gap.
type claimTest struct {
	claim   *Claim
	where   string // "fraction 0.1", or "" for a single test
	what    string // "`a` vs `b`", or the difference of two gaps
	paired  bool   // paired statistics (else Welch, unpaired)
	null    float64
	st      pairedStats // paired: every field; unpaired: n, mean, lo, hi, p
	nRef    int         // unpaired: n of the reference gap
	diverge int         // diverged runs of the compared configurations
	reason  string      // why the test was not evaluated; "" when it was
	holmP   float64
	verdict string // by the 95% interval
	holm    string // by the Holm-adjusted p
}

// claimResult is a claim with its tests and overall verdict.
type claimResult struct {
	claim   *Claim
	tests   []*claimTest
	verdict string
}

// studyLookup finds a rendered study's analysis by name (nil: not run or
// not reported).
type studyLookup func(name string) *analysis

// evaluateClaims evaluates every claim of the study and applies Holm's
// correction across all of the study's tests with a defined p.
func (a *analysis) evaluateClaims(lookup studyLookup) []*claimResult {
	var out []*claimResult
	var all []*claimTest
	for i := range a.study.Options.Claims {
		c := &a.study.Options.Claims[i]
		r := &claimResult{claim: c}
		fs := fractions(a.groups)
		if c.Per == PerFraction {
			for _, f := range fs {
				t := a.claimTest(c, f, lookup)
				t.where = "fraction " + fmtFraction(f)
				r.tests = append(r.tests, t)
			}
		} else if f, ok := pickFraction(c.Fraction, FractionLargest, fs); ok {
			t := a.claimTest(c, f, lookup)
			if len(fs) > 1 {
				t.where = "fraction " + fmtFraction(f)
			}
			r.tests = append(r.tests, t)
		} else {
			r.tests = append(r.tests, &claimTest{claim: c, reason: fmt.Sprintf("the study has no fraction %s", c.Fraction)})
		}
		all = append(all, r.tests...)
		out = append(out, r)
	}
	ps := make([]float64, len(all))
	for i, t := range all {
		ps[i] = math.NaN()
		if t.reason == "" {
			ps[i] = t.st.p
		}
	}
	for i, hp := range Holm(ps) {
		t := all[i]
		t.holmP = hp
		if t.reason != "" {
			t.verdict, t.holm = verdictNotEvaluated, verdictNotEvaluated
			continue
		}
		t.verdict = intervalVerdict(t.claim.Direction, t.null, t.st.lo, t.st.hi)
		t.holm = pVerdict(t.claim.Direction, t.null, t.st.mean, hp)
		if t.claim.Stable && t.diverge > 0 {
			t.verdict, t.holm = verdictContradicted, verdictContradicted
		}
	}
	for _, r := range out {
		r.verdict = overall(r.tests)
	}
	return out
}

// claimNull is the value the gap is tested against: -margin for greater,
// +margin for less.
func claimNull(c *Claim) float64 {
	if c.Direction == Less {
		return c.Margin
	}
	return -c.Margin
}

// one returns the single configuration sel names at fraction f (the best
// on the accuracy on, when on is set) and whether it was chosen among
// several, or a reason.
func one(groups []*group, sel, on string, f float64) (*group, bool, string) {
	gs, chosen := matching(groups, sel, on, f)
	switch {
	case len(gs) == 0 && on != "":
		return nil, false, fmt.Sprintf("no configuration matching %s has a completed run with %s accuracy at fraction %s", code(sel), on, fmtFraction(f))
	case len(gs) == 0:
		return nil, false, fmt.Sprintf("no configuration matches %s at fraction %s", code(sel), fmtFraction(f))
	case len(gs) == 1:
		return gs[0], chosen, ""
	}
	return nil, false, fmt.Sprintf("%s matches %d configurations at fraction %s; name one by its label or set select_on", code(sel), len(gs), fmtFraction(f))
}

// gapAt returns the comparison of the selectors at fraction f in a, each
// reduced to its best configuration on the accuracy on when on is set.
func (a *analysis) gapAt(sa, sb, on string, f float64) (*comparison, string) {
	ga, aChosen, why := one(a.groups, sa, on, f)
	if ga == nil {
		return nil, why
	}
	gb, bChosen, why := one(a.groups, sb, on, f)
	if gb == nil {
		return nil, why
	}
	c := compareChosen(ga, gb, aChosen, bChosen, on)
	if len(c.seeds) == 0 {
		return nil, fmt.Sprintf("%s and %s share no completed seed at fraction %s", code(ga.label), code(gb.label), fmtFraction(f))
	}
	return c, ""
}

// claimTest evaluates claim c at fraction f.
func (a *analysis) claimTest(c *Claim, f float64, lookup studyLookup) *claimTest {
	t := &claimTest{claim: c, null: claimNull(c), paired: true}
	cmp, why := a.gapAt(c.A, c.B, c.SelectOn, f)
	if cmp == nil {
		t.reason = why
		return t
	}
	t.diverge = cmp.a.diverged + cmp.b.diverged
	t.what = cmp.names(" - ")
	d := cmp.diffs[c.Metric]
	if c.Than == nil {
		t.st = pairStats(d, t.null)
		return t
	}
	ref, refName := a, a.study.Name
	if c.Than.Study != "" && c.Than.Study != a.study.Name {
		refName = c.Than.Study
		if ref = lookup(refName); ref == nil {
			t.reason = fmt.Sprintf("study %s has no runs in this report", code(refName))
			return t
		}
	}
	ra, rb := or(c.Than.A, c.A), or(c.Than.B, c.B)
	def := fmtFraction(f)
	if ref != a {
		def = FractionLargest
	}
	rf, ok := pickFraction(c.Than.Fraction, def, fractions(ref.groups))
	if !ok {
		t.reason = fmt.Sprintf("study %s has no fraction %s", code(refName), c.Than.Fraction)
		return t
	}
	rc, why := ref.gapAt(ra, rb, c.SelectOn, rf)
	if rc == nil {
		t.reason = fmt.Sprintf("study %s: %s", code(refName), why)
		return t
	}
	t.what = fmt.Sprintf("(%s) - (%s in %s at fraction %s)", t.what, rc.names(" - "), code(refName), fmtFraction(rf))
	rd := rc.diffs[c.Metric]
	if ref == a {
		// Same study: the two gaps pair by seed.
		var dd []float64
		for i, s := range cmp.seeds {
			for j, rs := range rc.seeds {
				if s == rs {
					dd = append(dd, d[i]-rd[j])
				}
			}
		}
		if len(dd) == 0 {
			t.reason = "the two gaps share no seed"
			return t
		}
		t.st = pairStats(dd, t.null)
		return t
	}
	// Another study: independent samples of per-seed gaps (Welch).
	t.paired = false
	diff, lo, hi, p := WelchTest(shift(d, t.null), rd)
	nan := math.NaN()
	t.st = pairedStats{n: len(d), mean: diff + t.null, lo: lo + t.null, hi: hi + t.null, p: p,
		sd: nan, signP: nan, wilcoxonP: nan, dz: nan, mde: nan}
	t.nRef = len(rd)
	return t
}

// shift returns x - by, elementwise.
func shift(x []float64, by float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v - by
	}
	return out
}

// or returns s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// intervalVerdict compares the 95% interval [lo, hi] with the null value
// in the claimed direction.
func intervalVerdict(direction string, null, lo, hi float64) string {
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return verdictNotEvaluated
	}
	above, below := lo > null, hi < null
	if direction == Less {
		above, below = below, above
	}
	switch {
	case above:
		return verdictSupported
	case below:
		return verdictContradicted
	}
	return verdictInconclusive
}

// pVerdict is the verdict of an adjusted p-value: significant at 0.05 in
// the claimed direction (supported) or against it (contradicted).
func pVerdict(direction string, null, mean, p float64) string {
	switch {
	case math.IsNaN(p):
		return verdictNotEvaluated
	case p >= alpha:
		return verdictInconclusive
	case (mean > null) == (direction == Greater):
		return verdictSupported
	}
	return verdictContradicted
}

// overall combines a claim's tests: contradicted if any test is,
// supported if every test is, not evaluated if any could not be,
// inconclusive otherwise.
func overall(tests []*claimTest) string {
	counts := map[string]int{}
	for _, t := range tests {
		counts[t.verdict]++
	}
	switch {
	case counts[verdictContradicted] > 0:
		return verdictContradicted
	case counts[verdictSupported] == len(tests):
		return verdictSupported
	case counts[verdictNotEvaluated] > 0:
		return verdictNotEvaluated
	}
	return verdictInconclusive
}

// claimLine renders one test for the README's claim list: the quantity,
// the interval and the verdict word.
func (t *claimTest) line() string {
	var b strings.Builder
	if t.where != "" {
		b.WriteString(t.where + ": ")
	}
	if t.reason != "" {
		fmt.Fprintf(&b, "**%s** (%s)", verdictNotEvaluated, t.reason)
		return b.String()
	}
	fmt.Fprintf(&b, "%s %s, 95%% CI %s, n %s, p %s", t.what, fmtGap(t.st.mean), fmtInterval(t.st.lo, t.st.hi), t.nText(), fmtP(t.st.p))
	if t.null != 0 {
		fmt.Fprintf(&b, " (against the null %s)", fmtGap(t.null))
	}
	if t.claim.Paper != nil {
		fmt.Fprintf(&b, " (paper %+g)", *t.claim.Paper)
	}
	fmt.Fprintf(&b, ": **%s**", t.verdict)
	if t.claim.Stable && t.diverge > 0 {
		fmt.Fprintf(&b, " (%d diverged runs)", t.diverge)
	}
	if t.verdict == verdictInconclusive {
		b.WriteString("; " + t.resolveText())
	}
	fmt.Fprintf(&b, "; Holm p %s: %s", fmtP(t.holmP), t.holm)
	return b.String()
}

// nText renders the sample size: n, or n vs the reference's n (unpaired).
func (t *claimTest) nText() string {
	if t.paired {
		return fmt.Sprint(t.st.n)
	}
	return fmt.Sprintf("%d vs %d (unpaired)", t.st.n, t.nRef)
}

// resolveText says how many seeds would resolve the observed gap.
func (t *claimTest) resolveText() string {
	switch {
	case !t.paired:
		return "more seeds in both studies would narrow the interval"
	case t.st.mean == t.null:
		return "the observed gap equals the null value, so no number of seeds resolves it"
	case t.st.resolveN > 0:
		side := "for"
		if (t.st.mean < t.null) != (t.claim.Direction == Less) {
			side = "against"
		}
		return fmt.Sprintf("a true gap of this size, %s the claim, would be detected with 80%% power by %s seeds", side, aboutSeeds(t.st.resolveN))
	}
	return "the observed gap is too small for any practical number of seeds"
}

// aboutSeeds renders an estimated number of seeds at the precision an
// effect size from a few seeds allows: two significant figures, and past a
// thousand only that.
func aboutSeeds(n int) string {
	if n > 1000 {
		return "more than 1000"
	}
	if n >= 100 {
		return fmt.Sprintf("about %d", (n+5)/10*10)
	}
	return fmt.Sprintf("about %d", n)
}

// describe renders the claim for the README: its text or its definition.
func (c *Claim) describe() string {
	def := fmt.Sprintf("%s of %s %s than %s", c.Metric, code(c.A), c.Direction, code(c.B))
	if c.Margin > 0 {
		def += fmt.Sprintf(" within %s", fmtFixed(c.Margin, "%g"))
	}
	if c.Than != nil {
		ref := "another gap"
		if c.Than.Study != "" {
			ref = "the gap in " + code(c.Than.Study)
		} else if f := c.Than.Fraction; f == FractionSmallest || f == FractionLargest {
			ref = "the gap at the " + f + " fraction"
		} else if f != "" {
			ref = "the gap at fraction " + f
		}
		def = fmt.Sprintf("the %s gap %s - %s is %s than %s", c.Metric, code(c.A), code(c.B), c.Direction, ref)
	}
	if c.Stable {
		def += ", no run diverged"
	}
	if c.SelectOn != "" {
		def += ", each side its best configuration on " + c.SelectOn + " accuracy"
	}
	if c.Text != "" {
		return c.Text + " (" + def + ")"
	}
	return def
}
