package report

import (
	"bytes"
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
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/neuroplastic/neuroplastic/harness/store"
)

// Figure geometry: 6 x 4 inches; PNG at figureDPI (900 x 600 pixels).
const (
	figureWidth  = 6 * vg.Inch
	figureHeight = 4 * vg.Inch
	figureDPI    = 150
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

// armPalette colours the series after the first two, in order.
var armPalette = []color.RGBA{
	{R: 230, G: 120, B: 0, A: 255},  // orange
	{R: 0, G: 150, B: 70, A: 255},   // green
	{R: 170, G: 40, B: 160, A: 255}, // purple
	{R: 200, G: 30, B: 30, A: 255},  // red
	{R: 120, G: 80, B: 30, A: 255},  // brown
	{R: 0, G: 160, B: 190, A: 255},  // cyan
	{R: 150, G: 150, B: 0, A: 255},  // olive
}

// armGlyphs marks the series after the first two: the j-th such series
// has colour j and glyph j / len(armPalette), so no two of the first 35
// look alike.
var armGlyphs = []draw.GlyphDrawer{draw.TriangleGlyph{}, draw.PyramidGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}, draw.RingGlyph{}}

// bandNote says in captions what the lines and bands show.
const bandNote = "mean over seeds; ± 1 std bands when at most 3 lines"

// maxBands is the most series a figure draws with their std bands; more
// bands would hide each other.
const maxBands = 3

// seriesStyle returns the colour, dash pattern and marker of the i-th
// series: the first solid blue with circles, the second dashed grey with
// squares, the others a distinct colour and marker each.
func seriesStyle(i int) (color.RGBA, []vg.Length, draw.GlyphDrawer) {
	switch i {
	case 0:
		return color.RGBA{R: 31, G: 90, B: 200, A: 255}, nil, draw.CircleGlyph{}
	case 1:
		return color.RGBA{R: 110, G: 110, B: 110, A: 255}, []vg.Length{vg.Points(6), vg.Points(3)}, draw.BoxGlyph{}
	}
	j := i - 2
	return armPalette[j%len(armPalette)], []vg.Length{vg.Points(2), vg.Points(2)}, armGlyphs[j/len(armPalette)%len(armGlyphs)]
}

// newPlot returns an empty plot with a grid, title and axis labels.
func newPlot(title, xLabel, yLabel string, quick bool) *plot.Plot {
	p := plot.New()
	if quick {
		title = "QUICK - " + title
	}
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Add(plotter.NewGrid())
	p.Y.Tick.Marker = plot.TickerFunc(exactTicks)
	return p
}

// exactTicks places gonum's default ticks and labels the major ones with
// the fewest decimals that render every value exactly (the default labels
// can round two ticks to the same text).
func exactTicks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	tol := 1e-9 * math.Max(math.Abs(hi-lo), math.SmallestNonzeroFloat64)
	for prec := 0; prec <= 10; prec++ {
		exact := true
		for _, t := range ticks {
			if t.IsMinor() {
				continue
			}
			v, err := strconv.ParseFloat(strconv.FormatFloat(t.Value, 'f', prec, 64), 64)
			if err != nil || math.Abs(v-t.Value) > tol {
				exact = false
				break
			}
		}
		if exact {
			for i, t := range ticks {
				if !t.IsMinor() {
					ticks[i].Label = strconv.FormatFloat(t.Value, 'f', prec, 64)
				}
			}
			return ticks
		}
	}
	return ticks
}

