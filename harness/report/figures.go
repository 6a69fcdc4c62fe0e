package report

import (
	"encoding/json"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/neuroplastic/neuroplastic/harness/store"
)

// figure is one rendered figure: its file base name (without extension),
// its caption for the README, and its PNG and SVG bytes.
type figure struct {
	base     string
	caption  string
	png, svg []byte
}

// series is one line with its mean +- 1 std band (std NaN: no band), or
// points only.
type series struct {
	legend       string
	x, mean, std []float64
	pointsOnly   bool
}

// metricFunc extracts one value of an epoch's metrics; ok is false when
// the epoch does not record it (a diagnostic of another optimizer).
type metricFunc func(store.EpochMetrics) (v float64, ok bool)

// epochMetric returns the per-epoch metric of a curves figure.
func epochMetric(name string) metricFunc {
	return func(m store.EpochMetrics) (float64, bool) {
		switch name {
		case "test_loss":
			return m.TestLoss, true
		case "train_acc":
			return m.TrainAcc, true
		case "train_loss":
			return m.TrainLoss, true
		}
		return m.TestAcc, true
	}
}

// diagnostic returns the per-epoch diagnostic of a diagnostics figure.
func diagnostic(name string) metricFunc {
	return func(m store.EpochMetrics) (float64, bool) {
		v, ok := m.Diagnostics[name]
		return v, ok
	}
}

// metricWords describes a metric for axis labels and titles.
func metricWords(m string) string {
	words := map[string]string{
		"test_acc": "test accuracy", "test_loss": "test loss", "train_acc": "train accuracy", "train_loss": "train loss",
		MetricFinalAcc: "final test accuracy", MetricBestAcc: "best test accuracy", MetricFinalLoss: "final test loss",
	}
	if w, ok := words[m]; ok {
		return w
	}
	return m
}

// epochSeries averages metric over the completed runs of g, per epoch
// (1-based); epochs where no run records the metric are left out.
func epochSeries(g *group, legend string, metric metricFunc) series {
	s := series{legend: legend}
	for i := 0; ; i++ {
		var vals []float64
		more := false
		for _, o := range g.done {
			if i < len(o.metrics) {
				more = true
				if v, ok := metric(o.metrics[i]); ok {
					vals = append(vals, v)
				}
			}
		}
		if !more {
			return s
		}
		if len(vals) == 0 {
			continue
		}
		d := Describe(vals)
		s.x = append(s.x, float64(i+1))
		s.mean = append(s.mean, d.Mean)
		s.std = append(s.std, d.Std)
	}
}

// bandNote says in captions what the lines and bands show.
const bandNote = "mean over seeds; ± 1 std bands when at most 3 lines"

// figureBase is the file base name of a figure of the study.
func figureBase(study string, f Figure) string { return study + "_" + f.fileName() }

// choice is a configuration a figure draws, with the selector that named
// it and whether it was chosen among the selector's grid points.
type choice struct {
	g      *group
	sel    string
	chosen bool
}

// legend names the choice's line: its label, noted when it was chosen on
// the accuracy on.
func (c choice) legend(on string) string {
	if c.chosen {
		return c.g.label + chosenNote(on)
	}
	return c.g.label
}

// chosen returns the configurations a figure draws at fraction f (every
// fraction when all is set): for each selector of spec.Arms in order, the
// groups it names (reduced to the best on spec.SelectOn when set); every
// group when Arms is empty.
func (a *analysis) chosen(spec Figure, f float64, all bool) []choice {
	var out []choice
	keep := func(g *group) bool {
		return (all || g.fraction == f) && !slices.ContainsFunc(out, func(c choice) bool { return c.g == g })
	}
	if len(spec.Arms) == 0 {
		for _, g := range orderArms(a.groups, a.study.Arms) {
			if keep(g) {
				out = append(out, choice{g: g})
			}
		}
		return out
	}
	for _, sel := range spec.Arms {
		for _, fr := range fractions(a.groups) {
			gs, chosen := matching(a.groups, sel, spec.SelectOn, fr)
			for _, g := range gs {
				if keep(g) {
					out = append(out, choice{g: g, sel: sel, chosen: chosen})
				}
			}
		}
	}
	return out
}

// labelsOf returns the distinct labels sel names at any fraction.
func (a *analysis) labelsOf(sel string) []string {
	var labels []string
	for _, g := range a.groups {
		if g.matches(sel) && !slices.Contains(labels, g.label) {
			labels = append(labels, g.label)
		}
	}
	return labels
}

// largest returns the study's largest fraction.
func (a *analysis) largest() float64 {
	fs := fractions(a.groups)
	return fs[len(fs)-1]
}

