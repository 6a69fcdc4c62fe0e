package optim

import (
	"fmt"
	"math"

	"github.com/neuroplastic/neuroplastic/models/param"
)

// The modes of NeuroPlastic.
const (
	// ModeRuleBased is the full optimizer: alpha blends the gradient-only
	// alpha with the trace-based one, weighted by the warm-up gate.
	ModeRuleBased = "rule_based"
	// ModeGradOnly is the paper's controlled gradient-only ablation: alpha
	// is the clamped standardised gradient magnitude; no trace is read.
	ModeGradOnly = "ablation_grad_only"
)

// NeuroPlasticConfig holds NeuroPlastic's hyperparameters (SPEC.md section
// 1); the comments give the canonical keys.
type NeuroPlasticConfig struct {
	LR                   float64 // lr: learning rate, >= 0
	WeightDecay          float64 // weight_decay: >= 0
	DecoupledWeightDecay bool    // decoupled_weight_decay: p <- p - lr*wd*p instead of adding wd*p to u
	Mode                 string  // mode: ModeRuleBased or ModeGradOnly
	ActivityWeight       float64 // activity_weight: wa, weight of n(A) in a_full, >= 0
	GradientWeight       float64 // gradient_weight: wg, weight of n(|g|), >= 0
	MemoryWeight         float64 // memory_weight: wm, weight of n(|m|/(sqrt(v)+eps)), >= 0
	MinAlpha             float64 // min_alpha: lower clamp of a_go and a_full, >= 0
	MaxAlpha             float64 // max_alpha: upper clamp, >= min_alpha
	WarmupEpochs         int     // warmup_epochs: epochs over which the gate rises to 1, >= 0
	PlasticityScale      float64 // plasticity_scale: k = scale*gate(epoch), >= 0
	Parameterwise        bool    // parameterwise: one alpha per element; false: one per tensor
	MaxUpdateNorm        float64 // max_update_norm: cap on ||u||_2 per tensor, > 0
	TargetRMS            float64 // target_rms: rms the gain steers u towards, >= 0
	AdaptationRate       float64 // adaptation_rate: gain = 1 + rate*(target_rms - rms), >= 0
}

// DefaultNeuroPlastic returns the defaults of SPEC.md section 1: lr 1e-3 (the
// paper always sets 0.1), rule_based, weights 0.4/0.4/0.2, alpha in
// [0.2, 2.0], no warm-up, plasticity scale 1, parameterwise, max update norm
// 1.0, target rms 0.02, adaptation rate 0.01, no weight decay (coupled).
func DefaultNeuroPlastic() NeuroPlasticConfig {
	return NeuroPlasticConfig{
		LR:              1e-3,
		Mode:            ModeRuleBased,
		ActivityWeight:  0.4,
		GradientWeight:  0.4,
		MemoryWeight:    0.2,
		MinAlpha:        0.2,
		MaxAlpha:        2.0,
		PlasticityScale: 1,
		Parameterwise:   true,
		MaxUpdateNorm:   1.0,
		TargetRMS:       0.02,
		AdaptationRate:  0.01,
	}
}

// Validate returns an error naming the first invalid hyperparameter and its
// value.
func (c NeuroPlasticConfig) Validate() error {
	const a = NameNeuroPlastic
	if err := firstError(
		nonNegative(a, "lr", c.LR),
		nonNegative(a, "weight_decay", c.WeightDecay),
	); err != nil {
		return err
	}
	if c.Mode != ModeRuleBased && c.Mode != ModeGradOnly {
		return fmt.Errorf("optim: neuroplastic: unknown mode %q (want %s or %s)", c.Mode, ModeRuleBased, ModeGradOnly)
	}
	if err := firstError(
		nonNegative(a, "activity_weight", c.ActivityWeight),
		nonNegative(a, "gradient_weight", c.GradientWeight),
		nonNegative(a, "memory_weight", c.MemoryWeight),
		nonNegative(a, "min_alpha", c.MinAlpha),
		nonNegative(a, "max_alpha", c.MaxAlpha),
	); err != nil {
		return err
	}
	if c.MinAlpha > c.MaxAlpha {
		return fmt.Errorf("optim: neuroplastic: min_alpha %v > max_alpha %v", c.MinAlpha, c.MaxAlpha)
	}
	if c.WarmupEpochs < 0 {
		return fmt.Errorf("optim: neuroplastic: warmup_epochs %d < 0", c.WarmupEpochs)
	}
	return firstError(
		nonNegative(a, "plasticity_scale", c.PlasticityScale),
		positive(a, "max_update_norm", c.MaxUpdateNorm),
		nonNegative(a, "target_rms", c.TargetRMS),
		nonNegative(a, "adaptation_rate", c.AdaptationRate),
	)
}

