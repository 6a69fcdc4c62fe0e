package report

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// tieTolerance is the absolute per-seed difference below which a paired
// comparison counts a tie rather than a win or a loss.
const tieTolerance = 1e-12

// Robustness labels of a paired comparison, as the reference defines them.
const (
	Robust       = "robust"
	Marginal     = "marginal"
	Inconclusive = "inconclusive"
)

// robustGap is the mean final-accuracy gap above which a comparison that
// wins every shared seed is labelled robust.
const robustGap = 0.003

// Sample summarises one quantity across seeds.
type Sample struct {
	// N is the number of values.
	N int
	// Mean is the arithmetic mean; NaN when N is 0.
	Mean float64
	// Std is the sample standard deviation (n-1 denominator); NaN when N < 2.
	Std float64
	// Lo and Hi bound the two-sided 95% Student t interval of the mean
	// (n-1 degrees of freedom); NaN when N < 2.
	Lo, Hi float64
}

// Describe returns the mean, sample standard deviation and 95% t interval
// of x. It does not modify x.
func Describe(x []float64) Sample {
	s := Sample{N: len(x), Mean: math.NaN(), Std: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	if s.N == 0 {
		return s
	}
	s.Mean = stat.Mean(x, nil)
	if s.N < 2 {
		return s
	}
	s.Std = stat.StdDev(x, nil) // unbiased: divides by n-1
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(s.N - 1)}.Quantile(0.975)
	half := q * s.Std / math.Sqrt(float64(s.N))
	s.Lo, s.Hi = s.Mean-half, s.Mean+half
	return s
}

// Tally counts the wins (d >= tieTolerance), ties (|d| < tieTolerance) and
// losses of the per-seed differences d.
func Tally(d []float64) (wins, ties, losses int) {
	for _, v := range d {
		switch {
		case math.Abs(v) < tieTolerance:
			ties++
		case v > 0:
			wins++
		default:
			losses++
		}
	}
	return wins, ties, losses
}

// PairedTTest returns the paired t statistic of the per-seed differences d
// and its two-sided p-value (Student t, n-1 degrees of freedom). Both are
// NaN when the test is undefined: fewer than two differences or zero
// variance.
func PairedTTest(d []float64) (t, p float64) {
	if len(d) < 2 {
		return math.NaN(), math.NaN()
	}
	mean, std := stat.MeanStdDev(d, nil)
	if std == 0 {
		return math.NaN(), math.NaN()
	}
	n := float64(len(d))
	t = mean / (std / math.Sqrt(n))
	p = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Survival(math.Abs(t))
	return t, p
}

// Robustness labels a comparison as the reference does: Robust when the
// mean final gap exceeds 0.003 and the first arm wins every one of the n
// shared seeds, Marginal when the gap is positive, Inconclusive otherwise
// (including no shared seeds).
func Robustness(gap float64, wins, n int) string {
	switch {
	case n > 0 && gap > robustGap && wins == n:
		return Robust
	case n > 0 && gap > 0:
		return Marginal
	default:
		return Inconclusive
	}
}
