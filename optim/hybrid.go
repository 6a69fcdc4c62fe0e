package optim

import "math"

// The hybrid bases of docs/algorithm.md replace the paper's alpha*g by an
// AdamW or SGD-momentum update, which alpha then modulates:
//
//	adamw:        bm <- b1*bm + (1-b1)*g;  bv <- b2*bv + (1-b2)*g*g;  tau = max(t, 1)
//	              mh = bm/max(1-b1^tau, 1e-12);  vh = bv/max(1-b2^tau, 1e-12)
//	              base = mh/(sqrt(vh) + base_eps);  mref = mh
//	sgd_momentum: gw = g + wd*p (wd > 0);  bm <- base_momentum*bm + gw;  base = mref = bm
//	modulation:   s = alpha - 1;  gate = modulation_strength*phase_gate*layer_gate(i)
//	              gain: delta = s*base;  momentum: delta = s*mref
//	              trust_ratio: delta = s*(clamp(||p||/(||base|| + 1e-12), 0.5, 1.5) - 1)*base
//	              delta = gate*delta, capped at modulation_max_ratio*||base||
//	              update = base + delta
//
// Every product that the reference rounds to float32 before an addition is
// converted explicitly, so that no multiply-add is fused.

// adamwBase stores the adamw base update in u and m-hat in mref (which may
// be u, when only the base is needed, as the base is written last), updates
// bm and bv, and returns the sum of the base's squares. t is the step count;
// kern's vector kernel takes the elements up to the last multiple of lanes.
func adamwBase(u, mref, g, bm, bv []float32, b1, b2, eps float64, t int, kern isa) float64 {
	tau := float64(max(t, 1))
	k := adamwBaseScalars{
		d1: float32(b1), r1: float32(1 - b1),
		d2: float32(b2), r2: float32(1 - b2),
		bc1: float32(max(1-math.Pow(b1, tau), 1e-12)),
		bc2: float32(max(1-math.Pow(b2, tau), 1e-12)),
		eps: float32(eps),
	}
	j := adamwBaseBulk(kern, u, mref, g, bm, bv, &k)
	adamwBaseGo(u[j:], mref[j:], g[j:], bm[j:], bv[j:], &k)
	return sumSq(u[:len(g)])
}

// adamwBaseScalars are the float32 constants of one adamw base step: the
// decays and their complements, the bias corrections and eps. The vector
// kernels read them by their go_asm.h offsets.
type adamwBaseScalars struct {
	d1, r1, d2, r2, bc1, bc2, eps float32
}

// adamwBaseGo is adamwBase's loop. The vector kernels compute each element
// with the same float32 operations in the same order (none fused), so they
// give the same bits.
func adamwBaseGo(u, mref, g, bm, bv []float32, k *adamwBaseScalars) {
	u, mref, bm, bv = u[:len(g)], mref[:len(g)], bm[:len(g)], bv[:len(g)]
	for j, gj := range g {
		m, v := ema(k.d1, bm[j], k.r1, gj), emaSq(k.d2, bv[j], k.r2, gj)
		bm[j], bv[j] = m, v
		mh := m / k.bc1
		mref[j] = mh
		u[j] = mh / (sqrt32(v/k.bc2) + k.eps)
	}
}

// sgdmBase stores the sgd_momentum base update in u, with weight decay wd
// folded into the gradient, updates bm, and returns the sum of the base's
// squares.
func sgdmBase(u, g, w, bm []float32, momentum, wd float64) float64 {
	u, w, bm = u[:len(g)], w[:len(g)], bm[:len(g)]
	mu, lam := float32(momentum), float32(wd)
	for j, gj := range g {
		if wd > 0 {
			gj += float32(lam * w[j])
		}
		b := float32(mu*bm[j]) + gj
		bm[j], u[j] = b, b
	}
	return sumSq(u)
}

// modulationGate returns modulation_strength * phase gate * layer-scope
// gate of tensor i at progress prog.
func (vx *variants) modulationGate(i int, prog float64) float64 {
	if !vx.roles[i].inScope {
		return 0
	}
	return vx.opt.ModulationStrength * phaseGate(vx.phase, prog)
}

// phaseGate returns 1 if prog = epoch/total is in the phase, else 0: full
// always, early prog <= 0.3, middle 0.3 < prog < 0.7, late prog >= 0.7.
func phaseGate(phase string, prog float64) float64 {
	var in bool
	switch phase {
	case PhaseFull:
		in = true
	case PhaseEarly:
		in = prog <= 0.3
	case PhaseMiddle:
		in = 0.3 < prog && prog < 0.7
	default:
		in = prog >= 0.7
	}
	if in {
		return 1
	}
	return 0
}

// modulate adds the modulation to the base update in u, whose squares sum
// to baseSq: delta = gate*s*src (s = alpha - 1; src is the base for the
// gain and trust-ratio targets, mref for momentum), times the trust factor
// for trust_ratio, capped at modulation_max_ratio*||base||. It returns the
// sum of the squared update. w is the parameter, read for ||p|| before any
// weight decay. The delta is formed in vx.scratch, which src may be.
func (vx *variants) modulate(u, src, alpha, w []float32, baseSq, gate float64) float64 {
	d := &vx.diag
	d.baseSq += baseSq
	if gate == 0 {
		return baseSq
	}
	d.modActive++
	n := len(u)
	src, alpha, delta := src[:n], alpha[:n], vx.scratch[:n]
	baseNorm := norm32(baseSq)
	coef := float32(1)
	if vx.opt.ModulationTarget == TargetTrustRatio {
		r := norm32(sumSq(w)) / (baseNorm + 1e-12)
		coef = clamp32(r, 0.5, 1.5) - 1
	}
	g32 := float32(gate)
	var deltaSq float64
	for j, sj := range src {
		// s*src, or (s*coef)*src for trust_ratio (coef is 1 otherwise,
		// and s*1 = s exactly).
		dj := g32 * float32(float32((alpha[j]-1)*coef)*sj)
		delta[j] = dj
		deltaSq += float64(dj) * float64(dj)
	}
	sum, dSq, capped := addCapped(u, u, delta, deltaSq, float32(vx.opt.ModulationMaxRatio)*baseNorm, 1e-12)
	d.modSq += dSq
	d.modCapped += float64(b2i(capped))
	return sum
}
