package report

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/neuroplastic/neuroplastic/harness/store"
)

// withValidation marks runs as holding out 10% for validation and gives
// every epoch of a configuration the val_acc val[label] (+0.0005 per seed
// after 41, so the per-seed numbers vary).
func withValidation(runs []store.Run, val map[string]float64) []store.Run {
	for i := range runs {
		r := &runs[i]
		r.Config.Holdout = 0.1
		for e := range r.Metrics {
			r.Metrics[e].ValAcc = val[r.Config.Label] + 0.0005*float64(r.Config.Seed-41)
			r.Metrics[e].ValLoss = 1 - r.Metrics[e].ValAcc
		}
	}
	return runs
}

// valGrid is gridRuns with validation metrics that prefer scale 0.5, while
// the test set prefers scale 2.
func valGrid(study string) []store.Run {
	return withValidation(gridRuns(study), map[string]float64{
		"grad_only": 0.880, "full plasticity_scale=0.5": 0.895, "full plasticity_scale=1": 0.890, "full plasticity_scale=2": 0.885,
	})
}

// Selection on validation chooses the configuration the hold-out prefers,
// not the test set's; the table shows both selections and that they
// differ; locked_config.json records the validation choice.
func TestSelectOnValidation(t *testing.T) {
	cases := []struct {
		name, on, selected, other string
	}{
		{"validation", SelectValidation, "full plasticity_scale=0.5", "full plasticity_scale=2"},
		{"test", SelectTest, "full plasticity_scale=2", "full plasticity_scale=0.5"},
		{"default", "", "full plasticity_scale=2", "full plasticity_scale=0.5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := Options{Kind: KindTuning, Select: true, SelectOn: c.on, Candidates: "full", Reference: "full plasticity_scale=1"}
			dir := writeStudies(t, []Study{{Name: "v", Options: o, Runs: valGrid("v")}}, false)
			table := string(readFile(t, filepath.Join(dir, "tables", "v.md")))
			for _, want := range []string{
				"by mean final " + or(c.on, SelectTest) + " accuracy: `" + c.selected + "`",
				"`" + c.other + "`",
				"The selections on test and on validation accuracy differ",
				"final val acc (mean ± std)",
				"| 1    | `" + c.selected + "` ",
			} {
				if !strings.Contains(table, want) {
					t.Errorf("v.md lacks %q:\n%s", want, table)
				}
			}
			var locked lockedConfig
			if err := json.Unmarshal(readFile(t, filepath.Join(dir, LockedConfigFile)), &locked); err != nil {
				t.Fatal(err)
			}
			if locked.Label != c.selected || !strings.Contains(locked.Selection, or(c.on, SelectTest)) || locked.MeanFinalValAcc == nil {
				t.Errorf("locked_config.json selects %q by %q (val %v), want %q by %s", locked.Label, locked.Selection, locked.MeanFinalValAcc, c.selected, or(c.on, SelectTest))
			}
		})
	}
}

// When the hold-out and the test set prefer the same configuration, the
// table says that the two selections agree.
func TestSelectionsAgree(t *testing.T) {
	runs := withValidation(gridRuns("a"), map[string]float64{
		"grad_only": 0.880, "full plasticity_scale=0.5": 0.885, "full plasticity_scale=1": 0.890, "full plasticity_scale=2": 0.895,
	})
	dir := writeStudies(t, []Study{{Name: "a", Options: Options{Kind: KindTuning, SelectOn: SelectValidation}, Runs: runs}}, false)
	table := string(readFile(t, filepath.Join(dir, "tables", "a.md")))
	if !strings.Contains(table, "The selections on test and on validation accuracy agree") {
		t.Errorf("a.md does not say that the selections agree:\n%s", table)
	}
}

