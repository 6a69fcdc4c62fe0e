package optim

import (
	"math"

	"github.com/neuroplastic/neuroplastic/models/param"
)

// variants is NeuroPlastic's state for active VariantOptions
// (docs/algorithm.md): the structures fixed at construction, the controller,
// the hybrid bases' state and step count, the buffers that carry alpha from
// phase A to phase B, and the options' diagnostics. NewNeuroPlastic
// allocates it only when the options are active, and a step allocates
// nothing.
type variants struct {
	opt    VariantOptions
	phase  string // the effective phase scope
	total  int    // the run's epoch count
	roles  []tensorRole
	ctrl   *controller // nil when the controller is off
	alpha  [][]float32 // per tensor: this step's alpha, from phase A to phase B
	aGo    [][]float32 // per tensor: this step's a_go, kept only for the orthogonal residual
	gradSq []float64   // per tensor: this step's sum of g*g
	accs   []diagAcc   // per tensor: this step's alpha statistics
	// scratch is as long as the largest tensor: a_go in phase A when not
	// kept, the modulation's delta in phase B.
	scratch []float32
	hbuf    []float32   // the hybrid bases' state, flat: bm of every tensor, then bv (adamw)
	bm, bv  [][]float32 // per-tensor views of hbuf
	steps   int         // steps taken, t of the adamw bias correction
	diag    variantDiag
}

// newVariants returns the state of the options o over params for a run of
// total epochs; largest is the largest tensor's element count.
func newVariants(o *VariantOptions, params []*param.Param, total, largest int) *variants {
	layer, phase := o.scopes()
	rs := roles(params, layer)
	numel := numels(params)
	all := sumInts(numel)
	vx := &variants{
		opt: *o, phase: phase, total: total, roles: rs, ctrl: newController(o, rs, largest),
		alpha:   views(make([]float32, all), numel),
		gradSq:  make([]float64, len(params)),
		accs:    make([]diagAcc, len(params)),
		scratch: make([]float32, largest),
	}
	if vx.orthogonal() {
		vx.aGo = views(make([]float32, all), numel)
	}
	switch o.HybridBase {
	case BaseAdamW:
		vx.hbuf = make([]float32, 2*all)
		vx.bm, vx.bv = views(vx.hbuf[:all], numel), views(vx.hbuf[all:], numel)
	case BaseSGDMomentum:
		vx.hbuf = make([]float32, all)
		vx.bm = views(vx.hbuf, numel)
	}
	return vx
}

// orthogonal reports whether the orthogonal residual is on: it applies to
// the classic base only, and takes precedence over the bounded residual.
func (vx *variants) orthogonal() bool {
	return vx.opt.HybridBase == BaseClassic && vx.opt.OrthogonalResidual
}

// bounded reports whether the bounded residual is on (classic base, no
// orthogonal residual).
func (vx *variants) bounded() bool {
	return vx.opt.HybridBase == BaseClassic && !vx.opt.OrthogonalResidual && vx.opt.BoundedResidual
}

// stepVariants is Step with active options, at the given epoch and blend
// weight k: phase A forms every tensor's alpha (and its controller signal),
// the controller sets the multipliers, and phase B updates each tensor.
func (o *NeuroPlastic) stepVariants(epoch int, k float32) {
	vx := o.vx
	vx.steps++ // every tensor has a gradient at every step
	for i, p := range o.params {
		o.phaseA(i, p, k)
	}
	if vx.ctrl != nil {
		vx.ctrl.update()
		vx.diag.addController(vx.ctrl)
	}
	prog := float64(epoch) / float64(vx.total)
	for i, p := range o.params {
		mult := 1.0
		if vx.ctrl != nil {
			mult = vx.ctrl.mult[i]
		}
		acc := vx.accs[i]
		acc.effSq = o.phaseB(i, p, mult, prog)
		o.diag.merge(acc)
	}
	vx.diag.pairs += float64(len(o.params))
}