// epochTicks labels every epoch 1..n on the x axis.
func epochTicks(p *plot.Plot, n int) {
	var ticks []plot.Tick
	for e := 1; e <= n; e++ {
		ticks = append(ticks, plot.Tick{Value: float64(e), Label: strconv.Itoa(e)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
}

// addSeries draws s in the i-th style on p, with its band if band is set
// and a legend entry if legend is set.
func addSeries(p *plot.Plot, s series, i int, band, legend bool) error {
	c, dashes, glyph := seriesStyle(i)
	pts := make(plotter.XYs, len(s.x))
	for k := range s.x {
		pts[k] = plotter.XY{X: s.x[k], Y: s.mean[k]}
	}
	if outline := bandPolygon(s); band && outline != nil {
		poly, err := plotter.NewPolygon(outline)
		if err != nil {
			return fmt.Errorf("report: figure band: %w", err)
		}
		poly.Color = color.NRGBA{R: c.R, G: c.G, B: c.B, A: 55} // non-premultiplied: translucent band
		poly.LineStyle.Width = 0
		p.Add(poly)
	}
	line, scatter, err := plotter.NewLinePoints(pts)
	if err != nil {
		return fmt.Errorf("report: figure %s: %w", s.legend, err)
	}
	scatter.Color = c
	scatter.Shape = glyph
	scatter.Radius = vg.Points(3)
	if s.pointsOnly {
		p.Add(scatter)
		if legend {
			p.Legend.Add(s.legend, scatter)
		}
		return nil
	}
	line.Color = c
	line.Width = vg.Points(1.8)
	line.Dashes = dashes
	p.Add(line, scatter)
	if legend {
		p.Legend.Add(s.legend, line, scatter)
	}
	return nil
}

// bandPolygon returns the mean +- std outline of s, or nil when a std is
// undefined (fewer than two runs) or there is nothing to draw.
func bandPolygon(s series) plotter.XYs {
	if len(s.x) == 0 || slices.ContainsFunc(s.std, math.IsNaN) {
		return nil
	}
	band := make(plotter.XYs, 0, 2*len(s.x))
	for i := range s.x {
		band = append(band, plotter.XY{X: s.x[i], Y: s.mean[i] + s.std[i]})
	}
	for i := len(s.x) - 1; i >= 0; i-- {
		band = append(band, plotter.XY{X: s.x[i], Y: s.mean[i] - s.std[i]})
	}
	return band
}

// linePlot draws the series that have points on a new plot, with a legend
// when there is more than one; nil when no series has a point.
func linePlot(title, xLabel, yLabel string, quick bool, ss []series) (*plot.Plot, error) {
	var drawn []series
	for _, s := range ss {
		if len(s.x) > 0 {
			drawn = append(drawn, s)
		}
	}
	if len(drawn) == 0 {
		return nil, nil
	}
	p := newPlot(title, xLabel, yLabel, quick)
	p.Legend.Top = true
	p.Legend.XOffs = -vg.Points(6)
	p.Legend.YOffs = -vg.Points(4)
	if len(drawn) > 4 {
		p.Legend.TextStyle.Font.Size = vg.Points(8)
	}
	for i, s := range drawn {
		if err := addSeries(p, s, i, len(drawn) <= maxBands, len(drawn) > 1); err != nil {
			return nil, err
		}
	}
	return p, nil
}

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

// margins leaves room on the right and at the top so that edge markers
// and the title are not clipped.
func margins(c draw.Canvas) draw.Canvas {
	return draw.Crop(c, vg.Points(4), -vg.Points(12), vg.Points(2), -vg.Points(6))
}

// encode renders p as PNG and SVG bytes.
func encode(p *plot.Plot) (pngData, svgData []byte, err error) {
	img := vgimg.NewWith(vgimg.UseWH(figureWidth, figureHeight), vgimg.UseDPI(figureDPI))
	p.Draw(margins(draw.New(img)))
	var pb bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&pb); err != nil {
		return nil, nil, fmt.Errorf("report: png: %w", err)
	}
	svg := vgsvg.New(figureWidth, figureHeight)
	p.Draw(margins(draw.New(svg)))
	var sb bytes.Buffer
	if _, err := svg.WriteTo(&sb); err != nil {
		return nil, nil, fmt.Errorf("report: svg: %w", err)
	}
	return pb.Bytes(), sb.Bytes(), nil
}
