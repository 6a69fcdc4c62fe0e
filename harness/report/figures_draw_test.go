package report

import "testing"

// TestEndsHigh checks the legend's corner: rising series (accuracy) end
// high and put it at the bottom, falling ones (loss) at the top, judged on
// the average end against the middle of all the series' range.
func TestEndsHigh(t *testing.T) {
	rising := []series{{mean: []float64{0.80, 0.85, 0.90}}, {mean: []float64{0.70, 0.80, 0.88}}}
	falling := []series{{mean: []float64{0.9, 0.5, 0.3}}, {mean: []float64{1.2, 0.6, 0.4}}}
	mixed := []series{{mean: []float64{0, 1}}, {mean: []float64{1, 0.1}}} // ends average 0.55 > 0.5
	for _, c := range []struct {
		name string
		ss   []series
		want bool
	}{{"rising", rising, true}, {"falling", falling, false}, {"mixed", mixed, true}} {
		if got := endsHigh(c.ss); got != c.want {
			t.Errorf("%s: endsHigh = %v, want %v", c.name, got, c.want)
		}
	}
}