// phaseA updates tensor i's traces, forms its alpha (and a_go) as the
// paper's path does, its controller signal, and alpha's statistics with the
// raw update alpha*g for the diagnostics.
func (o *NeuroPlastic) phaseA(i int, p *param.Param, k float32) {
	vx := o.vx
	n := len(p.Data)
	g := p.Grad[:n]
	u := o.work[:n]
	t, ap := o.alphaInputs(g, o.st[i], u, k)
	full := k != 0
	alpha, aGo := vx.alpha[i], vx.scratch[:n]
	if vx.aGo != nil {
		aGo = vx.aGo[i]
	}
	s := newStatLanes()
	var shift float64
	if o.cfg.Parameterwise {
		shift = alphaElemsStats(alpha, aGo, g, o.st[i].a, u, &ap, full, &s, o.kern)
	} else {
		ag, al := tensorAlphas(g, o.st[i].a, u, &ap, full, o.kern)
		fill(aGo, ag)
		fill(alpha, al)
		copy(u, alpha)
		shift = float64(al)
		nearLo, nearHi := ap.near()
		statsRawGo(g, u, shift, nearLo, nearHi, &s)
	}
	if vx.ctrl != nil {
		// With k = 0 (grad-only mode, or a closed warm-up gate) alpha is
		// a_go and the signal 0.
		vx.ctrl.sig[i] = 0
		if full {
			vx.ctrl.sig[i] = vx.ctrl.signal(alpha, aGo, o.kern)
		}
	}
	vx.accs[i] = tensorDiag(n, s.stats(shift), t.gradSq, 0)
	vx.gradSq[i] = t.gradSq
}

// alphaElems stores the parameterwise alpha and a_go of every element:
// a_go = clamp(G), and with full alpha = a_go + k*(a_full - a_go), else
// alpha = a_go. r (in u) is as alphaInputs leaves it.
func alphaElems(alpha, aGo, g, a, r []float32, ap *alphaParams, full bool) {
	alpha, aGo, a, r = alpha[:len(g)], aGo[:len(g)], a[:len(g)], r[:len(g)]
	lo, hi := bits32(ap.lo), bits32(ap.hi)
	for j, gj := range g {
		gs := quo(abs32(gj), ap.rG) // G = n(|g|)
		ag := clampBits(gs, lo, hi)
		al := ag
		if full {
			al = blend(ag, clampBits(mix(ap.wa, ap.wg, ap.wm, quo(a[j], ap.rA), gs, quo(r[j], ap.rR)), lo, hi), ap.k)
		}
		alpha[j], aGo[j] = al, ag
	}
}

// alphaElemsStats stores every element's alpha and a_go (alphaElems), the
// raw update alpha*g in u (which holds r on entry), and adds alpha's
// statistics, shifted by the first alpha, to s (statsRawGo); it returns the
// shift. kern's vector kernel takes the elements up to the last multiple of
// lanes.
func alphaElemsStats(alpha, aGo, g, a, u []float32, ap *alphaParams, full bool, s *statLanes, kern isa) float64 {
	alphaElems(alpha[:1], aGo[:1], g[:1], a[:1], u[:1], ap, full)
	shift := float64(alpha[0])
	nearLo, nearHi := ap.near()
	done := alphaElemsBulk(kern, alpha, aGo, g, a, u, ap, full, shift, nearLo, nearHi, s)
	alpha, aGo, g, a, u = alpha[done:], aGo[done:], g[done:], a[done:], u[done:len(g)]
	alphaElems(alpha, aGo, g, a, u, ap, full)
	copy(u, alpha)
	statsRawGo(g, u, shift, nearLo, nearHi, s)
	return shift
}

