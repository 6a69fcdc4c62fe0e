package optim

import (
	"math"

	"github.com/neuroplastic/neuroplastic/models/param"
)

// NeuroPlastic is the preprint's plasticity-modulated optimizer, bound to its
// parameters. Per step and tensor, with gradient g (docs/algorithm.md):
//
//	A <- 0.95*A + 0.05*|g|;  m <- 0.9*m + 0.1*g;  v <- 0.99*v + 0.01*g*g  (both modes)
//	n(x)   = x / (mean(x) + 1e-8);  G = n(|g|)
//	a_go   = clamp(G, min_alpha, max_alpha)
//	a_full = clamp(wa*n(A) + wg*G + wm*n(|m|/(sqrt(v)+1e-8)), min_alpha, max_alpha)
//	k      = plasticity_scale*gate(epoch) in rule_based mode, 0 in ablation_grad_only
//	alpha  = a_go + k*(a_full - a_go)
//	u      = stabilize(alpha*g [+ wd*p if coupled])
//	p     <- p - lr*u   [after p <- p - lr*wd*p if decoupled]
//
// With VariantOptions active, the update is variantstep.go's instead. It
// accumulates Diagnostics over the steps of an epoch.
type NeuroPlastic struct {
	cfg    NeuroPlasticConfig
	params []*param.Param
	numel  []int
	buf    []float32 // A, m and v of every parameter, flat
	st     []npState // per-parameter views of buf
	work   []float32 // scratch as long as the largest parameter: r, then u
	diag   diagAcc
	// kern selects the kernels of the passes (passISA unless a test
	// picks another family to compare them, which give the same bits).
	kern isa
	vx   *variants // state of the active VariantOptions; nil on the paper's path
}

// npState is one parameter's elementwise state: activity trace A, memory m
// and the second-moment trace v.
type npState struct{ a, m, v []float32 }

// NewNeuroPlastic returns NeuroPlastic bound to params with zero traces, or
// an error if c is invalid, for a run of totalEpochs epochs, which sets the
// phase and schedule gates of VariantOptions (prog = epoch/totalEpochs). It
// panics on a malformed parameter set (see New) or totalEpochs < 1.
func NewNeuroPlastic(params []*param.Param, c NeuroPlasticConfig, totalEpochs int) (*NeuroPlastic, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	checkParams(NameNeuroPlastic, params)
	checkTotalEpochs(NameNeuroPlastic, totalEpochs)
	o := &NeuroPlastic{cfg: c, params: params, numel: numels(params), kern: passISA}
	lens := make([]int, 0, 3*len(params))
	largest := 0
	for _, n := range o.numel {
		lens = append(lens, n, n, n)
		largest = max(largest, n)
	}
	o.buf = make([]float32, 3*sumInts(o.numel))
	vs := views(o.buf, lens)
	o.st = make([]npState, len(params))
	for i := range o.st {
		o.st[i] = npState{a: vs[3*i], m: vs[3*i+1], v: vs[3*i+2]}
	}
	o.work = make([]float32, largest)
	if c.VariantOptions.active() {
		o.vx = newVariants(&o.cfg.VariantOptions, params, totalEpochs, largest)
	}
	return o, nil
}

// Step applies one update to every parameter at the given 1-based epoch,
// which sets the warm-up gate. A NaN or Inf gradient anywhere returns an
// error wrapping ErrNonFinite before anything is changed.
func (o *NeuroPlastic) Step(epoch int) error {
	checkStep(NameNeuroPlastic, epoch, o.params, o.numel)
	if err := checkGrads(o.params); err != nil {
		return err
	}
	// k = plasticity_scale * gate(epoch), rounded to float32 as torch rounds
	// a Python scalar meeting a float32 tensor. The grad-only ablation is
	// alpha = a_go, that is k = 0.
	var k float32
	if o.cfg.Mode == ModeRuleBased {
		k = float32(o.cfg.PlasticityScale * gate(epoch, o.cfg.WarmupEpochs))
	}
	if o.vx != nil {
		o.stepVariants(epoch, k)
		return nil
	}
	for i, p := range o.params {
		o.update(p, o.st[i], k)
	}
	return nil
}