func (c *NeuroPlasticConfig) fields() []field {
	return []field{
		{"lr", &c.LR},
		{"weight_decay", &c.WeightDecay},
		{"decoupled_weight_decay", &c.DecoupledWeightDecay},
		{"mode", &c.Mode},
		{"activity_weight", &c.ActivityWeight},
		{"gradient_weight", &c.GradientWeight},
		{"memory_weight", &c.MemoryWeight},
		{"min_alpha", &c.MinAlpha},
		{"max_alpha", &c.MaxAlpha},
		{"warmup_epochs", &c.WarmupEpochs},
		{"plasticity_scale", &c.PlasticityScale},
		{"parameterwise", &c.Parameterwise},
		{"max_update_norm", &c.MaxUpdateNorm},
		{"target_rms", &c.TargetRMS},
		{"adaptation_rate", &c.AdaptationRate},
	}
}

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

// NeuroPlastic is the preprint's plasticity-modulated optimizer, bound to its
// parameters. Per step and tensor, with gradient g (SPEC.md section 1):
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
// It accumulates Diagnostics over the steps of an epoch.
type NeuroPlastic struct {
	cfg    NeuroPlasticConfig
	params []*param.Param
	numel  []int
	buf    []float32 // A, m and v of every parameter, flat
	st     []npState // per-parameter views of buf
	work   []float32 // scratch as long as the largest parameter: r, then u
	diag   diagAcc
}

// npState is one parameter's elementwise state: activity trace A, memory m
// and the second-moment trace v.
type npState struct{ a, m, v []float32 }

// NewNeuroPlastic returns NeuroPlastic bound to params with zero traces, or
// an error if c is invalid. It panics on a malformed parameter set (see New).
func NewNeuroPlastic(params []*param.Param, c NeuroPlasticConfig) (*NeuroPlastic, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	checkParams(NameNeuroPlastic, params)
	o := &NeuroPlastic{cfg: c, params: params, numel: numels(params)}
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
	for i, p := range o.params {
		o.update(p, o.st[i], k)
	}
	return nil
}

