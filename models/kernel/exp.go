package kernel

import "math"

// Exp64 returns e^x as Go's math.Exp computes it on amd64 with FMA (the
// assembly there, which produced the committed numbers; after Shibata's
// method from SLEEF): x reduced by k*ln2 and then by 1/16, a degree 8
// Taylor polynomial, four squarings of 1+x in the form x*(x+2), and the
// scaling by 2^k. It is written in Go so that every machine computes the
// same bits: math.Exp takes another path on amd64 CPUs without FMA, and
// elsewhere it is Go code that the compiler may fuse differently. Every
// product meant to be rounded is converted explicitly and every fused
// multiply-add is a math.FMA, which is exact everywhere
// (docs/performance.md, "Numerics").
func Exp64(x float64) float64 {
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
	p := expCoef[0]
	for _, c := range expCoef[1:] {
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

// expCoef are the coefficients of Exp64's polynomial in the order of
// Horner's rule, 1/8! to 1/1!; the AVX-512 kernel reads them too.
var expCoef = [8]float64{
	2.4801587301587301587e-5, 1.9841269841269841270e-4, 1.3888888888888888889e-3, 8.3333333333333333333e-3,
	4.1666666666666666667e-2, 1.6666666666666666667e-1, 0.5, 1,
}

// Exp sets x[i] = Exp64(x[i]) for every i, the same bits.
//
// Where the CPU has AVX512F and the avx512 variant is selected (see
// SelectedVariant), an AVX-512 kernel (exp_amd64.s) computes blocks of 8
// values with Exp64's operations, rounded where Exp64 rounds and fused
// where it fuses, as long as every value of a block takes Exp64's plain
// path: k = round(x*log2(e)) from -1022 to 1023, so that 2^k is a normal
// number and x*2^k one rounding (x from about -708.74 to 709.43). It
// stops at the first block with another value (NaN, an infinity, a
// result that overflows, is subnormal in two steps or 0), which Exp64
// computes, and goes on after it. Everything else runs Exp64.
func Exp(x []float64) {
	for i := 0; i < len(x); {
		end := len(x)
		if expAsm {
			i += expAVX512(x[i:], &expCoef)
			end = min(i+expLanes, end)
		}
		for ; i < end; i++ {
			x[i] = Exp64(x[i])
		}
	}
}

// expLanes is how many values the AVX-512 kernel computes at a time.
const expLanes = 8

// expAsm reports whether Exp runs expAVX512, set where the CPU has
// AVX512F and the avx512 variant is selected; tests clear it to run Exp64
// alone.
var expAsm bool