// phaseB updates tensor i with learning-rate multiplier mult at progress
// prog = epoch/total: the base update and its residual or modulation, then
// weight decay, stabilize (to the band's target rms) and the step with lr
// = lr*mult. It returns the sum of the squared effective update.
func (o *NeuroPlastic) phaseB(i int, p *param.Param, mult, prog float64) float64 {
	vx, c := o.vx, &o.cfg
	w := p.Data
	n := len(w)
	g, u, alpha := p.Grad[:n], o.work[:n], vx.alpha[i]
	wd, decoupled := c.WeightDecay, c.DecoupledWeightDecay
	var sumSq float64
	switch c.HybridBase {
	case BaseAdamW:
		// The adamw base decays decoupled whatever decoupled_weight_decay
		// says.
		decoupled = true
		mref := u // m-hat, kept apart from the base only for the momentum target
		if c.ModulationTarget == TargetMomentum {
			mref = vx.scratch[:n]
		}
		base := adamwBase(u, mref, g, vx.bm[i], vx.bv[i], c.BaseMomentum, c.BaseBeta2, c.BaseEps, vx.steps, o.kern)
		sumSq = vx.modulate(u, mref, alpha, w, base, vx.modulationGate(i, prog))
	case BaseSGDMomentum:
		// The sgd_momentum base folds weight decay into its gradient.
		base := sgdmBase(u, g, w, vx.bm[i], c.BaseMomentum, wd)
		wd = 0
		sumSq = vx.modulate(u, u, alpha, w, base, vx.modulationGate(i, prog))
	default:
		switch {
		case vx.orthogonal():
			sumSq = vx.orthogonalResidual(u, g, alpha, vx.aGo[i], vx.gradSq[i], orthogonalGate(&vx.opt, prog))
		case vx.bounded():
			sumSq = vx.boundedResidual(u, g, alpha, vx.gradSq[i])
		default:
			sumSq = product(u, alpha, g)
		}
	}
	target := float32(c.TargetRMS * vx.opt.bandScales()[vx.roles[i].band])
	return o.finish(w, u, sumSq, wd, c.LR*mult, decoupled, target)
}

// product stores u = alpha*g, the paper's update, and returns the sum of
// its squares.
func product(u, alpha, g []float32) float64 {
	u, alpha = u[:len(g)], alpha[:len(g)]
	for j, gj := range g {
		u[j] = alpha[j] * gj
	}
	return sumSq(u)
}

// sumSq returns the sum of x*x in float64, in order. The product of two
// float32 values is exact in float64, so a fused multiply-add would give
// the same bits.
func sumSq(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s
}

// fill sets every element of x to v.
func fill(x []float32, v float32) {
	for j := range x {
		x[j] = v
	}
}

// norm32 returns the float32 l2 norm of a tensor whose squares sum to sq.
func norm32(sq float64) float32 { return float32(math.Sqrt(sq)) }

// epochDiagnostics adds the options' diagnostics to d and resets them.
func (vx *variants) epochDiagnostics(d Diagnostics) {
	vx.diag.report(d, vx)
	vx.diag = variantDiag{}
}

// variantCheckpoint is the part of a checkpoint the options add.
type variantCheckpoint struct {
	steps int
	hbuf  []float32
	diag  variantDiag
}

// encode appends the options' state: the step count, the hybrid bases'
// state and the diagnostics so far.
func (vx *variants) encode(w *stateWriter) {
	w.u64(uint64(vx.steps))
	w.f32s(vx.hbuf)
	for _, x := range vx.diag.values() {
		w.f64(*x)
	}
}

// decode reads a state written by encode; restore applies it.
func (vx *variants) decode(r *stateReader) variantCheckpoint {
	var c variantCheckpoint
	c.steps = int(r.u64())
	c.hbuf = r.f32s(len(vx.hbuf))
	for _, x := range c.diag.values() {
		*x = r.f64()
	}
	return c
}

// restore applies a decoded checkpoint.
func (vx *variants) restore(c variantCheckpoint) {
	vx.steps = c.steps
	copy(vx.hbuf, c.hbuf)
	vx.diag = c.diag
}