// update applies one step to parameter p with state s and blend weight k.
// It makes three or four flat passes over the tensor, each loop specialised
// for one mode so that no configuration test sits inside a loop:
//
//  1. traces: update A, m and v and sum what the standardisations need;
//  2. alpha: alpha and the raw update alpha*g, with alpha's statistics;
//  3. weight decay, only if configured: u += wd*p (coupled) or p -= lr*wd*p
//     (decoupled);
//  4. apply: stabilize's cap and gain, then p <- p - lr*u.
func (o *NeuroPlastic) update(p *param.Param, s npState, k float32) {
	c := &o.cfg
	w := p.Data
	n := len(w)
	g := p.Grad[:n]
	a := s.a[:n]
	u := o.work[:n]
	full := k != 0

	t, ap := o.alphaInputs(g, s, u, k)

	// Pass 2: alpha and u = alpha*g.
	var st alphaStats
	switch {
	case !c.Parameterwise:
		st = alphaTensorwise(g, a, u, &ap, full, o.kern)
	case full:
		st = alphaFull(g, a, u, &ap, o.kern)
	default:
		st = alphaGradOnly(g, u, &ap, o.kern)
	}

	// Passes 3 and 4: weight decay, stabilize and the step.
	sumEffSq := o.finish(w, u, st.rawSq, c.WeightDecay, c.LR, c.DecoupledWeightDecay, float32(c.TargetRMS))

	o.diag.merge(tensorDiag(n, st, t.gradSq, sumEffSq))
}

// tensorDiag returns the diagnostics of one tensor of n elements in one
// step: alpha's statistics st, the sums of g*g and of the squared
// effective update.
func tensorDiag(n int, st alphaStats, gradSq, effSq float64) diagAcc {
	mean, m2 := tensorMoments(n, st.shift, st.sumD, st.sumD2)
	return diagAcc{
		n: float64(n), mean: mean, m2: m2, min: float64(st.min), max: float64(st.max),
		nearMin: float64(st.nearLo), nearMax: float64(st.nearHi),
		gradSq: gradSq, rawSq: st.rawSq, effSq: effSq,
	}
}

// alphaInputs runs pass 1 on the gradient g and state s and returns its
// sums and pass 2's scalars for blend weight k. With a_full (k != 0), r =
// |m|/(sqrt(v) + 1e-8) is parked in u.
func (o *NeuroPlastic) alphaInputs(g []float32, s npState, u []float32, k float32) (traceSums, alphaParams) {
	c := &o.cfg
	n := len(g)
	a, m, v := s.a[:n], s.m[:n], s.v[:n]
	// Pass 1: the traces, updated in both modes before alpha, which uses the
	// new values. a_full is needed only when k != 0: with k = 0, alpha =
	// a_go + 0*(a_full - a_go) is a_go exactly (a_full is always finite), so
	// the traces are updated but not read.
	var t traceSums
	if k != 0 {
		t = tracesFull(g, a, m, v, u, o.kern)
	} else {
		t = traces(g, a, m, v, o.kern)
	}
	// Pass 2's scalars. Reference quirk: the paper's grad-only arm uses
	// [0.5, 1.5] and the full arm [0.2, 2.0], so the ablation changes two
	// things; each arm's config carries its own clamp and nothing here
	// substitutes it. n(x) = x/d(x) with d(x) = mean(x) + 1e-8 for x = |g|,
	// A and r is computed as quo(x, 1/d(x)), which rounds as the division
	// does.
	ap := alphaParams{
		lo: float32(c.MinAlpha), hi: float32(c.MaxAlpha),
		wa: float32(c.ActivityWeight), wg: float32(c.GradientWeight), wm: float32(c.MemoryWeight),
		k: k,
	}
	ap.setDenoms(stdDenom(t.abs, n), stdDenom(t.a, n), stdDenom(t.r, n))
	return t, ap
}

