package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/neuroplastic/neuroplastic/harness/store"
)

// outcome is one counted (completed) run's final and best numbers.
type outcome struct {
	seed      int64
	finalAcc  float64 // test accuracy of the last epoch
	finalLoss float64 // test loss of the last epoch
	bestAcc   float64 // max test accuracy over epochs
	valAcc    float64 // val_acc of the last epoch; NaN without a validation hold-out
	metrics   []store.EpochMetrics
}

// excludedRun is a run that does not enter the statistics, with the reason.
type excludedRun struct {
	run    store.Run
	reason string
}

// group is the runs of one configuration label at one data fraction.
type group struct {
	fraction  float64
	label     string
	arm       string
	optimizer json.RawMessage // canonical optimizer JSON of the group's first run
	done      []outcome       // completed runs, by seed
	excluded  []excludedRun   // runs of any other status, by seed
	diverged  int             // how many of excluded diverged
	final     Sample          // final test accuracy across done
	best      Sample          // best test accuracy across done
	loss      Sample          // final test loss across done
	val       Sample          // final val_acc across the done runs that have one
}

// runOutcome returns the final and best numbers of a completed run, or ok
// false when it has neither metrics nor a final summary.
func runOutcome(r store.Run) (o outcome, ok bool) {
	o = outcome{seed: r.Config.Seed, metrics: r.Metrics, valAcc: math.NaN()}
	switch {
	case len(r.Metrics) > 0:
		last := r.Metrics[len(r.Metrics)-1]
		o.finalAcc, o.finalLoss = last.TestAcc, last.TestLoss
		if r.Config.Holdout > 0 {
			o.valAcc = last.ValAcc
		}
		o.bestAcc = math.Inf(-1)
		for _, m := range r.Metrics {
			o.bestAcc = math.Max(o.bestAcc, m.TestAcc)
		}
	case r.Summary != nil && r.Summary.Final != nil:
		o.finalAcc, o.finalLoss = r.Summary.Final.TestAcc, r.Summary.Final.TestLoss
		o.bestAcc = r.Summary.BestAcc
		if r.Config.Holdout > 0 {
			o.valAcc = r.Summary.Final.ValAcc
		}
	default:
		return o, false
	}
	return o, true
}

// exclusionReason says why a run that is not counted was left out.
func exclusionReason(r store.Run) string {
	switch r.Status {
	case store.Diverged:
		return fmt.Sprintf("diverged after %d completed epochs", len(r.Metrics))
	case store.Failed:
		if r.Summary != nil && r.Summary.Error != "" {
			return "failed: " + r.Summary.Error
		}
		return "failed"
	case store.Partial:
		return fmt.Sprintf("partial (%d epochs so far)", len(r.Metrics))
	case store.Completed:
		return "completed but no metrics recorded"
	case store.Damaged:
		return fmt.Sprintf("damaged: %s (fix: %s)", r.Damage.Reason, r.Damage.Fix)
	default:
		return r.Status
	}
}

// groupRuns splits runs into groups by (fraction, label), sorted by
// fraction then label, each with its outcomes sorted by seed and its
// statistics computed.
func groupRuns(runs []store.Run) []*group {
	var groups []*group
	find := func(fraction float64, label string) *group {
		for _, g := range groups {
			if g.fraction == fraction && g.label == label {
				return g
			}
		}
		return nil
	}
	for _, r := range runs {
		g := find(r.Config.Fraction, r.Config.Label)
		if g == nil {
			g = &group{fraction: r.Config.Fraction, label: r.Config.Label, arm: r.Config.Arm, optimizer: r.Config.Optimizer}
			groups = append(groups, g)
		}
		o, ok := runOutcome(r)
		if r.Status == store.Completed && ok {
			g.done = append(g.done, o)
			continue
		}
		g.excluded = append(g.excluded, excludedRun{run: r, reason: exclusionReason(r)})
		if r.Status == store.Diverged {
			g.diverged++
		}
	}
	slices.SortFunc(groups, func(a, b *group) int {
		return cmp.Or(cmp.Compare(a.fraction, b.fraction), cmp.Compare(a.label, b.label))
	})
	for _, g := range groups {
		slices.SortStableFunc(g.done, func(a, b outcome) int { return cmp.Compare(a.seed, b.seed) })
		slices.SortStableFunc(g.excluded, func(a, b excludedRun) int { return cmp.Compare(a.run.Config.Seed, b.run.Config.Seed) })
		g.final = Describe(collect(g.done, func(o outcome) float64 { return o.finalAcc }))
		g.best = Describe(collect(g.done, func(o outcome) float64 { return o.bestAcc }))
		g.loss = Describe(collect(g.done, func(o outcome) float64 { return o.finalLoss }))
		var val []float64
		for _, o := range g.done {
			if !math.IsNaN(o.valAcc) {
				val = append(val, o.valAcc)
			}
		}
		g.val = Describe(val)
	}
	return groups
}

