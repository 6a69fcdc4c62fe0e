package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/neuroplastic/neuroplastic/harness/store"
	"github.com/neuroplastic/neuroplastic/optim"
)

// Arm names the report relies on (the paired arms of every study).
const (
	armFull     = "full"
	armGradOnly = "grad_only"
)

// outcome is one counted (completed) run's final and best numbers.
type outcome struct {
	seed      int64
	finalAcc  float64 // test accuracy of the last epoch
	finalLoss float64 // test loss of the last epoch
	bestAcc   float64 // max test accuracy over epochs
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
}

// runOutcome returns the final and best numbers of a completed run, or ok
// false when it has neither metrics nor a final summary.
func runOutcome(r store.Run) (o outcome, ok bool) {
	o = outcome{seed: r.Config.Seed, metrics: r.Metrics}
	switch {
	case len(r.Metrics) > 0:
		last := r.Metrics[len(r.Metrics)-1]
		o.finalAcc, o.finalLoss = last.TestAcc, last.TestLoss
		o.bestAcc = math.Inf(-1)
		for _, m := range r.Metrics {
			o.bestAcc = math.Max(o.bestAcc, m.TestAcc)
		}
	case r.Summary != nil && r.Summary.Final != nil:
		o.finalAcc, o.finalLoss = r.Summary.Final.TestAcc, r.Summary.Final.TestLoss
		o.bestAcc = r.Summary.BestAcc
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

// armGroup returns the first group (by label) of the arm at the fraction,
// or nil.
func armGroup(groups []*group, arm string, fraction float64) *group {
	for _, g := range groups {
		if g.arm == arm && g.fraction == fraction {
			return g
		}
	}
	return nil
}

// comparison is a paired comparison of group a against group b on the
// seeds both completed; differences are a minus b.
type comparison struct {
	a, b    *group
	seeds   []int64
	diffs   []float64 // final test accuracy, per shared seed
	wins    int
	ties    int
	losses  int
	gap     float64 // mean difference of final test accuracy; NaN without shared seeds
	gapBest float64 // mean difference of best test accuracy
	gapLoss float64 // mean difference of final test loss
	t, p    float64 // paired t-test on diffs; NaN when undefined
	label   string  // robustness label
}

// compare pairs a and b on their shared seeds.
func compare(a, b *group) *comparison {
	c := &comparison{a: a, b: b}
	var dBest, dLoss []float64
	for _, oa := range a.done {
		i := slices.IndexFunc(b.done, func(ob outcome) bool { return ob.seed == oa.seed })
		if i < 0 {
			continue
		}
		ob := b.done[i]
		c.seeds = append(c.seeds, oa.seed)
		c.diffs = append(c.diffs, oa.finalAcc-ob.finalAcc)
		dBest = append(dBest, oa.bestAcc-ob.bestAcc)
		dLoss = append(dLoss, oa.finalLoss-ob.finalLoss)
	}
	c.wins, c.ties, c.losses = Tally(c.diffs)
	c.gap = Describe(c.diffs).Mean
	c.gapBest = Describe(dBest).Mean
	c.gapLoss = Describe(dLoss).Mean
	c.t, c.p = PairedTTest(c.diffs)
	c.label = Robustness(c.gap, c.wins, len(c.diffs))
	return c
}

// isPaperLocked reports whether g is the full arm at the paper's locked
// values (optim.PaperLocked).
func isPaperLocked(g *group) (bool, error) {
	if g.arm != armFull {
		return false, nil
	}
	c, err := optim.DecodeConfig(g.optimizer)
	if err != nil {
		return false, fmt.Errorf("report: configuration %q: optimizer: %w", g.label, err)
	}
	return c.HasPaperLocked(), nil
}

// tuning is the analysis of a tuning grid.
type tuning struct {
	ranked          []*group    // by mean final accuracy, descending; groups without completed runs last
	selected        *group      // best mean final accuracy among full configurations; nil if none
	paper           *group      // the paper's locked configuration; nil if not in the grid
	gradOnly        *group      // best-ranked grad_only configuration; nil if none
	paperVsGrad     *comparison // paper-locked full vs grad_only; nil if a side is missing
	selectedVsPaper *comparison // selected vs paper-locked; nil if a side is missing
}

// reference returns the full configuration the figures and the MNIST claim
// use: the paper's locked one, or the selected one when the grid lacks it.
func (t *tuning) reference() *group {
	if t.paper != nil {
		return t.paper
	}
	return t.selected
}

// marks returns the tuning marks of g: selected and/or paper-locked.
func (t *tuning) marks(g *group) []string {
	var m []string
	if g == t.selected {
		m = append(m, markSelected)
	}
	if g == t.paper {
		m = append(m, markPaper)
	}
	return m
}

// analyseTuning ranks the configurations and selects the best full one.
func analyseTuning(groups []*group) (*tuning, error) {
	t := &tuning{ranked: slices.Clone(groups)}
	slices.SortStableFunc(t.ranked, func(a, b *group) int {
		if aEmpty, bEmpty := a.final.N == 0, b.final.N == 0; aEmpty != bEmpty {
			if aEmpty {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(b.final.Mean, a.final.Mean), cmp.Compare(a.label, b.label), cmp.Compare(a.fraction, b.fraction))
	})
	for _, g := range t.ranked {
		locked, err := isPaperLocked(g)
		if err != nil {
			return nil, err
		}
		if locked && t.paper == nil {
			t.paper = g
		}
		if g.final.N == 0 {
			continue
		}
		if g.arm == armFull && t.selected == nil {
			t.selected = g
		}
		if g.arm == armGradOnly && t.gradOnly == nil {
			t.gradOnly = g
		}
	}
	if ref := t.reference(); ref != nil && t.gradOnly != nil {
		t.paperVsGrad = compare(ref, t.gradOnly)
	}
	if t.selected != nil && t.paper != nil {
		t.selectedVsPaper = compare(t.selected, t.paper)
	}
	return t, nil
}

// pairedBlock is the full vs grad_only comparison at one fraction; cmp is
// nil when an arm has no group at that fraction.
type pairedBlock struct {
	fraction float64
	cmp      *comparison
}

// analysePaired compares full with grad_only at every fraction.
func analysePaired(groups []*group) []pairedBlock {
	var blocks []pairedBlock
	for _, f := range fractions(groups) {
		b := pairedBlock{fraction: f}
		full, grad := armGroup(groups, armFull, f), armGroup(groups, armGradOnly, f)
		if full != nil && grad != nil {
			b.cmp = compare(full, grad)
		}
		blocks = append(blocks, b)
	}
	return blocks
}

// baselineOrder is the row order of the baselines table; other arms follow
// in label order.
var baselineOrder = []string{"sgd", "adam", "adamw", armFull, armGradOnly}

// orderBaselines returns groups sorted by fraction, then the baseline arm
// order, then label.
func orderBaselines(groups []*group) []*group {
	rank := func(arm string) int {
		if i := slices.Index(baselineOrder, arm); i >= 0 {
			return i
		}
		return len(baselineOrder)
	}
	out := slices.Clone(groups)
	slices.SortStableFunc(out, func(a, b *group) int {
		return cmp.Or(cmp.Compare(a.fraction, b.fraction), cmp.Compare(rank(a.arm), rank(b.arm)), cmp.Compare(a.label, b.label))
	})
	return out
}
