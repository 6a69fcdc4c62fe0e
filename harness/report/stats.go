package report

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// tieTolerance is the absolute per-seed difference below which a paired
// comparison counts a tie rather than a win or a loss (and the sign and
// signed-rank tests drop the pair).
const tieTolerance = 1e-12

// Test constants of every verdict (docs/specs.md, "Claims").
const (
	alpha       = 0.05 // two-sided level of the intervals and tests
	targetPower = 0.8  // power of the minimum detectable gap
	maxResolveN = 100000
)

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
	half := tQuantile(s.N-1) * s.Std / math.Sqrt(float64(s.N))
	s.Lo, s.Hi = s.Mean-half, s.Mean+half
	return s
}

// tQuantile is the two-sided critical value t(1 - alpha/2, df).
func tQuantile(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(1 - alpha/2)
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
// against a mean of 0 and its two-sided p-value (Student t, n-1 degrees of
// freedom). Both are NaN when the test is undefined: fewer than two
// differences or zero variance.
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

// SignTest returns the exact two-sided p-value of the sign test of d: ties
// (|d| < tieTolerance) are dropped and the wins are Binomial(n, 1/2) under
// the null, p = min(1, 2 min(P(X <= wins), P(X >= wins))). NaN when every
// difference is a tie.
func SignTest(d []float64) float64 {
	wins, _, losses := Tally(d)
	n := wins + losses
	if n == 0 {
		return math.NaN()
	}
	b := distuv.Binomial{N: float64(n), P: 0.5}
	lo := b.CDF(float64(wins))
	hi := 1 - b.CDF(float64(wins-1))
	return math.Min(1, 2*math.Min(lo, hi))
}

// Wilcoxon returns the two-sided p-value of the Wilcoxon signed-rank test
// of d (zeros, |d| < tieTolerance, dropped; average ranks for |d| within
// tieTolerance of each other, so differences of accuracies that are equal
// but for rounding tie).
// With at most 50 pairs the p-value is exact: the distribution of W+ over
// the 2^n sign flips of the ranks, tied ranks included (the permutation
// distribution given the mid-ranks). Above 50 it is the normal
// approximation with the tie correction of the variance and no continuity
// correction. NaN when no nonzero difference remains.
func Wilcoxon(d []float64) float64 {
	var nz []float64
	for _, v := range d {
		if math.Abs(v) >= tieTolerance {
			nz = append(nz, v)
		}
	}
	n := len(nz)
	if n == 0 {
		return math.NaN()
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(math.Abs(nz[a]), math.Abs(nz[b])) })
	// ranks2 holds twice the mid-ranks, integers even where ranks tie.
	ranks2 := make([]int, n)
	var tieTerm float64 // sum of t^3 - t over groups of tied |d|
	for i := 0; i < n; {
		j := i
		for j+1 < n && math.Abs(nz[idx[j+1]])-math.Abs(nz[idx[i]]) < tieTolerance {
			j++
		}
		if t := float64(j - i + 1); t > 1 {
			tieTerm += t*t*t - t
		}
		for k := i; k <= j; k++ {
			ranks2[idx[k]] = i + j + 2
		}
		i = j + 1
	}
	w2 := 0
	for i, v := range nz {
		if v > 0 {
			w2 += ranks2[i]
		}
	}
	if n <= 50 {
		return exactSignedRankP(ranks2, w2)
	}
	wPlus := float64(w2) / 2
	nf := float64(n)
	mean := nf * (nf + 1) / 4
	variance := nf*(nf+1)*(2*nf+1)/24 - tieTerm/48
	if variance <= 0 {
		return math.NaN()
	}
	z := (wPlus - mean) / math.Sqrt(variance)
	return math.Min(1, 2*distuv.UnitNormal.Survival(math.Abs(z)))
}

// exactSignedRankP is the exact two-sided p-value of the signed-rank
// statistic with doubled ranks ranks2 (integers) and observed doubled W+
// w2: the counts of the 2^n sign flips by rank sum, p = min(1,
// 2 min(P(W <= w), P(W >= w))).
func exactSignedRankP(ranks2 []int, w2 int) float64 {
	maxSum := 0
	for _, r := range ranks2 {
		maxSum += r
	}
	counts := make([]float64, maxSum+1)
	counts[0] = 1
	for _, r := range ranks2 {
		for s := maxSum; s >= r; s-- {
			counts[s] += counts[s-r]
		}
	}
	total := math.Pow(2, float64(len(ranks2)))
	var lo, hi float64
	for s, c := range counts {
		if s <= w2 {
			lo += c
		}
		if s >= w2 {
			hi += c
		}
	}
	return math.Min(1, 2*math.Min(lo, hi)/total)
}