// collect returns f of every outcome, in order.
func collect(os []outcome, f func(outcome) float64) []float64 {
	x := make([]float64, len(os))
	for i, o := range os {
		x[i] = f(o)
	}
	return x
}

// fractions returns the distinct fractions of groups in increasing order.
func fractions(groups []*group) []float64 {
	var fs []float64
	for _, g := range groups {
		if !slices.Contains(fs, g.fraction) {
			fs = append(fs, g.fraction)
		}
	}
	slices.Sort(fs)
	return fs
}

// metricOf returns the named per-run metric of o (MetricFinalAcc,
// MetricBestAcc or MetricFinalLoss).
func metricOf(o outcome, metric string) float64 {
	switch metric {
	case MetricBestAcc:
		return o.bestAcc
	case MetricFinalLoss:
		return o.finalLoss
	}
	return o.finalAcc
}

// sampleOf returns the group's statistics of the named per-run metric.
func (g *group) sampleOf(metric string) Sample {
	switch metric {
	case MetricBestAcc:
		return g.best
	case MetricFinalLoss:
		return g.loss
	}
	return g.final
}

// matches reports whether the selector names g: its arm or its label.
func (g *group) matches(sel string) bool { return Selects(sel, g.arm, g.label) }

// score is the sample a choice on the accuracy on ranks g by: the final
// val_acc for validation, else the final test accuracy.
func (g *group) score(on string) Sample {
	if on == SelectValidation {
		return g.val
	}
	return g.final
}

// rankBy sorts groups by the mean of their score on the accuracy on,
// descending, then by label and fraction: means within tieTolerance of each
// other tie (they differ only by rounding). Groups with a run that did not
// complete (diverged, failed, unfinished) go after the complete ones, so a
// configuration is never chosen on the seeds that survived; groups without
// a score go last.
func rankBy(groups []*group, on string) []*group {
	out := slices.Clone(groups)
	class := func(g *group) int {
		switch {
		case g.score(on).N == 0:
			return 2
		case len(g.excluded) > 0:
			return 1
		}
		return 0
	}
	slices.SortStableFunc(out, func(a, b *group) int {
		if c := cmp.Compare(class(a), class(b)); c != 0 {
			return c
		}
		sa, sb := a.score(on), b.score(on)
		byMean := 0
		if math.Abs(sa.Mean-sb.Mean) >= tieTolerance {
			byMean = cmp.Compare(sb.Mean, sa.Mean)
		}
		return cmp.Or(byMean, cmp.Compare(a.label, b.label), cmp.Compare(a.fraction, b.fraction))
	})
	return out
}

// best returns the group of groups with the best mean score on the
// accuracy on (see rankBy; ties: the first label), or nil when none has a
// score.
func best(groups []*group, on string) *group {
	if r := rankBy(groups, on); len(r) > 0 && r[0].score(on).N > 0 {
		return r[0]
	}
	return nil
}

// matching returns the groups at fraction f that sel names, in order. With
// on set (test or validation) it returns only the best of them on that
// accuracy, and chosen reports that it chose among several.
func matching(groups []*group, sel, on string, f float64) (out []*group, chosen bool) {
	for _, g := range groups {
		if g.fraction == f && g.matches(sel) {
			out = append(out, g)
		}
	}
	if on == "" {
		return out, false
	}
	if b := best(out, on); b != nil {
		return []*group{b}, len(out) > 1
	}
	return nil, false
}