// update applies one step to parameter p with state s and blend weight k.
func (o *NeuroPlastic) update(p *param.Param, s npState, k float32) {
	c := &o.cfg
	w := p.Data
	n := len(w)
	g := p.Grad[:n]
	a, m, v := s.a[:n], s.m[:n], s.v[:n]
	u := o.work[:n]
	// Both modes clamp to the configured [min_alpha, max_alpha]. Reference
	// quirk: the paper's grad-only arm uses [0.5, 1.5] and the full arm
	// [0.2, 2.0], so the ablation changes two things; each arm's config
	// carries its own clamp and nothing here substitutes it.
	lo, hi := float32(c.MinAlpha), float32(c.MaxAlpha)
	wa, wg, wm := float32(c.ActivityWeight), float32(c.GradientWeight), float32(c.MemoryWeight)
	wd := float32(c.WeightDecay)
	coupled := c.WeightDecay != 0 && !c.DecoupledWeightDecay
	decoupled := c.WeightDecay != 0 && c.DecoupledWeightDecay
	pw := c.Parameterwise
	// a_full is needed only when k != 0: with k = 0, alpha = a_go +
	// 0*(a_full - a_go) is a_go exactly (a_full is always finite), so the
	// traces are updated but not read.
	full := k != 0

	// Pass 1: update the traces (in both modes, before alpha, which uses the
	// new values) and sum what the standardisations n(.) need.
	var sumAbs, sumGradSq, sumA, sumR float64
	for j, gj := range g {
		// A <- 0.95*A + 0.05*|g|;  m <- 0.9*m + 0.1*g;  v <- 0.99*v + 0.01*g*g
		a[j], m[j], v[j] = trace(a[j], gj), memory(m[j], gj), second(v[j], gj)
		sumAbs += float64(abs32(gj))
		sumGradSq += float64(gj) * float64(gj)
		if full {
			// r = |m| / (sqrt(v) + 1e-8), parked in u until pass 2.
			r := memSignal(m[j], v[j])
			u[j] = r
			sumA += float64(a[j])
			sumR += float64(r)
		}
	}
	// n(x) = x / d(x) with d(x) = mean(x) + 1e-8, for x = |g|, A and r.
	dG, dA, dR := stdDenom(sumAbs, n), stdDenom(sumA, n), stdDenom(sumR, n)

	// parameterwise false: each alpha is the clamped tensor mean of its
	// unclamped elementwise value, a_go = clamp(mean(G)) and
	// a_full = clamp(mean(wa*n(A) + wg*G + wm*n(r))), blended once per tensor.
	var alphaT float32
	if !pw {
		var sumGo, sumFull float64
		for j, gj := range g {
			gs := abs32(gj) / dG // G = n(|g|)
			sumGo += float64(gs)
			if full {
				sumFull += float64(mix(wa, wg, wm, a[j]/dA, gs, u[j]/dR))
			}
		}
		alphaT = clamp32(float32(sumGo/float64(n)), lo, hi)
		if full {
			alphaT = blend(alphaT, clamp32(float32(sumFull/float64(n)), lo, hi), k)
		}
	}

	// Pass 2: alpha and the raw update u = alpha*g (+ wd*p if coupled), with
	// the diagnostics' alpha statistics and norms. Alpha's sums are taken
	// relative to a value of this tensor's alpha (the first a_go), so its
	// variance does not cancel.
	shift := float64(alphaT)
	if pw {
		shift = float64(clamp32(abs32(g[0])/dG, lo, hi))
	}
	nearLo, nearHi := lo+nearFrac*(hi-lo), hi-nearFrac*(hi-lo)
	var sumD, sumD2, sumRawSq, sumUSq float64
	var cntLo, cntHi int
	aMin, aMax := float32(math.Inf(1)), float32(math.Inf(-1))
	for j, gj := range g {
		alpha := alphaT
		if pw {
			gs := abs32(gj) / dG // G = n(|g|)
			// a_go = clamp(G, min_alpha, max_alpha)
			alpha = clamp32(gs, lo, hi)
			if full {
				// a_full = clamp(wa*n(A) + wg*G + wm*n(r), min_alpha, max_alpha)
				aFull := clamp32(mix(wa, wg, wm, a[j]/dA, gs, u[j]/dR), lo, hi)
				// alpha = a_go + k*(a_full - a_go). Reference quirk: not
				// clamped again, so alpha may leave [min_alpha, max_alpha]
				// when k > 1, even go negative.
				alpha = blend(alpha, aFull, k)
			}
		}
		raw := alpha * gj
		uj := raw
		if coupled {
			// u = alpha*g + wd*p
			uj += wd * w[j]
		}
		u[j] = uj
		d := float64(alpha) - shift
		sumD += d
		sumD2 += d * d
		if alpha < aMin {
			aMin = alpha
		}
		if alpha > aMax {
			aMax = alpha
		}
		cntLo += b2i(alpha <= nearLo)
		cntHi += b2i(alpha >= nearHi)
		sumRawSq += float64(raw) * float64(raw)
		sumUSq += float64(uj) * float64(uj)
	}

	// Pass 3, stabilize(u), first half: if ||u||_2 > max_update_norm,
	// u <- u * max_update_norm/(||u||_2 + 1e-8).
	if sc := capScale(float32(math.Sqrt(sumUSq)), float32(c.MaxUpdateNorm)); sc != 1 {
		sumUSq = 0
		for j := range u {
			u[j] *= sc
			sumUSq += float64(u[j]) * float64(u[j])
		}
	}
	// Second half: u <- u * clamp(1 + rate*(target_rms - rms), 0.5, 1.5)
	// with rms = sqrt(mean(u*u) + 1e-8).
	gain := rmsGain(sumUSq, n, float32(c.TargetRMS), float32(c.AdaptationRate))

	// Pass 4: p <- p - lr*u (after p <- p - lr*wd*p if decay is decoupled).
	lr, lrwd := float32(c.LR), float32(c.LR*c.WeightDecay)
	var sumEffSq float64
	for j := range u {
		e := u[j] * gain
		sumEffSq += float64(e) * float64(e)
		if decoupled {
			w[j] -= lrwd * w[j]
		}
		w[j] -= lr * e
	}

	mean, m2 := tensorMoments(n, shift, sumD, sumD2)
	o.diag.merge(diagAcc{
		n: float64(n), mean: mean, m2: m2, min: float64(aMin), max: float64(aMax),
		nearMin: float64(cntLo), nearMax: float64(cntHi),
		gradSq: sumGradSq, rawSq: sumRawSq, effSq: sumEffSq,
	})
}