// Choosing on validation without validation metrics is an error naming the
// study, for the ranking and for per-arm selection alike; choosing on test
// needs none.
func TestSelectOnValidationWithoutMetrics(t *testing.T) {
	cases := []struct {
		name string
		o    Options
		want string // "" = no error
	}{
		{"ranking", Options{Kind: KindTuning, SelectOn: SelectValidation}, "study nov: select_on: validation, but none of its 12 completed runs records validation metrics"},
		{"comparison", Options{Compare: []Comparison{{A: "full", B: "grad_only", SelectOn: SelectValidation}}}, "study nov: select_on: validation"},
		{"claim", Options{Claims: []Claim{{ID: "c", A: "full", B: "grad_only", Metric: MetricFinalAcc, Direction: Greater, SelectOn: SelectValidation}}}, "study nov: select_on: validation"},
		{"figure", Options{Figures: []Figure{{Kind: FigureCurves, SelectOn: SelectValidation}}}, "study nov: select_on: validation"},
		{"on test", Options{Kind: KindTuning, SelectOn: SelectTest, Compare: []Comparison{{A: "full", B: "grad_only", SelectOn: SelectTest}}}, ""},
	}
	for _, c := range cases {
		_, err := Write(t.TempDir(), []Study{{Name: "nov", Options: c.o, Runs: gridRuns("nov")}}, WriteOptions{})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: Write: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: Write error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// hybridRuns is a two-fraction study with a 3-point lr grid arm whose
// validation-best point differs by fraction (lr 0.1 at 0.1, lr 0.01 at
// 1), while its test-best point is lr 0.03 at both.
func hybridRuns(study string) []store.Run {
	var cfgs []cfg
	for _, f := range []float64{0.1, 1} {
		cfgs = append(cfgs, cfg{"full", "full", fullOpt(0.1, 2, 2), f, 0.85, 0.4})
		for i, lr := range []float64{0.01, 0.03, 0.1} {
			cfgs = append(cfgs, cfg{"hybrid", "hybrid lr=" + fmtFraction(lr), fullOpt(lr, 0, 1), f, []float64{0.84, 0.86, 0.845}[i], 0.4})
		}
	}
	runs := synth(study, "fashion_mnist", cfgs...)
	for i := range runs {
		r := &runs[i]
		r.Config.Holdout = 0.1
		v := 0.80
		switch {
		case r.Config.Label == "hybrid lr=0.1" && r.Config.Fraction == 0.1, r.Config.Label == "hybrid lr=0.01" && r.Config.Fraction == 1:
			v = 0.90
		case r.Config.Label == "full":
			v = 0.85
		}
		for e := range r.Metrics {
			r.Metrics[e].ValAcc = v + 0.0001*float64(r.Config.Seed)
		}
	}
	return runs
}

// A comparison, claim or figure with select_on compares a grid arm by its
// chosen point per fraction only, and names it; without select_on every
// grid point is compared and a claim on the arm is not evaluated.
func TestPerArmSelection(t *testing.T) {
	claim := Claim{ID: "hybrid_above_full", A: "hybrid", B: "full", Metric: MetricFinalAcc, Direction: Greater, Per: PerFraction}
	chosen := claim
	chosen.ID, chosen.SelectOn = "chosen_above_full", SelectValidation
	onTest := claim
	onTest.ID, onTest.SelectOn = "test_chosen_above_full", SelectTest
	o := Options{
		Compare: []Comparison{{A: "hybrid", B: "full", SelectOn: SelectValidation}, {A: "hybrid", B: "full"}},
		Claims:  []Claim{chosen, onTest, claim},
		Figures: []Figure{{Kind: FigureFractions, SelectOn: SelectValidation}, {Kind: FigureCurves, SelectOn: SelectValidation, Arms: []string{"full", "hybrid"}}},
	}
	st := Study{Name: "h", Options: o, Runs: hybridRuns("h")}
	rendered, err := render([]Study{st}, false)
	if err != nil {
		t.Fatal(err)
	}
	a := rendered[0].a
	if n := len(a.compared[0]); n != 2 {
		t.Errorf("the comparison with select_on has %d rows, want 2 (one per fraction)", n)
	}
	if n := len(a.compared[1]); n != 6 {
		t.Errorf("the comparison without select_on has %d rows, want 6 (every grid point per fraction)", n)
	}
	wantChosen := map[float64]string{0.1: "hybrid lr=0.1", 1: "hybrid lr=0.01"}
	for _, row := range a.compared[0] {
		if row.cmp == nil || row.cmp.a.label != wantChosen[row.fraction] || row.cmp.aNote != chosenNote(SelectValidation) || row.cmp.bNote != "" {
			t.Errorf("fraction %v: compared %+v, want %q chosen on validation", row.fraction, row.cmp, wantChosen[row.fraction])
		}
	}
	tests := map[string][]*claimTest{}
	for _, r := range rendered[0].claims {
		tests[r.claim.ID] = r.tests
	}
	for i, f := range []float64{0.1, 1} {
		if got := tests["chosen_above_full"][i].what; got != "`"+wantChosen[f]+"` (chosen on validation) - `full`" {
			t.Errorf("claim on validation at %v tests %q", f, got)
		}
		if got := tests["test_chosen_above_full"][i].what; got != "`hybrid lr=0.03` (chosen on test) - `full`" {
			t.Errorf("claim on test at %v tests %q", f, got)
		}
		if got := tests["hybrid_above_full"][i].reason; !strings.Contains(got, "matches 3 configurations") {
			t.Errorf("claim without select_on at %v: reason %q, want several matches", f, got)
		}
	}
	if len(rendered[0].figures) != 2 {
		t.Errorf("drew %d figures (skipped: %v), want 2", len(rendered[0].figures), rendered[0].skipped)
	}
	body := rendered[0].body
	for _, want := range []string{"| `hybrid lr=0.1` (chosen on validation) vs `full` ", "| `hybrid lr=0.01` (chosen on validation) vs `full` ",
		"final val acc (mean ± std)", "each side its best configuration on validation accuracy"} {
		if !strings.Contains(body, want) {
			t.Errorf("the tables lack %q:\n%s", want, body)
		}
	}
}

// The fractions figure with select_on draws one line per choosing
// selector (its chosen point may change with the fraction), and the
// curves figure names the chosen point.
func TestChosenFigureLines(t *testing.T) {
	a, err := analyse(&Study{Name: "h", Runs: hybridRuns("h")})
	if err != nil {
		t.Fatal(err)
	}
	got := a.chosen(Figure{Kind: FigureFractions, SelectOn: SelectValidation, Arms: []string{"hybrid", "full"}}, 0, true)
	var legends []string
	for _, c := range got {
		legends = append(legends, c.legend(SelectValidation))
	}
	want := "hybrid lr=0.1 (chosen on validation),hybrid lr=0.01 (chosen on validation),full,full"
	if strings.Join(legends, ",") != want {
		t.Errorf("chosen lines %q, want %q", strings.Join(legends, ","), want)
	}
	if n := len(a.labelsOf("hybrid")); n != 3 {
		t.Errorf("labelsOf(hybrid) = %d labels, want 3", n)
	}
}

// A study whose runs differ in an axis the tables do not group by (here the
// dataset) is refused, naming the axis and its values, instead of pairing
// the runs of one dataset with the other's.
func TestReportRefusesMixedAxes(t *testing.T) {
	runs := gridRuns("m")
	for i := range runs {
		if runs[i].Config.Seed == 41 {
			runs[i].Config.Dataset = "mnist"
		}
	}
	o := Options{Kind: KindPaired, Compare: []Comparison{{A: "full", B: "grad_only"}}}
	_, err := Write(t.TempDir(), []Study{{Name: "m", Options: o, Runs: runs}}, WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), "study m: its runs differ in dataset (fashion_mnist, mnist)") {
		t.Errorf("Write: %v, want the mixed datasets named", err)
	}
}

// rankBy puts a configuration with a run that did not complete after every
// complete one, whatever its mean, and breaks ties of means that differ only
// by rounding by label.
func TestRankBy(t *testing.T) {
	g := func(label string, mean float64, incomplete bool) *group {
		gr := &group{label: label, fraction: 1, final: Sample{N: 3, Mean: mean}}
		if incomplete {
			gr.excluded = []excludedRun{{reason: "diverged"}}
		}
		return gr
	}
	groups := []*group{
		g("a", 0.90, true),        // the best mean, on the seeds that survived
		g("c", 0.85+1e-15, false), // ties with b but for rounding
		g("b", 0.85, false),
		g("d", 0.80, false),
	}
	var got []string
	for _, r := range rankBy(groups, SelectTest) {
		got = append(got, r.label)
	}
	if want := []string{"b", "c", "d", "a"}; !slices.Equal(got, want) {
		t.Errorf("rankBy: %v, want %v", got, want)
	}
}
