package optim

import "math"

// The residuals of docs/algorithm.md replace the classic update alpha*g by
// g plus a capped residual (eps = 1e-8):
//
//	orthogonal: ps = nan_to_num((alpha - a_go)*g)
//	            if sum(g^2) <= eps: delta = 0 (a skip)
//	            else: proj = sum(ps*g)/(sum(g^2) + eps);  os = nan_to_num(ps - proj*g)
//	                  match_grad_norm and ||os|| > eps: os *= ||g||/(||os|| + eps)
//	                  delta = orthogonal_lambda*schedule_gate*os, capped at
//	                  orthogonal_max_ratio*||g|| (denominator ||delta|| + eps)
//	bounded:    delta = (alpha - 1)*g, capped at residual_max_ratio*||g||
//	            (denominator ||delta|| + 1e-12)
//	update = g + delta

// orthogonalResidual stores the orthogonal-residual update in u for
// gradient g whose squares sum to gradSq, alpha and a_go, with the schedule
// gate, and returns the sum of the update's squares.
func (vx *variants) orthogonalResidual(u, g, alpha, aGo []float32, gradSq, gate float64) float64 {
	d := &vx.diag
	if gradSq <= npEps {
		d.skips++
		copy(u, g)
		return gradSq
	}
	u, alpha, aGo = u[:len(g)], alpha[:len(g)], aGo[:len(g)]
	var psG, psSq float64
	for j, gj := range g {
		ps := finiteOr0((alpha[j] - aGo[j]) * gj)
		u[j] = ps
		psG += float64(ps) * float64(gj)
		psSq += float64(ps) * float64(ps)
	}
	proj := float32(psG / (gradSq + npEps))
	for j, gj := range g {
		u[j] = finiteOr0(u[j] - float32(proj*gj))
	}
	osSq := sumSq(u)
	gradNorm := norm32(gradSq)
	f := float32(1)
	if on := norm32(osSq); vx.opt.OrthogonalNormalization == NormMatchGrad && on > npEps {
		f = gradNorm / (on + npEps)
	}
	c := float32(vx.opt.OrthogonalLambda * gate)
	var deltaSq, sigSq float64
	for j, os := range u {
		os = f * os // the signal, scaled to ||g|| with match_grad_norm (f is 1 otherwise)
		dj := c * os
		u[j] = dj
		sigSq += float64(os) * float64(os)
		deltaSq += float64(dj) * float64(dj)
	}
	sum, dSq, capped := addCapped(u, g, u, deltaSq, float32(vx.opt.OrthogonalMaxRatio)*gradNorm, npEps)
	d.psSq += psSq
	d.osSq += sigSq
	d.residualSq += dSq
	d.residualCapped += float64(b2i(capped))
	return sum
}

// boundedResidual stores the bounded-residual update in u for gradient g
// whose squares sum to gradSq and alpha, and returns the sum of the
// update's squares.
func (vx *variants) boundedResidual(u, g, alpha []float32, gradSq float64) float64 {
	u, alpha = u[:len(g)], alpha[:len(g)]
	for j, gj := range g {
		u[j] = (alpha[j] - 1) * gj // relative to 1, not to a_go
	}
	limit := float32(vx.opt.ResidualMaxRatio) * norm32(gradSq)
	sum, dSq, capped := addCapped(u, g, u, sumSq(u), limit, 1e-12)
	vx.diag.residualSq += dSq
	vx.diag.residualCapped += float64(b2i(capped))
	return sum
}

// orthogonalGate returns the orthogonal schedule's gate at progress prog:
// constant 1; late 0 up to s = orthogonal_late_start_fraction, then
// min((prog - s)/max(1 - s, 1e-12), 1); cosine 0.5*(1 - cos(pi*clamp(prog,
// 0, 1))).
func orthogonalGate(o *VariantOptions, prog float64) float64 {
	switch o.OrthogonalSchedule {
	case ScheduleConstant:
		return 1
	case PhaseLate:
		s := o.OrthogonalLateStartFraction
		if prog <= s {
			return 0
		}
		return min((prog-s)/max(1-s, 1e-12), 1)
	default: // cosine
		return 0.5 * (1 - cos64(math.Pi*min(max(prog, 0), 1)))
	}
}

// addCapped stores dst = base + h*delta, where delta's squares sum to
// deltaSq and h = limit/(||delta|| + eps) when ||delta|| > limit (the cap
// fires), else 1. It returns the sum of dst's squares, that of the capped
// delta and whether the cap fired. dst may be base or delta.
func addCapped(dst, base, delta []float32, deltaSq float64, limit, eps float32) (sum, cappedSq float64, capped bool) {
	base, delta = base[:len(dst)], delta[:len(dst)]
	h := float32(1)
	if dn := norm32(deltaSq); dn > limit {
		h, capped = limit/(dn+eps), true
	}
	for j := range dst {
		x := base[j] + float32(h*delta[j])
		dst[j] = x
		sum += float64(x) * float64(x)
	}
	return sum, float64(h) * float64(h) * deltaSq, capped
}

// finiteOr0 is nan_to_num with every non-finite value mapped to 0.
func finiteOr0(x float32) float32 {
	if !finite32(x) {
		return 0
	}
	return x
}

// finite32 reports whether x is neither NaN nor infinite: whether its
// exponent field is not all ones. It tests the bits, not x-x == 0: where x
// is a product, the compiler may fuse x-x into a multiply-subtract that
// yields the product's rounding error, not 0 (arm64 does).
func finite32(x float32) bool { return math.Float32bits(x)&0x7f800000 != 0x7f800000 }