// WelchTest returns the difference of means x - y, its two-sided 95%
// Welch interval and the Welch t-test p-value (Welch-Satterthwaite degrees
// of freedom). Interval and p are NaN when either side has fewer than two
// values or both variances are zero.
func WelchTest(x, y []float64) (diff, lo, hi, p float64) {
	sx, sy := Describe(x), Describe(y)
	diff = sx.Mean - sy.Mean
	if sx.N < 2 || sy.N < 2 {
		return diff, math.NaN(), math.NaN(), math.NaN()
	}
	vx, vy := sx.Std*sx.Std/float64(sx.N), sy.Std*sy.Std/float64(sy.N)
	se := math.Sqrt(vx + vy)
	if se == 0 {
		return diff, math.NaN(), math.NaN(), math.NaN()
	}
	df := (vx + vy) * (vx + vy) / (vx*vx/float64(sx.N-1) + vy*vy/float64(sy.N-1))
	dist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	half := dist.Quantile(1-alpha/2) * se
	p = 2 * dist.Survival(math.Abs(diff)/se)
	return diff, diff - half, diff + half, p
}

// PairedPower is the power of the two-sided paired t-test at level 0.05
// with n pairs when the true mean difference is d standard deviations
// (d = delta/sd): P(|T| > t(0.975, n-1)) for T noncentral t with n-1
// degrees of freedom and noncentrality d*sqrt(n). NaN for n < 2.
func PairedPower(n int, d float64) float64 {
	if n < 2 {
		return math.NaN()
	}
	df := float64(n - 1)
	tc := tQuantile(n - 1)
	ncp := math.Abs(d) * math.Sqrt(float64(n))
	// T = (Z + ncp) / (W / sqrt(df)) with W chi-distributed (df degrees of
	// freedom): integrate P(|T| > tc | W = w) against W's density with
	// Simpson's rule over the bulk of W.
	logNorm := (1-df/2)*math.Ln2 - lgamma(df/2)
	center := math.Sqrt(df)
	a, b := math.Max(0, center-12), center+12
	const steps = 2000 // even
	h := (b - a) / steps
	var sum float64
	for i := 0; i <= steps; i++ {
		w := a + float64(i)*h
		logDens := logNorm - w*w/2
		if df > 1 {
			logDens += (df - 1) * math.Log(w) // -Inf at w = 0: density 0
		}
		dens := math.Exp(logDens)
		c := tc * w / math.Sqrt(df)
		f := dens * (distuv.UnitNormal.Survival(c-ncp) + distuv.UnitNormal.CDF(-c-ncp))
		switch {
		case i == 0 || i == steps:
			sum += f
		case i%2 == 1:
			sum += 4 * f
		default:
			sum += 2 * f
		}
	}
	return sum * h / 3
}

// lgamma is the log of the gamma function of a positive argument.
func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// MinDetectable returns the smallest mean difference the two-sided paired
// t-test at level 0.05 detects with 80% power with n pairs of standard
// deviation sd. NaN when n < 2 or sd is not positive.
func MinDetectable(n int, sd float64) float64 {
	if n < 2 || !(sd > 0) {
		return math.NaN()
	}
	lo, hi := 0.0, 1.0
	for PairedPower(n, hi) < targetPower {
		hi *= 2
	}
	for range 60 {
		mid := (lo + hi) / 2
		if PairedPower(n, mid) < targetPower {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi * sd
}

// ResolvingN returns the smallest number of pairs at which the two-sided
// paired t-test at level 0.05 has 80% power for a true mean difference
// gap with standard deviation sd; 0 when it exceeds 100000 or is
// undefined (gap 0 or sd not positive).
func ResolvingN(gap, sd float64) int {
	if !(sd > 0) || gap == 0 || math.IsNaN(gap) {
		return 0
	}
	d := math.Abs(gap) / sd
	if PairedPower(maxResolveN, d) < targetPower {
		return 0
	}
	lo, hi := 2, maxResolveN // power(hi) >= target
	if PairedPower(lo, d) >= targetPower {
		return lo
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if PairedPower(mid, d) >= targetPower {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// Holm returns the Holm step-down adjusted p-values of p, in p's order:
// the i-th smallest of the m defined p-values is multiplied by m-i+1, made
// monotone and capped at 1. NaN entries stay NaN and do not count in m.
func Holm(p []float64) []float64 {
	out := make([]float64, len(p))
	var idx []int
	for i, v := range p {
		out[i] = math.NaN()
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(p[a], p[b]) })
	m := len(idx)
	running := 0.0
	for rank, i := range idx {
		running = math.Max(running, math.Min(1, float64(m-rank)*p[i]))
		out[i] = running
	}
	return out
}