// finish applies weight decay, stabilize and the step to parameter w with
// update u, whose squares sum to sumUSq, at learning rate lr and target rms
// target, and returns the sum of the squared effective update.
//
// Pass 3, weight decay: none if wd = 0; decoupled, p <- p - lr*wd*p; else
// coupled, u <- u + wd*p.
//
// Pass 4, stabilize(u): if ||u||_2 > max_update_norm, u <- u *
// max_update_norm/(||u||_2 + 1e-8); then u <- u * clamp(1 + rate*(
// target_rms - rms), 0.5, 1.5) with rms = sqrt(mean(u*u) + 1e-8), the
// capped u's sum of squares taken as sc^2 times the uncapped one (it
// differs from the sum of the rounded squares by float32 rounding, about
// 1e-7 relative, which moves the gain by about 1e-11). Then p <- p - lr*u.
func (o *NeuroPlastic) finish(w, u []float32, sumUSq, wd, lr float64, decoupled bool, target float32) float64 {
	c := &o.cfg
	switch {
	case wd == 0:
	case decoupled:
		decayParams(w, float32(lr*wd), o.kern)
	default:
		sumUSq = coupleDecay(u, w, float32(wd), o.kern)
	}
	sc := capScale(float32(math.Sqrt(sumUSq)), float32(c.MaxUpdateNorm))
	gain := rmsGain(float64(sc)*float64(sc)*sumUSq, len(u), target, float32(c.AdaptationRate))
	return applyUpdate(w, u, sc, gain, float32(lr), o.kern)
}

// traceSums are the sums pass 1 takes, in float64: of |g|, g*g, the new A
// and r = |m|/(sqrt(v) + 1e-8) (the last two only with a_full).
type traceSums struct{ abs, gradSq, a, r float64 }

// traces updates the traces for the grad-only rule, which reads none of
// them, and sums |g| and g*g. kern's kernel takes the elements up to the
// last multiple of lanes (see tracesBulk).
func traces(g, a, m, v []float32, kern isa) traceSums {
	a, m, v = a[:len(g)], m[:len(g)], v[:len(g)]
	var s traceLanes
	done := tracesBulk(kern, g, a, m, v, &s)
	tracesGo(g[done:], a[done:], m[done:], v[done:], &s)
	return traceSums{abs: s.abs.sum(), gradSq: s.gradSq.sum()}
}

// tracesFull is traces for a_full: it also stores r = |m|/(sqrt(v) + 1e-8)
// of the new m and v in r and sums the new A and r.
func tracesFull(g, a, m, v, r []float32, kern isa) traceSums {
	a, m, v, r = a[:len(g)], m[:len(g)], v[:len(g)], r[:len(g)]
	var s traceLanes
	done := tracesFullBulk(kern, g, a, m, v, r, &s)
	tracesFullGo(g[done:], a[done:], m[done:], v[done:], r[done:], &s)
	return traceSums{abs: s.abs.sum(), gradSq: s.gradSq.sum(), a: s.a.sum(), r: s.r.sum()}
}

// alphaParams are the scalars of pass 2: the clamp, a_full's weights, the
// blend weight k, the standardisation denominators d(x) of n(|g|), n(A)
// and n(r) and their reciprocals, for quo. The AVX-512 kernels divide by
// the denominators, save where 0 < |x| <= tiny (see quoBound); tiny is in
// bits.
type alphaParams struct {
	lo, hi, wa, wg, wm, k float32
	dG, dA, dR            float32
	tiny                  uint32
	rG, rA, rR            float64
}

// setDenoms sets the denominators of n(|g|), n(A) and n(r), their
// reciprocals and tiny.
func (ap *alphaParams) setDenoms(dG, dA, dR float32) {
	ap.dG, ap.dA, ap.dR = dG, dA, dR
	ap.rG, ap.rA, ap.rR = recip(dG), recip(dA), recip(dR)
	ap.tiny = math.Float32bits(quoBound(dG, dA, dR))
}

// quoBound returns a float32 t such that x/d is a normal float32, and so
// quo(x, recip(d)) the float32 division x/d, or infinite or NaN, for every
// x with |x| > t and every d among dG, dA and dR: 2^-126*max(1, |dG|, |dA|,
// |dR|) rounded up, or NaN if a d is NaN (which makes every x/d NaN).
func quoBound(dG, dA, dR float32) float32 {
	m := max(1, math.Abs(float64(dG)), math.Abs(float64(dA)), math.Abs(float64(dR)))
	t := float32(0x1p-126 * m)
	if float64(t) < 0x1p-126*m {
		t = math.Nextafter32(t, float32(math.Inf(1)))
	}
	return t
}

// near returns the thresholds of the diagnostics' "near min/max": within 5%
// of the clamp range from either end.
func (ap *alphaParams) near() (lo, hi float32) {
	return ap.lo + float32(nearFrac*(ap.hi-ap.lo)), ap.hi - float32(nearFrac*(ap.hi-ap.lo))
}

