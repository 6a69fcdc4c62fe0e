package optim

import "math"

// lanes is the number of partial sums NeuroPlastic's float64 reductions
// keep: element j of a tensor adds into partial sum j%lanes, and the
// partial sums are combined by laneSums.sum in a fixed tree. The result so
// depends only on the data, and the AVX-512 kernels (16 float32 per
// register, converted to two registers of 8 float64 partial sums), the
// AVX2 kernels (two registers of 8 float32, four of 4 float64 partial
// sums) and the portable Go loops, which all follow this structure, agree
// bit for bit.
const lanes = 16

// laneSums are the partial sums of one reduction.
type laneSums [lanes]float64

// sum combines the partial sums pairwise: s[l] + s[l+8], then the halves of
// what is left, down to one value.
func (s laneSums) sum() float64 {
	for w := lanes / 2; w > 0; w /= 2 {
		for l := range w {
			s[l] += s[l+w]
		}
	}
	return s[0]
}

// traceLanes are pass 1's partial sums: of |g|, g*g, the new A and r (the
// last two only with a_full).
type traceLanes struct{ abs, gradSq, a, r laneSums }

// statLanes accumulate alpha's statistics over a parameterwise pass 2 (see
// alphaStats): partial sums of d = alpha - shift, d*d and (alpha*g)^2, the
// extremes and the counts near the clamp ends.
type statLanes struct {
	sumD, sumD2, rawSq laneSums
	min, max           float32
	nearLo, nearHi     int
}

// newStatLanes returns empty statistics.
func newStatLanes() statLanes {
	return statLanes{min: float32(math.Inf(1)), max: float32(math.Inf(-1))}
}

// stats returns the combined statistics, deviations taken from shift.
func (s *statLanes) stats(shift float64) alphaStats {
	return alphaStats{shift, s.sumD.sum(), s.sumD2.sum(), s.min, s.max, s.nearLo, s.nearHi, s.rawSq.sum()}
}

// tracesGo is traces' portable loop; element j adds into lane j%lanes of s.
func tracesGo(g, a, m, v []float32, s *traceLanes) {
	a, m, v = a[:len(g)], m[:len(g)], v[:len(g)]
	for j, gj := range g {
		// A <- 0.95*A + 0.05*|g|;  m <- 0.9*m + 0.1*g;  v <- 0.99*v + 0.01*g*g
		a[j], m[j], v[j] = trace(a[j], gj), memory(m[j], gj), second(v[j], gj)
		l := j % lanes
		s.abs[l] += float64(abs32(gj)) // shares trace's |g|
		s.gradSq[l] += float64(float64(gj) * float64(gj))
	}
}

// tracesFullGo is tracesFull's portable loop; element j adds into lane
// j%lanes of s.
func tracesFullGo(g, a, m, v, r []float32, s *traceLanes) {
	a, m, v, r = a[:len(g)], m[:len(g)], v[:len(g)], r[:len(g)]
	for j, gj := range g {
		aj, mj, vj := trace(a[j], gj), memory(m[j], gj), second(v[j], gj)
		a[j], m[j], v[j] = aj, mj, vj
		rj := memSignal(mj, vj)
		r[j] = rj
		l := j % lanes
		s.abs[l] += float64(abs32(gj)) // shares trace's |g|
		s.gradSq[l] += float64(float64(gj) * float64(gj))
		s.a[l] += float64(aj)
		s.r[l] += float64(rj)
	}
}

// statsRawGo replaces alpha in u by the raw update alpha*g and adds alpha's
// statistics to s, element j into lane j%lanes. It is a loop of its own,
// apart from alpha's, so that each loop's accumulators and constants fit in
// registers: an accumulator spilled to memory adds a store-to-load delay to
// every element (the lanes' sums are spread over memory and do not chain).
func statsRawGo(g, u []float32, shift float64, nearLo, nearHi float32, s *statLanes) {
	u = u[:len(g)]
	aMin, aMax := s.min, s.max
	cntLo, cntHi := s.nearLo, s.nearHi
	for j, gj := range g {
		alpha := u[j]
		raw := alpha * gj
		u[j] = raw
		d := float64(alpha) - shift
		l := j % lanes
		s.sumD[l] += d
		s.sumD2[l] += float64(d * d)
		s.rawSq[l] += float64(float64(raw) * float64(raw))
		aMin, aMax = min32(aMin, alpha), max32(aMax, alpha)
		cntLo += b2i(alpha <= nearLo)
		cntHi += b2i(alpha >= nearHi)
	}
	s.min, s.max, s.nearLo, s.nearHi = aMin, aMax, cntLo, cntHi
}

// coupleDecayGo is coupleDecay's portable loop; the squares of the new u add
// into lane j%lanes of s.
func coupleDecayGo(u, w []float32, wd float32, s *laneSums) {
	w = w[:len(u)]
	for j, uj := range u {
		uj += float32(wd * w[j])
		u[j] = uj
		s[j%lanes] += float64(float64(uj) * float64(uj))
	}
}

// decayParamsGo is decayParams' portable loop.
func decayParamsGo(w []float32, lrwd float32) {
	for j := range w {
		w[j] -= float32(lrwd * w[j])
	}
}

// applyUpdateGo is applyUpdate's portable loop; the squares of the scaled u
// add into lane j%lanes of s.
func applyUpdateGo(w, u []float32, sc, gain, lr float32, s *laneSums) {
	w = w[:len(u)]
	for j, uj := range u {
		e := uj * sc * gain
		s[j%lanes] += float64(float64(e) * float64(e))
		w[j] -= float32(lr * e)
	}
}

// tensorLanes are the tensorwise rule's partial sums of G and of the
// unclamped a_full (the latter only with a_full).
type tensorLanes struct{ gs, mix laneSums }

// tensorSumsGo sums G = n(|g|) into lane j%lanes of s.gs.
func tensorSumsGo(g []float32, ap *alphaParams, s *tensorLanes) {
	for j, gj := range g {
		s.gs[j%lanes] += float64(quo(abs32(gj), ap.rG))
	}
}

// tensorSumsFullGo sums G = n(|g|) and the unclamped a_full = wa*n(A) +
// wg*G + wm*n(r), r in u, into lane j%lanes of s.gs and s.mix.
func tensorSumsFullGo(g, a, u []float32, ap *alphaParams, s *tensorLanes) {
	a, u = a[:len(g)], u[:len(g)]
	for j, gj := range g {
		gs := quo(abs32(gj), ap.rG) // G = n(|g|)
		l := j % lanes
		s.gs[l] += float64(gs)
		s.mix[l] += float64(mix(ap.wa, ap.wg, ap.wm, quo(a[j], ap.rA), gs, quo(u[j], ap.rR)))
	}
}

// scaleGo stores the raw update u = alpha*g and adds its squares into lane
// j%lanes of s.
func scaleGo(g, u []float32, alpha float32, s *laneSums) {
	u = u[:len(g)]
	for j, gj := range g {
		raw := alpha * gj
		u[j] = raw
		s[j%lanes] += float64(float64(raw) * float64(raw))
	}
}
