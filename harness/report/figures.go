package report

import (
	"bytes"
	"fmt"
	"github.com/neuroplastic/neuroplastic/optim"
	"image/color"
	"math"
	"slices"
	"strconv"

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
// its caption for the README, and the plot.
type figure struct {
	base    string
	caption string
	plot    *plot.Plot
}

// series is one curve with its mean +- 1 std band (std NaN: no band).
type series struct {
	arm          string
	legend       string
	x, mean, std []float64
}

// metricFunc extracts one value of an epoch's metrics; ok is false when
// the epoch does not record it (diagnostics of a baseline optimizer).
type metricFunc func(store.EpochMetrics) (v float64, ok bool)

// testAcc, testLoss, alphaMean and effectiveUpdateNorm are the plotted
// per-epoch quantities.
func testAcc(m store.EpochMetrics) (float64, bool)  { return m.TestAcc, true }
func testLoss(m store.EpochMetrics) (float64, bool) { return m.TestLoss, true }
func alphaMean(m store.EpochMetrics) (float64, bool) {
	v, ok := m.Diagnostics[optim.DiagAlphaMean]
	return v, ok
}
func effectiveUpdateNorm(m store.EpochMetrics) (float64, bool) {
	v, ok := m.Diagnostics[optim.DiagEffectiveUpdateNorm]
	return v, ok
}

// legendName is the legend entry of an arm.
func legendName(arm string) string {
	if arm == armGradOnly {
		return "grad-only"
	}
	return arm
}

// epochSeries averages metric over the completed runs of g, per epoch
// (1-based); epochs where no run records the metric are left out.
func epochSeries(g *group, metric metricFunc) series {
	s := series{arm: g.arm, legend: legendName(g.arm)}
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

// fractionSeries is one arm's final test accuracy or loss (mean +- std)
// against the data fraction.
func fractionSeries(groups []*group, arm string, final func(*group) Sample) series {
	s := series{arm: arm, legend: legendName(arm)}
	for _, g := range groups {
		if g.arm != arm || g.final.N == 0 {
			continue
		}
		if slices.Contains(s.x, g.fraction) {
			continue // a second label of the arm at this fraction
		}
		d := final(g)
		s.x = append(s.x, g.fraction)
		s.mean = append(s.mean, d.Mean)
		s.std = append(s.std, d.Std)
	}
	return s
}

// armPalette colours arms other than full and grad_only, in baseline order.
var armPalette = []color.RGBA{
	{R: 230, G: 120, B: 0, A: 255},  // orange
	{R: 0, G: 150, B: 70, A: 255},   // green
	{R: 170, G: 40, B: 160, A: 255}, // purple
	{R: 200, G: 30, B: 30, A: 255},  // red
	{R: 120, G: 80, B: 30, A: 255},  // brown
}

// armGlyphs marks arms other than full and grad_only.
var armGlyphs = []draw.GlyphDrawer{draw.TriangleGlyph{}, draw.PyramidGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}, draw.RingGlyph{}}

// armStyle returns the colour, dash pattern and marker of an arm: full is
// solid blue with circles, grad_only dashed grey with squares, the i-th
// other arm a distinct colour and marker.
func armStyle(arm string, i int) (color.RGBA, []vg.Length, draw.GlyphDrawer) {
	switch arm {
	case armFull:
		return color.RGBA{R: 31, G: 90, B: 200, A: 255}, nil, draw.CircleGlyph{}
	case armGradOnly:
		return color.RGBA{R: 110, G: 110, B: 110, A: 255}, []vg.Length{vg.Points(6), vg.Points(3)}, draw.BoxGlyph{}
	}
	return armPalette[i%len(armPalette)], []vg.Length{vg.Points(2), vg.Points(2)}, armGlyphs[i%len(armGlyphs)]
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

// addSeries draws s with its band on p, with a legend entry if legend is
// set; other is the index of the arm among the arms that are neither full
// nor grad_only.
func addSeries(p *plot.Plot, s series, other int, legend bool) error {
	c, dashes, glyph := armStyle(s.arm, other)
	pts := make(plotter.XYs, len(s.x))
	for i := range s.x {
		pts[i] = plotter.XY{X: s.x[i], Y: s.mean[i]}
	}
	if band := bandPolygon(s); band != nil {
		poly, err := plotter.NewPolygon(band)
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
	line.Color = c
	line.Width = vg.Points(1.8)
	line.Dashes = dashes
	scatter.Color = c
	scatter.Shape = glyph
	scatter.Radius = vg.Points(3)
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

// linePlot draws the series on a new plot, with a legend when there is
// more than one; it returns nil when no series has a point.
func linePlot(title, xLabel, yLabel string, quick, legendTop bool, ss []series) (*plot.Plot, error) {
	drawn := 0
	for _, s := range ss {
		if len(s.x) > 0 {
			drawn++
		}
	}
	if drawn == 0 {
		return nil, nil
	}
	p := newPlot(title, xLabel, yLabel, quick)
	p.Legend.Top = legendTop
	p.Legend.XOffs = -vg.Points(6)
	p.Legend.YOffs = vg.Points(4)
	if legendTop {
		p.Legend.YOffs = -vg.Points(4)
	}
	other := 0
	for _, s := range ss {
		if len(s.x) == 0 {
			continue
		}
		if err := addSeries(p, s, other, drawn > 1); err != nil {
			return nil, err
		}
		if s.arm != armFull && s.arm != armGradOnly {
			other++
		}
	}
	return p, nil
}

// epochPlot draws metric per epoch for each group; nil when there is no data.
func epochPlot(title, yLabel string, quick, legendTop bool, groups []*group, metric metricFunc) (*plot.Plot, error) {
	var ss []series
	epochs := 0
	for _, g := range groups {
		if g == nil {
			continue
		}
		s := epochSeries(g, metric)
		if len(s.x) > 0 {
			epochs = max(epochs, int(s.x[len(s.x)-1]))
		}
		ss = append(ss, s)
	}
	p, err := linePlot(title, "epoch", yLabel, quick, legendTop, ss)
	if p != nil && epochs <= 20 {
		epochTicks(p, epochs)
	}
	return p, err
}

// pairGroups returns the full and grad_only groups the per-epoch figures
// compare: for a tuning study the paper-locked (else selected) full
// configuration; otherwise the arms at the largest fraction. Either may be nil.
func (a *analysis) pairGroups() (full, grad *group) {
	if a.tuning != nil {
		return a.tuning.reference(), a.tuning.gradOnly
	}
	fs := fractions(a.groups)
	if len(fs) == 0 {
		return nil, nil
	}
	f := fs[len(fs)-1]
	return armGroup(a.groups, armFull, f), armGroup(a.groups, armGradOnly, f)
}

// figures renders the named figure of the study. It returns no figures and
// a reason when the study has no data for it.
func (a *analysis) figures(name string, quick bool) ([]figure, string, error) {
	full, grad := a.pairGroups()
	pair := []*group{full, grad}
	fullIs := "" // names the tuning study's full configuration in captions
	if a.tuning != nil && full != nil {
		fullIs = " Full = " + full.label + "."
	}
	type panel struct {
		base, caption, title, yLabel string
		legendTop                    bool
		build                        func(title, yLabel string, legendTop bool) (*plot.Plot, error)
	}
	perEpoch := func(groups []*group, m metricFunc) func(string, string, bool) (*plot.Plot, error) {
		return func(title, yLabel string, top bool) (*plot.Plot, error) {
			return epochPlot(title, yLabel, quick, top, groups, m)
		}
	}
	perFraction := func(final func(*group) Sample) func(string, string, bool) (*plot.Plot, error) {
		return func(title, yLabel string, top bool) (*plot.Plot, error) {
			ss := []series{fractionSeries(a.groups, armFull, final), fractionSeries(a.groups, armGradOnly, final)}
			p, err := linePlot(title, "training data fraction (log scale)", yLabel, quick, top, ss)
			if p != nil {
				p.X.Scale = plot.LogScale{}
				var ticks []plot.Tick
				for _, f := range fractions(a.groups) {
					ticks = append(ticks, plot.Tick{Value: f, Label: fmtFraction(f)})
				}
				p.X.Tick.Marker = plot.ConstantTicks(ticks)
			}
			return p, err
		}
	}
	var panels []panel
	switch name {
	case "fig2a":
		panels = []panel{{"fig2a_mnist_accuracy", "Figure 2A: MNIST test accuracy per epoch, full vs grad-only (mean ± 1 std over seeds)." + fullIs,
			"Fig. 2A: MNIST test accuracy", "test accuracy", false, perEpoch(pair, testAcc)}}
	case "fig2b":
		panels = []panel{{"fig2b_fashion_accuracy", "Figure 2B: Fashion-MNIST test accuracy per epoch, full vs grad-only (mean ± 1 std over seeds)." + fullIs,
			"Fig. 2B: Fashion-MNIST test accuracy", "test accuracy", false, perEpoch(pair, testAcc)}}
	case "fig3":
		panels = []panel{
			{"fig3a_lowdata_accuracy", "Figure 3A: final test accuracy against the training data fraction (mean ± 1 std).",
				"Fig. 3A: low data, final test accuracy", "final test accuracy", false, perFraction(func(g *group) Sample { return g.final })},
			{"fig3b_lowdata_loss", "Figure 3B: final test loss against the training data fraction (mean ± 1 std).",
				"Fig. 3B: low data, final test loss", "final test loss", true, perFraction(func(g *group) Sample { return g.loss })},
		}
	case "fig4":
		panels = []panel{
			{"fig4a_" + a.study.Name + "_accuracy", "Figure 4A: " + a.study.Title + ", test accuracy per epoch (mean ± 1 std)." + fullIs,
				"Fig. 4A: " + a.study.Title + ", test accuracy", "test accuracy", false, perEpoch(pair, testAcc)},
			{"fig4b_" + a.study.Name + "_loss", "Figure 4B: " + a.study.Title + ", test loss per epoch (mean ± 1 std)." + fullIs,
				"Fig. 4B: " + a.study.Title + ", test loss", "test loss", true, perEpoch(pair, testLoss)},
		}
	case "fig5":
		panels = []panel{
			{"fig5a_alpha_mean", "Figure 5A: the full arm's mean plasticity coefficient alpha per epoch (mean ± 1 std over seeds)." + fullIs,
				"Fig. 5A: full arm, alpha mean", "alpha_mean", true, perEpoch([]*group{full}, alphaMean)},
			{"fig5b_effective_update_norm", "Figure 5B: the full arm's effective update norm per epoch (mean ± 1 std over seeds)." + fullIs,
				"Fig. 5B: full arm, effective update norm", "effective_update_norm", true, perEpoch([]*group{full}, effectiveUpdateNorm)},
		}
	case "baselines":
		panels = []panel{{"baselines_accuracy", "Optimizer baselines: test accuracy per epoch, every arm (mean ± 1 std over seeds).",
			"Optimizer baselines: test accuracy", "test accuracy", false, perEpoch(a.largestFractionGroups(), testAcc)}}
	default:
		return nil, "", fmt.Errorf("report: unknown figure %q", name)
	}
	var out []figure
	for _, pn := range panels {
		p, err := pn.build(pn.title, pn.yLabel, pn.legendTop)
		if err != nil {
			return nil, "", err
		}
		if p == nil {
			return nil, fmt.Sprintf("%s not drawn: no completed runs with the plotted quantity", name), nil
		}
		out = append(out, figure{base: pn.base, caption: pn.caption, plot: p})
	}
	return out, "", nil
}

// largestFractionGroups returns the groups at the largest fraction, in
// baseline order.
func (a *analysis) largestFractionGroups() []*group {
	fs := fractions(a.groups)
	var out []*group
	for _, g := range orderBaselines(a.groups) {
		if len(fs) > 0 && g.fraction == fs[len(fs)-1] {
			out = append(out, g)
		}
	}
	return out
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