// chosenNote is the note that a selector's configuration was chosen on the
// accuracy on among its grid points.
func chosenNote(on string) string { return " (chosen on " + on + ")" }

// pickFraction resolves a fraction selector (smallest, largest, a number,
// or "" for def) against the study's fractions fs.
func pickFraction(sel, def string, fs []float64) (float64, bool) {
	if sel == "" {
		sel = def
	}
	if len(fs) == 0 {
		return 0, false
	}
	switch sel {
	case FractionSmallest:
		return fs[0], true
	case FractionLargest:
		return fs[len(fs)-1], true
	}
	x, err := strconv.ParseFloat(sel, 64)
	if err != nil || !slices.Contains(fs, x) {
		return 0, false
	}
	return x, true
}

// comparison is a paired comparison of group a against group b on the
// seeds both completed; differences are a minus b.
type comparison struct {
	a, b  *group
	aNote string // chosenNote when a was chosen among its selector's grid points
	bNote string // likewise for b
	seeds []int64
	diffs map[string][]float64 // per metric, per shared seed
	final pairedStats          // of the final test accuracy differences
}

// compare pairs a and b on their shared seeds.
func compare(a, b *group) *comparison {
	c := &comparison{a: a, b: b, diffs: map[string][]float64{}}
	for _, oa := range a.done {
		i := slices.IndexFunc(b.done, func(ob outcome) bool { return ob.seed == oa.seed })
		if i < 0 {
			continue
		}
		c.seeds = append(c.seeds, oa.seed)
		for _, m := range finalMetrics {
			c.diffs[m] = append(c.diffs[m], metricOf(oa, m)-metricOf(b.done[i], m))
		}
	}
	c.final = pairStats(c.diffs[MetricFinalAcc], 0)
	return c
}

// names renders the two configurations, with their choice notes, joined
// by sep.
func (c *comparison) names(sep string) string {
	return code(c.a.label) + c.aNote + sep + code(c.b.label) + c.bNote
}

// gap returns the mean difference of the metric.
func (c *comparison) gap(metric string) float64 { return Describe(c.diffs[metric]).Mean }

// pairedStats are the statistics of per-seed differences d tested against
// a null value (docs/specs.md, "Claims").
type pairedStats struct {
	n                  int
	wins, ties, losses int     // of d - null
	mean, sd           float64 // of d
	lo, hi             float64 // 95% t interval of the mean of d
	p                  float64 // paired t-test of d against null, two-sided
	signP, wilcoxonP   float64 // exact sign test and signed-rank test of d - null
	dz                 float64 // effect size (mean - null) / sd
	mde                float64 // smallest gap detectable with 80% power at this n and sd
	resolveN           int     // n at which the observed gap has 80% power; 0 unknown
}

// pairStats computes the statistics of d against null.
func pairStats(d []float64, null float64) pairedStats {
	s := Describe(d)
	shifted := make([]float64, len(d))
	for i, v := range d {
		shifted[i] = v - null
	}
	st := pairedStats{n: s.N, mean: s.Mean, sd: s.Std, lo: s.Lo, hi: s.Hi,
		signP: SignTest(shifted), wilcoxonP: Wilcoxon(shifted), dz: math.NaN(),
		mde: MinDetectable(s.N, s.Std), resolveN: ResolvingN(s.Mean-null, s.Std)}
	st.wins, st.ties, st.losses = Tally(shifted)
	_, st.p = PairedTTest(shifted)
	if s.Std > 0 {
		st.dz = (s.Mean - null) / s.Std
	}
	return st
}

// tuning is the analysis of a ranked study.
type tuning struct {
	on       string      // the accuracy of the ranking: test or validation
	ranked   []*group    // by mean final accuracy on on, descending; groups without it last
	selected *group      // best candidate on on; nil if none
	other    *group      // best candidate on the other accuracy; nil without validation metrics
	ref      *group      // the reference configuration; nil if none is declared or found
	vsRef    *comparison // selected vs reference; nil if a side is missing or they are one
	among    int         // the candidate configurations with runs
}

