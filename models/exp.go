package models

import "math"

// exp64 and log64 are math.Exp and math.Log as Go computes them on amd64
// with FMA (assembly there, which produced the committed numbers), written
// in Go so that every machine computes the same bits: math.Exp takes
// another path on amd64 CPUs without FMA, and elsewhere both are Go code
// that the compiler may fuse differently. Every product meant to be
// rounded is converted explicitly and every fused multiply-add is a
// math.FMA, which is exact everywhere (docs/performance.md, "Numerics").

// exp64 returns e^x: Go's amd64 Exp (after Shibata's method from SLEEF),
// reduced by k*ln2 and then by 1/16, a degree 8 Taylor polynomial, four
// squarings of 1+x in the form x*(x+2), and the scaling by 2^k.
func exp64(x float64) float64 {
	const (
		log2e    = 1.4426950408889634073599246810018920
		ln2U     = 0.69314718055966295651160180568695068359375
		ln2L     = 0.28235290563031577122588448175013436025525412068e-12
		overflow = 7.09782712893384e+02
	)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case math.IsInf(x, -1):
		return 0
	case x > overflow:
		return math.Inf(1)
	}
	// k = round(x*log2(e)) as CVTSD2SL: to even, and -2^31 when out of
	// range (x is at most the overflow bound here, so only below).
	k := max(math.RoundToEven(float64(x*log2e)), -1<<31)
	x = math.FMA(-k, ln2U, x)
	x = math.FMA(-k, ln2L, x)
	x = float64(x * 0.0625)
	p := 2.4801587301587301587e-5
	for _, c := range [...]float64{
		1.9841269841269841270e-4, 1.3888888888888888889e-3, 8.3333333333333333333e-3,
		4.1666666666666666667e-2, 1.6666666666666666667e-1, 0.5, 1,
	} {
		p = math.FMA(p, x, c)
	}
	x = float64(x * p)
	for range 3 {
		x = float64(x * (x + 2))
	}
	x = math.FMA(x, x+2, 1)
	// x * 2^k, in two steps when 2^k is subnormal; 0 below 2^-1075.
	e := int64(k) + 1023
	switch {
	case e >= 0x7ff:
		return math.Inf(1)
	case e <= 0:
		if e < -52 {
			return 0
		}
		x = float64(x * math.Float64frombits(uint64(e+1022)<<52))
		e = 1
	}
	return float64(x * math.Float64frombits(uint64(e)<<52))
}

// log64 returns the natural logarithm of x: Go's amd64 Log (FreeBSD's
// algorithm): x = f1*2^k with f1 in (sqrt(2)/2, sqrt(2)], f = f1-1 and
// s = f/(2+f), log(1+f) from a polynomial in s^2.
func log64(x float64) float64 {
	const (
		hSqrt2 = 7.07106781186547524401e-01
		ln2Hi  = 6.93147180369123816490e-01
		ln2Lo  = 1.90821492927058770002e-10
		l1     = 6.666666666666735130e-01
		l2     = 3.999999999940941908e-01
		l3     = 2.857142874366239149e-01
		l4     = 2.222219843214978396e-01
		l5     = 1.818357216161805012e-01
		l6     = 1.531383769920937332e-01
		l7     = 1.479819860511658591e-01
	)
	b := math.Float64bits(x)
	switch {
	case b<<1 == 0:
		return math.Inf(-1)
	case b>>63 != 0:
		return math.NaN()
	case math.IsInf(x, 1) || math.IsNaN(x):
		return x
	}
	// The exponent is read off the bits, as the assembly does (subnormal
	// x are not normalised).
	f1 := math.Float64frombits(b&(1<<52-1) | 0x3fe<<52)
	k := float64(int64(b>>52&0x7ff) - 0x3fe)
	if f1 <= hSqrt2 {
		k--
		f1 *= 2
	}
	f := f1 - 1
	s := f / (2 + f)
	s2 := float64(s * s)
	s4 := float64(s2 * s2)
	t1 := float64(s2 * (l1 + float64(s4*(l3+float64(s4*(l5+float64(s4*l7)))))))
	t2 := float64(s4 * (l2 + float64(s4*(l4+float64(s4*l6)))))
	r := t1 + t2
	hfsq := float64(float64(0.5*f) * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+r)) + float64(k*ln2Lo))) - f)
}