// drawFigure draws and encodes the figure spec of the study; it returns
// nil and a reason when the figure cannot be drawn. A panic of the
// plotting library is such a reason too, so no spec can crash the report.
func (a *analysis) drawFigure(spec Figure, quick bool) (f *figure, reason string) {
	defer func() {
		if r := recover(); r != nil {
			f, reason = nil, fmt.Sprintf("the plotting library failed (%v)", r)
		}
	}()
	title := spec.Title
	if title == "" {
		title = a.study.title() + ": " + metricWords(spec.metric())
		switch spec.Kind {
		case FigureGrid:
			title += " over " + spec.X
		case FigureSeedGaps:
			title = a.study.title() + ": per-seed gap in " + metricWords(spec.metric())
		}
	}
	if spec.Label != "" {
		title = spec.Label + ": " + title
	}
	var p *plot.Plot
	var what string
	var err error
	switch spec.Kind {
	case FigureCurves, FigureDiagnostics:
		p, what, reason, err = a.epochFigure(spec, title, quick)
	case FigureFractions:
		p, what, reason, err = a.fractionFigure(spec, title, quick)
	case FigureGrid:
		p, what, reason, err = a.gridFigure(spec, title, quick)
	case FigureSeedGaps:
		p, what, reason, err = a.seedGapFigure(spec, title, quick)
	}
	if err != nil {
		return nil, err.Error()
	}
	if p == nil {
		return nil, reason
	}
	pngData, svgData, err := encode(p)
	if err != nil {
		return nil, err.Error()
	}
	caption := strings.ToUpper(what[:1]) + what[1:] + "."
	if spec.Label != "" {
		caption = spec.Label + ": " + what + "."
	}
	return &figure{base: figureBase(a.study.Name, spec), caption: caption, png: pngData, svg: svgData}, ""
}

// epochFigure draws a per-epoch metric or diagnostic of the chosen
// configurations at the largest fraction.
func (a *analysis) epochFigure(spec Figure, title string, quick bool) (*plot.Plot, string, string, error) {
	m := epochMetric(spec.metric())
	if spec.Kind == FigureDiagnostics {
		m = diagnostic(spec.Metric)
	}
	var ss []series
	epochs := 0
	for _, c := range a.chosen(spec, a.largest(), false) {
		s := epochSeries(c.g, c.legend(spec.SelectOn), m)
		if len(s.x) > 0 {
			epochs = max(epochs, int(s.x[len(s.x)-1]))
		}
		ss = append(ss, s)
	}
	p, err := linePlot(title, "epoch", metricWords(spec.metric()), quick, ss)
	if p == nil {
		return nil, "", fmt.Sprintf("no completed run of the chosen configurations records %s", spec.metric()), err
	}
	if epochs <= 20 {
		epochTicks(p, epochs)
	}
	return p, metricWords(spec.metric()) + " per epoch (" + bandNote + ") at fraction " + fmtFraction(a.largest()), "", err
}