// alphaStats are alpha's statistics from pass 2: sums of d = alpha - shift
// and d*d (shift, some alpha of the tensor, keeps the variance from
// cancelling), extremes, counts near the clamp ends, and the sum of the
// squared raw updates (alpha*g)^2.
type alphaStats struct {
	shift, sumD, sumD2 float64
	min, max           float32
	nearLo, nearHi     int
	rawSq              float64
}

// alphaGradOnly replaces g's elements in u by the raw update alpha*g with
// alpha = a_go = clamp(G, min_alpha, max_alpha), G = n(|g|), and returns
// alpha's statistics. kern's kernel takes the elements up to the last
// multiple of lanes.
func alphaGradOnly(g, u []float32, ap *alphaParams, kern isa) alphaStats {
	u = u[:len(g)]
	// G is non-negative and finite (G <= n), so clampBits applies.
	lo, hi, rG := bits32(ap.lo), bits32(ap.hi), ap.rG
	// The shift is the first alpha.
	shift := float64(clampBits(quo(abs32(g[0]), rG), lo, hi))
	s := newStatLanes()
	done := alphaGradOnlyBulk(kern, g, u, ap, shift, &s)
	g, u = g[done:], u[done:]
	for j, gj := range g {
		u[j] = clampBits(quo(abs32(gj), rG), lo, hi)
	}
	nearLo, nearHi := ap.near()
	statsRawGo(g, u, shift, nearLo, nearHi, &s)
	return s.stats(shift)
}

// alphaFull replaces g's elements in u, which holds r on entry, by the raw
// update alpha*g with alpha of the full rule, and returns alpha's
// statistics. kern's kernel takes the elements up to the last multiple of
// lanes.
func alphaFull(g, a, u []float32, ap *alphaParams, kern isa) alphaStats {
	a, u = a[:len(g)], u[:len(g)]
	// G, n(A) and n(r) are non-negative and at most n (each standardises
	// a non-negative tensor by its mean), so with finite non-negative
	// weights both clamps' arguments are finite and non-negative, and
	// clampBits applies.
	lo, hi, k := bits32(ap.lo), bits32(ap.hi), ap.k
	wa, wg, wm := ap.wa, ap.wg, ap.wm
	rG, rA, rR := ap.rG, ap.rA, ap.rR
	// The shift is the first a_go, a value of the tensor's alpha when k = 1.
	shift := float64(clampBits(quo(abs32(g[0]), rG), lo, hi))
	s := newStatLanes()
	done := alphaFullBulk(kern, g, a, u, ap, shift, &s)
	g, a, u = g[done:], a[done:], u[done:]
	for j, gj := range g {
		gs := quo(abs32(gj), rG) // G = n(|g|)
		// a_go = clamp(G, min_alpha, max_alpha)
		aGo := clampBits(gs, lo, hi)
		// a_full = clamp(wa*n(A) + wg*G + wm*n(r), min_alpha, max_alpha)
		aFull := clampBits(mix(wa, wg, wm, quo(a[j], rA), gs, quo(u[j], rR)), lo, hi)
		// alpha = a_go + k*(a_full - a_go). Reference quirk: not clamped
		// again, so alpha may leave [min_alpha, max_alpha] when k > 1, even
		// go negative.
		u[j] = blend(aGo, aFull, k)
	}
	nearLo, nearHi := ap.near()
	statsRawGo(g, u, shift, nearLo, nearHi, &s)
	return s.stats(shift)
}

// alphaTensorwise computes u = alpha*g with one alpha for the tensor (the
// parameterwise false rule): each alpha is the clamped tensor mean of its
// unclamped elementwise value, a_go = clamp(mean(G)) and a_full =
// clamp(mean(wa*n(A) + wg*G + wm*n(r))), blended once. u holds r on entry
// when full. Alpha is constant, so its statistics follow without a loop.
// kern's kernels take the elements up to the last multiple of lanes.
func alphaTensorwise(g, a, u []float32, ap *alphaParams, full bool, kern isa) alphaStats {
	u = u[:len(g)]
	_, alpha := tensorAlphas(g, a, u, ap, full, kern)
	nearLo, nearHi := ap.near()
	st := alphaStats{shift: float64(alpha), min: alpha, max: alpha}
	st.nearLo = len(g) * b2i(alpha <= nearLo)
	st.nearHi = len(g) * b2i(alpha >= nearHi)
	var rawSq laneSums
	done := scaleBulk(kern, g, u, alpha, &rawSq)
	scaleGo(g[done:], u[done:], alpha, &rawSq)
	st.rawSq = rawSq.sum()
	return st
}

