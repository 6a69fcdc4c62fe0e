package optim

// The reference implementation's fixed constants.
const (
	traceDecay = 0.95 // A <- 0.95*A + 0.05*|g|
	traceRate  = 0.05
	memDecay   = 0.9 // m <- 0.9*m + 0.1*g
	memRate    = 0.1
	sqDecay    = 0.99 // v <- 0.99*v + 0.01*g*g
	sqRate     = 0.01
	npEps      = 1e-8 // in n(x), in |m|/(sqrt(v)+eps), in the norm cap and in the rms
	gainMin    = 0.5  // the stabilizer's gain is clamped to [0.5, 1.5]
	gainMax    = 1.5
	nearFrac   = 0.05 // diagnostics: "near" min/max = within 5% of the clamp range
)

// The formula pieces, each one line of the update in docs/algorithm.md, in float32.

// trace returns the new activity trace 0.95*A + 0.05*|g|.
func trace(a, g float32) float32 { return ema(traceDecay, a, traceRate, abs32(g)) }

// memory returns the new memory 0.9*m + 0.1*g (no bias correction).
func memory(m, g float32) float32 { return ema(memDecay, m, memRate, g) }

// second returns the new second-moment trace 0.99*v + 0.01*g*g.
func second(v, g float32) float32 { return emaSq(sqDecay, v, sqRate, g) }

// ema returns the moving average d*m + r*x, each product rounded to float32
// before the sum (never fused), as NeuroPlastic's traces and Adam's first
// moment are kept.
func ema(d, m, r, x float32) float32 { return float32(d*m) + float32(r*x) }

// emaSq returns the moving average of squares d*v + (r*g)*g, rounded as ema.
func emaSq(d, v, r, g float32) float32 { return float32(d*v) + float32(float32(r*g)*g) }

// memSignal returns r = |m| / (sqrt(v) + 1e-8), the memory term a_full
// standardises.
func memSignal(m, v float32) float32 { return abs32(m) / (sqrt32(v) + npEps) }

// recip returns 1/d in float64, for quo.
func recip(d float32) float64 { return 1 / float64(d) }

// quo returns x/d rounded to float32, given r = recip(d): float32(x*r) in
// float64. It equals the float32 division whenever x/d is a normal float32.
// Proof: with x = X*2^a and d = D*2^b, X and D 24-bit integers, a float32
// rounding midpoint is M*2^c with M odd and of 25 bits; x/d = M*2^c would
// need M to divide X, impossible as M > X, so x/d - M*2^c is a non-zero
// multiple of 2^(b+c)/d, at least 2^-49 relative to x/d. The float64 product
// is within 2^-52 relative of x/d (two roundings of 2^-53), so it rounds to
// the same float32. TestQuo checks it. A division costs several times a
// multiply and two conversions.
func quo(x float32, r float64) float32 { return float32(float64(x) * r) }

// stdDenom returns mean(x) + 1e-8 for a tensor of n elements summing to sum,
// so that the standardisation is n(x) = x / stdDenom: a division by the mean,
// no centering. The mean is rounded to float32 as torch's x.mean() is.
func stdDenom(sum float64, n int) float32 { return float32(sum/float64(n)) + npEps }

// mix returns the unclamped a_full = wa*n(A) + wg*G + wm*n(r).
func mix(wa, wg, wm, nA, gs, nR float32) float32 {
	return float32(wa*nA) + float32(wg*gs) + float32(wm*nR)
}

// blend returns alpha = a_go + k*(a_full - a_go).
func blend(aGo, aFull, k float32) float32 { return aGo + float32(k*(aFull-aGo)) }

// gate returns the warm-up gate: 1 if warmup <= 0, else
// clamp((epoch-1)/warmup, 0, 1) with the 1-based epoch (float64 as in
// Python). It depends on nothing else, in particular not on a step count.
func gate(epoch, warmup int) float64 {
	if warmup <= 0 {
		return 1
	}
	return min(max(float64(epoch-1)/float64(warmup), 0), 1)
}

// capScale returns the factor stabilize's cap applies to an update of norm
// norm: max_update_norm/(norm + 1e-8) when norm > max_update_norm, else 1.
func capScale(norm, maxNorm float32) float32 {
	if norm > maxNorm {
		return maxNorm / (norm + npEps)
	}
	return 1
}

// rmsGain returns stabilize's gain clamp(1 + rate*(target - rms), 0.5, 1.5)
// with rms = sqrt(mean(u*u) + 1e-8) for n elements whose squares sum to sumSq.
func rmsGain(sumSq float64, n int, target, rate float32) float32 {
	rms := sqrt32(float32(sumSq/float64(n)) + npEps)
	return clamp32(1+float32(rate*(target-rms)), gainMin, gainMax)
}
