package report

import (
	"bytes"
	"fmt"
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
)

// Figure geometry: 6 x 4 inches; PNG at figureDPI (900 x 600 pixels).
const (
	figureWidth  = 6 * vg.Inch
	figureHeight = 4 * vg.Inch
	figureDPI    = 150
)

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
	p.Legend.Top = !endsHigh(drawn)
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

// endsHigh reports whether the series end, on average, in the upper half of
// the range of their means: the legend, drawn at the right, then goes to
// the bottom corner, away from the lines' ends (accuracy curves rise, loss
// curves fall).
func endsHigh(ss []series) bool {
	lo, hi, end := math.Inf(1), math.Inf(-1), 0.0
	for _, s := range ss {
		for _, m := range s.mean {
			lo, hi = math.Min(lo, m), math.Max(hi, m)
		}
		end += s.mean[len(s.mean)-1]
	}
	return end/float64(len(ss)) > (lo+hi)/2
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