// The formula pieces, each one line of SPEC.md section 1 in float32.

// trace returns the new activity trace 0.95*A + 0.05*|g|.
func trace(a, g float32) float32 { return traceDecay*a + traceRate*abs32(g) }

// memory returns the new memory 0.9*m + 0.1*g (no bias correction).
func memory(m, g float32) float32 { return memDecay*m + memRate*g }

// second returns the new second-moment trace 0.99*v + 0.01*g*g.
func second(v, g float32) float32 { return sqDecay*v + sqRate*g*g }

// memSignal returns r = |m| / (sqrt(v) + 1e-8), the memory term a_full
// standardises.
func memSignal(m, v float32) float32 { return abs32(m) / (sqrt32(v) + npEps) }

// stdDenom returns mean(x) + 1e-8 for a tensor of n elements summing to sum,
// so that the standardisation is n(x) = x / stdDenom: a division by the mean,
// no centering. The mean is rounded to float32 as torch's x.mean() is.
func stdDenom(sum float64, n int) float32 { return float32(sum/float64(n)) + npEps }

// mix returns the unclamped a_full = wa*n(A) + wg*G + wm*n(r).
func mix(wa, wg, wm, nA, gs, nR float32) float32 { return wa*nA + wg*gs + wm*nR }

// blend returns alpha = a_go + k*(a_full - a_go).
func blend(aGo, aFull, k float32) float32 { return aGo + k*(aFull-aGo) }

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
	return clamp32(1+rate*(target-rms), gainMin, gainMax)
}

// EpochDiagnostics returns the diagnostics of the steps since the last call
// (all zero if there were none) and resets them; ok is always true. The
// grad-only mode reports its alpha, a_go.
func (o *NeuroPlastic) EpochDiagnostics() (Diagnostics, bool) {
	d := o.diag.result()
	o.diag = diagAcc{}
	return d, true
}

// MarshalBinary encodes the traces of every parameter and the diagnostics
// accumulated so far in the epoch. NeuroPlastic keeps no step count: its
// only time input is the epoch given to Step.
func (o *NeuroPlastic) MarshalBinary() ([]byte, error) {
	w := newStateWriter(NameNeuroPlastic, o.params, len(o.buf))
	o.diag.encode(w)
	w.f32s(o.buf)
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
	if err := r.close(); err != nil {
		return err
	}
	o.diag = d
	copy(o.buf, buf)
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
