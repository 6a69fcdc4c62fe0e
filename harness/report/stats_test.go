package report

import (
	"math"
	"slices"
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

// The constants below were computed with SciPy 1.10.1 (Debian's
// python3-scipy): binomtest(k, n).pvalue, wilcoxon(d).pvalue (exact),
// wilcoxon(d, method="approx", correction=False).pvalue, ttest_ind(x, y,
// equal_var=False) with its Welch interval from t.ppf, and the power of the
// paired t-test as nct.sf(tc, n-1, d*sqrt(n)) + nct.cdf(-tc, n-1,
// d*sqrt(n)), tc = t.ppf(0.975, n-1), solved for 0.8 with brentq.

func TestSignTest(t *testing.T) {
	cases := []struct {
		name string
		d    []float64
		want float64
	}{
		{"ten wins", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.001953125},
		{"seven of ten", []float64{1, 1, 1, 1, 1, 1, 1, -1, -1, -1}, 0.34375},
		{"three wins", []float64{0.001, 0.002, 0.003}, 0.25},
		{"ties dropped", []float64{0.001, 0, 0.002, 0.003}, 0.25},
		{"all ties", []float64{0, 0}, math.NaN()},
	}
	for _, c := range cases {
		if got := SignTest(c.d); !closeTo(got, c.want, 1e-12) {
			t.Errorf("%s: SignTest = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestWilcoxon(t *testing.T) {
	cases := []struct {
		name string
		d    []float64
		want float64
	}{
		{"exact, all positive", []float64{0.004, 0.0071, 0.0093, 0.0052, 0.0115, 0.0068, 0.0049, 0.0083, 0.0061, 0.0102}, 0.001953125},
		{"exact, mixed signs", []float64{1.5, -0.5, 2.0, 3.1, -1.2, 0.7, 2.2}, 0.109375},
		// Exact over the 2^8 sign flips of the mid-ranks 2, 2, 2, 4.5, 4.5,
		// 7, 7, 7 (W+ = 29.5): 16 of 256 flips are at least as extreme.
		{"tied ranks: exact", []float64{1, 1, 2, -1, 3, 3, 3, -2}, 0.125},
		// 0.8812-0.8800 and 0.8790-0.8778 differ in the last bits only: a tie.
		{"ties up to rounding", []float64{1, 1 + 1e-15, 2, -1, 3, 3, 3 - 1e-15, -2}, 0.125},
		{"three wins", []float64{0.001, 0.002, 0.003}, 0.25},
		{"three wins, two tied", []float64{0.001, 0.001, 0.003}, 0.25},
		// Above 50 pairs: the normal approximation with the tie correction.
		{"normal approximation", append(slices.Repeat([]float64{1, -2, 3}, 17), 4), 0.022696408634329455},
		{"all zero", []float64{0, 0}, math.NaN()},
	}
	for _, c := range cases {
		if got := Wilcoxon(c.d); !closeTo(got, c.want, 1e-9) {
			t.Errorf("%s: Wilcoxon = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestWelchTest(t *testing.T) {
	x := []float64{0.0051, 0.0060, 0.0042}
	y := []float64{0.0010, 0.0022, -0.0005, 0.0015}
	diff, lo, hi, p := WelchTest(x, y)
	if !closeTo(diff, 0.00405, 1e-12) || !closeTo(lo, 0.0020562665206312444, 1e-9) || !closeTo(hi, 0.0060437334793687555, 1e-9) ||
		!closeTo(p, 0.0034671039055505686, 1e-9) {
		t.Errorf("WelchTest = %v [%v, %v] p %v", diff, lo, hi, p)
	}
	if _, lo, _, p := WelchTest([]float64{1}, y); !math.IsNaN(lo) || !math.IsNaN(p) {
		t.Errorf("WelchTest with one value: interval and p should be NaN")
	}
}

func TestPower(t *testing.T) {
	// Simpson's rule over 2000 steps: 1e-6 is far below any printed digit.
	const tol = 1e-6
	powers := []struct {
		n    int
		d    float64
		want float64
	}{{3, 0.5, 0.0841070558907579}, {10, 0.5, 0.29317560653004143}, {2, 1.0, 0.0928091550544744}}
	for _, c := range powers {
		if got := PairedPower(c.n, c.d); !closeTo(got, c.want, tol) {
			t.Errorf("PairedPower(%d, %v) = %v, want %v", c.n, c.d, got, c.want)
		}
	}
	mdes := []struct {
		n        int
		sd, want float64
	}{{3, 1, 3.2640435498142004}, {10, 0.002, 0.002 * 0.9960013714362282}, {1, 1, math.NaN()}, {5, 0, math.NaN()}}
	for _, c := range mdes {
		if got := MinDetectable(c.n, c.sd); !closeTo(got, c.want, tol*math.Max(c.sd, 1e-3)) {
			t.Errorf("MinDetectable(%d, %v) = %v, want %v", c.n, c.sd, got, c.want)
		}
	}
	if got := ResolvingN(0.001, 0.002); got != 34 {
		t.Errorf("ResolvingN(0.001, 0.002) = %d, want 34", got)
	}
	if got := ResolvingN(0, 0.002); got != 0 {
		t.Errorf("ResolvingN(0, 0.002) = %d, want 0", got)
	}
}

func TestHolm(t *testing.T) {
	// Hand-computed: sorted 0.01, 0.03, 0.04 times 3, 2, 1 = 0.03, 0.06,
	// 0.04, made monotone: 0.03, 0.06, 0.06.
	got := Holm([]float64{0.04, 0.01, math.NaN(), 0.03})
	want := []float64{0.06, 0.03, math.NaN(), 0.06}
	for i := range want {
		if !closeTo(got[i], want[i], 1e-15) {
			t.Errorf("Holm = %v, want %v", got, want)
			break
		}
	}
	if got := Holm([]float64{0.5, 0.9}); got[0] != 1 || got[1] != 1 {
		t.Errorf("Holm caps at 1: got %v", got)
	}
}