// otherOn is the accuracy the tuning's second selection uses.
func (t *tuning) otherOn() string {
	if t.on == SelectValidation {
		return SelectTest
	}
	return SelectValidation
}

// marks returns the tuning marks of g: best and/or reference.
func (t *tuning) marks(g *group) []string {
	var m []string
	if g == t.selected {
		m = append(m, markSelected)
	}
	if g == t.other {
		m = append(m, "best on "+t.otherOn())
	}
	if g == t.ref {
		m = append(m, markReference)
	}
	return m
}

// analyseTuning ranks the configurations on the accuracy o.SelectOn, picks
// the best candidate on it (and, when validation metrics exist, on the
// other accuracy too) and finds the reference.
func analyseTuning(groups []*group, o Options, hasVal bool) *tuning {
	t := &tuning{on: or(o.SelectOn, SelectTest)}
	t.ranked = rankBy(groups, t.on)
	var candidates []*group
	for _, g := range t.ranked {
		if o.Reference != "" && t.ref == nil && g.matches(o.Reference) {
			t.ref = g
		}
		if o.Candidates == "" || g.matches(o.Candidates) {
			candidates = append(candidates, g)
		}
	}
	t.selected, t.among = best(candidates, t.on), len(candidates)
	if hasVal {
		t.other = best(candidates, t.otherOn())
	}
	if t.selected != nil && t.ref != nil && t.selected != t.ref {
		t.vsRef = compare(t.selected, t.ref)
	}
	return t
}

// pairedRow is one row of a comparison table: a configuration of a
// against one of b at a fraction, or a note that a side is missing.
type pairedRow struct {
	fraction float64
	cmp      *comparison
	missing  string // why cmp is nil
}

// comparisonRows pairs every configuration of c.A with every one of c.B
// at every fraction.
func comparisonRows(groups []*group, c Comparison) []pairedRow {
	var rows []pairedRow
	for _, f := range fractions(groups) {
		as, aChosen := matching(groups, c.A, c.SelectOn, f)
		bs, bChosen := matching(groups, c.B, c.SelectOn, f)
		if len(as) == 0 || len(bs) == 0 {
			rows = append(rows, pairedRow{fraction: f, missing: fmt.Sprintf("%s vs %s: %s", c.A, c.B, missingSide(as, c.A, c.B, c.SelectOn))})
			continue
		}
		for _, a := range as {
			for _, b := range bs {
				if a != b {
					rows = append(rows, pairedRow{fraction: f, cmp: compareChosen(a, b, aChosen, bChosen, c.SelectOn)})
				}
			}
		}
	}
	return rows
}

// compareChosen compares a with b, noting which side was chosen on the
// accuracy on.
func compareChosen(a, b *group, aChosen, bChosen bool, on string) *comparison {
	c := compare(a, b)
	if aChosen {
		c.aNote = chosenNote(on)
	}
	if bChosen {
		c.bNote = chosenNote(on)
	}
	return c
}

// missingSide says which selector matched nothing.
func missingSide(as []*group, a, b, on string) string {
	side := b
	if len(as) == 0 {
		side = a
	}
	if on != "" {
		return fmt.Sprintf("no configuration matching %s has a completed run with %s accuracy", code(side), on)
	}
	return "no configuration matches " + code(side)
}

// orderArms returns groups sorted by fraction, then by the position of
// their arm in arms (others after, by name), then label.
func orderArms(groups []*group, arms []string) []*group {
	rank := func(arm string) int {
		if i := slices.Index(arms, arm); i >= 0 {
			return i
		}
		return len(arms)
	}
	out := slices.Clone(groups)
	slices.SortStableFunc(out, func(a, b *group) int {
		return cmp.Or(cmp.Compare(a.fraction, b.fraction), cmp.Compare(rank(a.arm), rank(b.arm)), cmp.Compare(a.arm, b.arm), cmp.Compare(a.label, b.label))
	})
	return out
}
