package models

import "math"

// log64 returns the natural logarithm of x as Go's math.Log computes it on
// amd64 (assembly there, which produced the committed numbers), written in
// Go so that every machine computes the same bits: elsewhere math.Log is
// Go code that the compiler may fuse differently. Every product meant to
// be rounded is converted explicitly (docs/performance.md, "Numerics");
// kernel.Exp64 is its exp.
//
// The algorithm is FreeBSD's: x = f1*2^k with f1 in (sqrt(2)/2, sqrt(2)],
// f = f1-1 and s = f/(2+f), log(1+f) from a polynomial in s^2.
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