// tensorAlphas returns the parameterwise false rule's a_go = clamp(mean(G))
// and alpha, blended with a_full = clamp(mean(wa*n(A) + wg*G + wm*n(r)))
// when full, r in u. kern's kernels take the elements up to the last
// multiple of lanes.
func tensorAlphas(g, a, u []float32, ap *alphaParams, full bool, kern isa) (aGo, alpha float32) {
	n := float64(len(g))
	a, u = a[:len(g)], u[:len(g)]
	var s tensorLanes
	if full {
		done := tensorSumsFullBulk(kern, g, a, u, ap, &s)
		tensorSumsFullGo(g[done:], a[done:], u[done:], ap, &s)
	} else {
		done := tensorSumsBulk(kern, g, ap, &s)
		tensorSumsGo(g[done:], ap, &s)
	}
	aGo = clamp32(float32(s.gs.sum()/n), ap.lo, ap.hi)
	alpha = aGo
	if full {
		alpha = blend(aGo, clamp32(float32(s.mix.sum()/n), ap.lo, ap.hi), ap.k)
	}
	return aGo, alpha
}

// coupleDecay adds coupled weight decay to the update, u <- u + wd*p, and
// returns the sum of the new u*u.
func coupleDecay(u, w []float32, wd float32, kern isa) float64 {
	w = w[:len(u)]
	var s laneSums
	done := coupleDecayBulk(kern, u, w, wd, &s)
	coupleDecayGo(u[done:], w[done:], wd, &s)
	return s.sum()
}

// decayParams applies decoupled weight decay, p <- p - lr*wd*p, with lrwd =
// lr*wd; it commutes with the rest of the step, which does not read p.
func decayParams(w []float32, lrwd float32, kern isa) {
	done := decayParamsBulk(kern, w, lrwd)
	decayParamsGo(w[done:], lrwd)
}

// applyUpdate applies p <- p - lr*u with u scaled by the cap factor sc and
// then by the gain, and returns the sum of the squared scaled u.
func applyUpdate(w, u []float32, sc, gain, lr float32, kern isa) float64 {
	w = w[:len(u)]
	var s laneSums
	done := applyUpdateBulk(kern, w, u, sc, gain, lr, &s)
	applyUpdateGo(w[done:], u[done:], sc, gain, lr, &s)
	return s.sum()
}

// EpochDiagnostics returns the diagnostics of the steps since the last call
// (all zero if there were none) and resets them. The grad-only mode reports
// its alpha, a_go.
func (o *NeuroPlastic) EpochDiagnostics() Diagnostics {
	d := o.diag.result()
	o.diag = diagAcc{}
	if o.vx != nil {
		o.vx.epochDiagnostics(d)
	}
	return d
}

// MarshalBinary encodes the traces of every parameter and the diagnostics
// accumulated so far in the epoch, followed, with VariantOptions active, by
// their state. On the paper's path NeuroPlastic keeps no step count: its
// only time input is the epoch given to Step.
func (o *NeuroPlastic) MarshalBinary() ([]byte, error) { return o.AppendBinary(nil) }

// AppendBinary appends MarshalBinary's encoding to b.
func (o *NeuroPlastic) AppendBinary(b []byte) ([]byte, error) {
	w := newStateWriter(b, NameNeuroPlastic, o.params, len(o.buf))
	o.diag.encode(w)
	w.f32s(o.buf)
	if o.vx != nil {
		o.vx.encode(w)
	}
	return w.b, nil
}

// UnmarshalBinary restores a state written by MarshalBinary of NeuroPlastic
// over the same parameters; on error the state is unchanged.
func (o *NeuroPlastic) UnmarshalBinary(data []byte) error {
	r, err := newStateReader(data, NameNeuroPlastic, o.params)
	if err != nil {
		return err
	}
	d := decodeDiag(r)
	buf := r.f32s(len(o.buf))
	var vs variantCheckpoint
	if o.vx != nil {
		vs = o.vx.decode(r)
	}
	if err := r.close(); err != nil {
		return err
	}
	o.diag = d
	copy(o.buf, buf)
	if o.vx != nil {
		o.vx.restore(vs)
	}
	return nil
}

// b2i returns 1 for true and 0 for false; it compiles to a flag move, which
// counts data-dependent conditions without mispredicted branches.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