// fractionFigure draws a final metric against the data fraction, one line
// per configuration label.
func (a *analysis) fractionFigure(spec Figure, title string, quick bool) (*plot.Plot, string, string, error) {
	fs := fractions(a.groups)
	if len(fs) < 2 {
		return nil, "", fmt.Sprintf("the study has one fraction (%s), nothing to draw over fractions", fmtFraction(fs[0])), nil
	}
	var labels []string
	byLabel := map[string]*series{}
	for _, c := range a.chosen(spec, 0, true) {
		g := c.g
		if g.final.N == 0 {
			continue
		}
		key := g.label // a line per configuration, or per selector that chooses
		if spec.SelectOn != "" && len(a.labelsOf(c.sel)) > 1 {
			key = c.sel + chosenNote(spec.SelectOn)
		}
		s := byLabel[key]
		if s == nil {
			s = &series{legend: key}
			byLabel[key] = s
			labels = append(labels, key)
		}
		d := g.sampleOf(spec.metric())
		s.x, s.mean, s.std = append(s.x, g.fraction), append(s.mean, d.Mean), append(s.std, d.Std)
	}
	var ss []series
	for _, l := range labels {
		ss = append(ss, sortedSeries(*byLabel[l]))
	}
	p, err := linePlot(title, "training data fraction (log scale)", metricWords(spec.metric()), quick, ss)
	if p == nil {
		return nil, "", "no completed runs of the chosen configurations", err
	}
	p.X.Scale = plot.LogScale{}
	var ticks []plot.Tick
	for _, f := range fs {
		ticks = append(ticks, plot.Tick{Value: f, Label: fmtFraction(f)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	return p, metricWords(spec.metric()) + " against the training data fraction (" + bandNote + ")", "", err
}

// sortedSeries returns s with its points in increasing x.
func sortedSeries(s series) series {
	idx := make([]int, len(s.x))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int { return cmpFloat(s.x[i], s.x[j]) })
	out := series{legend: s.legend}
	for _, i := range idx {
		out.x, out.mean, out.std = append(out.x, s.x[i]), append(out.mean, s.mean[i]), append(out.std, s.std[i])
	}
	return out
}

// cmpFloat orders two floats.
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// gridFigure draws a final metric against the grid key spec.X at the
// largest fraction, one line per arm and setting of the other keys that
// vary among the chosen configurations.
func (a *analysis) gridFigure(spec Figure, title string, quick bool) (*plot.Plot, string, string, error) {
	type point struct {
		g      *group
		x      float64
		params map[string]any
	}
	var pts []point
	for _, c := range a.chosen(spec, a.largest(), false) {
		g := c.g
		var params map[string]any
		if err := json.Unmarshal(g.optimizer, &params); err != nil {
			return nil, "", "", fmt.Errorf("configuration %q: optimizer: %w", g.label, err)
		}
		x, ok := params[spec.X].(float64)
		if ok && g.final.N > 0 {
			pts = append(pts, point{g, x, params})
		}
	}
	var xs []float64
	for _, pt := range pts {
		if !slices.Contains(xs, pt.x) {
			xs = append(xs, pt.x)
		}
	}
	if len(xs) < 2 {
		return nil, "", fmt.Sprintf("fewer than two values of %s among the completed chosen configurations", spec.X), nil
	}
	// The other keys that vary name the lines.
	var vary []string
	for _, pt := range pts {
		for k, v := range pt.params {
			if k == spec.X || slices.Contains(vary, k) {
				continue
			}
			for _, q := range pts {
				if fmt.Sprint(q.params[k]) != fmt.Sprint(v) {
					vary = append(vary, k)
					break
				}
			}
		}
	}
	slices.Sort(vary)
	var names []string
	lines := map[string]*series{}
	for _, pt := range pts {
		name := pt.g.arm
		for _, k := range vary {
			if v, ok := pt.params[k]; ok {
				name += fmt.Sprintf(" %s=%v", k, v)
			}
		}
		s := lines[name]
		if s == nil {
			s = &series{legend: name}
			lines[name] = s
			names = append(names, name)
		}
		d := pt.g.sampleOf(spec.metric())
		s.x, s.mean, s.std = append(s.x, pt.x), append(s.mean, d.Mean), append(s.std, d.Std)
	}
	var ss []series
	for _, n := range names {
		ss = append(ss, sortedSeries(*lines[n]))
	}
	slices.Sort(xs)
	xLabel := spec.X
	logX := xs[0] > 0 && xs[len(xs)-1]/xs[0] >= 10
	if logX {
		xLabel += " (log scale)"
	}
	p, err := linePlot(title, xLabel, metricWords(spec.metric()), quick, ss)
	if p == nil {
		return nil, "", "no completed runs of the chosen configurations", err
	}
	if logX {
		p.X.Scale = plot.LogScale{}
	}
	var ticks []plot.Tick
	for _, x := range xs {
		ticks = append(ticks, plot.Tick{Value: x, Label: fmtFraction(x)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	return p, fmt.Sprintf("%s against %s at fraction %s, one line per setting of the other keys ("+bandNote+")",
		metricWords(spec.metric()), spec.X, fmtFraction(a.largest())), "", err
}

// seedGapFigure draws the per-seed differences a - b of every pair of
// configurations the comparison names, at every fraction.
func (a *analysis) seedGapFigure(spec Figure, title string, quick bool) (*plot.Plot, string, string, error) {
	multi := len(fractions(a.groups)) > 1
	var ss []series
	for _, row := range comparisonRows(a.groups, Comparison{A: spec.A, B: spec.B, SelectOn: spec.SelectOn}) {
		if row.cmp == nil || len(row.cmp.seeds) == 0 {
			continue
		}
		s := series{legend: strings.ReplaceAll(row.cmp.names(" - "), "`", ""), pointsOnly: true}
		if multi {
			s.legend += " at " + fmtFraction(row.fraction)
		}
		for i, seed := range row.cmp.seeds {
			s.x = append(s.x, float64(seed))
			s.mean = append(s.mean, row.cmp.diffs[spec.metric()][i])
			s.std = append(s.std, math.NaN())
		}
		ss = append(ss, s)
	}
	p, err := linePlot(title, "seed", "gap in "+metricWords(spec.metric()), quick, ss)
	if p == nil {
		return nil, "", fmt.Sprintf("%s and %s share no completed seed", code(spec.A), code(spec.B)), err
	}
	zero := plotter.NewFunction(func(float64) float64 { return 0 })
	zero.Color = color.Black
	zero.Width = vg.Points(0.8)
	p.Add(zero)
	var ticks []plot.Tick
	for _, s := range a.seeds {
		ticks = append(ticks, plot.Tick{Value: float64(s), Label: strconv.FormatInt(s, 10)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = float64(a.seeds[0])-0.5, float64(a.seeds[len(a.seeds)-1])+0.5 // room for the edge points
	return p, fmt.Sprintf("per-seed gap %s - %s in %s", spec.A, spec.B, metricWords(spec.metric())), "", err
}
