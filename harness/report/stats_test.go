package report

import (
	"math"
	"testing"
)

// closeTo reports whether got is within tol of want (NaN matches NaN).
func closeTo(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol
}

func TestDescribe(t *testing.T) {
	// Hand-computed: [1,2,3,4] has mean 2.5, sample variance 5/3, and the
	// 95% half-width t(0.975, 3) * s / sqrt(4) with t(0.975, 3) = 3.182446305
	// (standard t table; R: qt(0.975, 3)).
	const t3 = 3.182446305284263
	s := math.Sqrt(5.0 / 3)
	half := t3 * s / 2
	nan := math.NaN()
	cases := []struct {
		name string
		x    []float64
		want Sample
	}{
		{"four", []float64{1, 2, 3, 4}, Sample{N: 4, Mean: 2.5, Std: s, Lo: 2.5 - half, Hi: 2.5 + half}},
		{"order does not matter", []float64{4, 1, 3, 2}, Sample{N: 4, Mean: 2.5, Std: s, Lo: 2.5 - half, Hi: 2.5 + half}},
		// Two values: t(0.975, 1) = 12.706204736 (Cauchy quantile tan(0.475*pi)).
		{"two", []float64{0.97, 0.98}, Sample{N: 2, Mean: 0.975, Std: 0.01 / math.Sqrt2,
			Lo: 0.975 - 12.706204736174698*0.005, Hi: 0.975 + 12.706204736174698*0.005}},
		{"one", []float64{0.9}, Sample{N: 1, Mean: 0.9, Std: nan, Lo: nan, Hi: nan}},
		{"none", nil, Sample{N: 0, Mean: nan, Std: nan, Lo: nan, Hi: nan}},
	}
	// Tolerance: the t quantile comes from gonum's inverse incomplete beta,
	// accurate to ~1e-12 relative; 1e-9 leaves room without hiding errors.
	const tol = 1e-9
	for _, c := range cases {
		got := Describe(c.x)
		if got.N != c.want.N || !closeTo(got.Mean, c.want.Mean, tol) || !closeTo(got.Std, c.want.Std, tol) ||
			!closeTo(got.Lo, c.want.Lo, tol) || !closeTo(got.Hi, c.want.Hi, tol) {
			t.Errorf("%s: Describe(%v) = %+v, want %+v", c.name, c.x, got, c.want)
		}
	}
}

func TestPairedTTest(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name  string
		d     []float64
		wantT float64
		wantP float64
	}{
		// d = [1,2,3,4]: t = 2.5 / (sqrt(5/3)/2) = sqrt(15) with 3 dof. The t
		// distribution with 3 dof has the closed form CDF
		// F(t) = 1/2 + (x/(1+x^2) + atan(x))/pi, x = t/sqrt(3) = sqrt(5), so
		// p = 1 - (2/pi)(sqrt(5)/6 + atan(sqrt(5))) = 0.030466291662170963
		// (R's t.test(c(1,2,3,4)) prints p-value = 0.03047).
		{"three dof", []float64{1, 2, 3, 4}, math.Sqrt(15), 0.030466291662170963},
		{"negative differences", []float64{-1, -2, -3, -4}, -math.Sqrt(15), 0.030466291662170963},
		// d = [1,3]: t = 2 / (sqrt(2)/sqrt(2)) = 2 with 1 dof (Cauchy):
		// p = 1 - (2/pi) atan(2) = 0.2951672353008665.
		{"one dof", []float64{1, 3}, 2, 0.2951672353008665},
		{"single difference", []float64{0.001}, nan, nan},
		{"zero variance", []float64{0.002, 0.002, 0.002}, nan, nan},
		{"empty", nil, nan, nan},
	}
	// Tolerance: gonum's regularized incomplete beta is accurate to ~1e-14;
	// 1e-10 is far below any digit the tables print.
	const tol = 1e-10
	for _, c := range cases {
		gotT, gotP := PairedTTest(c.d)
		if !closeTo(gotT, c.wantT, tol) || !closeTo(gotP, c.wantP, tol) {
			t.Errorf("%s: PairedTTest(%v) = (%v, %v), want (%v, %v)", c.name, c.d, gotT, gotP, c.wantT, c.wantP)
		}
	}
}

func TestTally(t *testing.T) {
	w, ti, l := Tally([]float64{0.001, 1e-13, -1e-13, 0, -0.002, 2e-12})
	if w != 2 || ti != 3 || l != 1 {
		t.Errorf("Tally = %d/%d/%d, want 2/3/1", w, ti, l)
	}
}

func TestRobustness(t *testing.T) {
	cases := []struct {
		name       string
		gap        float64
		wins, n    int
		wantResult string
	}{
		{"large gap, all wins", 0.004, 3, 3, Robust},
		{"large gap, one loss", 0.004, 2, 3, Marginal},
		{"gap at the threshold", 0.003, 3, 3, Marginal},
		{"small gap, all wins", 0.001, 3, 3, Marginal},
		{"zero gap", 0, 0, 3, Inconclusive},
		{"negative gap", -0.01, 0, 3, Inconclusive},
		{"no shared seeds", math.NaN(), 0, 0, Inconclusive},
	}
	for _, c := range cases {
		if got := Robustness(c.gap, c.wins, c.n); got != c.wantResult {
			t.Errorf("%s: Robustness(%v, %d, %d) = %q, want %q", c.name, c.gap, c.wins, c.n, got, c.wantResult)
		}
	}
}
