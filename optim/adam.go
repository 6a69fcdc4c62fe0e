package optim

import (
	"math"

	"github.com/neuroplastic/neuroplastic/models/param"
)

// AdamConfig holds the hyperparameters of Adam and AdamW as torch.optim
// defines them (bias-corrected, no amsgrad). Adam adds WeightDecay*p to the
// gradient; AdamW decays the parameter directly.
type AdamConfig struct {
	LR          float64 // lr: learning rate, >= 0
	Beta1       float64 // beta1: first-moment decay, in [0, 1)
	Beta2       float64 // beta2: second-moment decay, in [0, 1)
	Eps         float64 // eps: added to the denominator, > 0
	WeightDecay float64 // weight_decay: >= 0
}

// DefaultAdam returns torch.optim.Adam's defaults: lr 1e-3, betas (0.9,
// 0.999), eps 1e-8, weight decay 0.
func DefaultAdam() AdamConfig {
	return AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// DefaultAdamW returns torch.optim.AdamW's defaults: those of Adam with
// weight decay 0.01.
func DefaultAdamW() AdamConfig {
	c := DefaultAdam()
	c.WeightDecay = 0.01
	return c
}

// Validate returns an error naming the first invalid hyperparameter; errors
// say "adam", the same checks serve AdamW.
func (c AdamConfig) Validate() error { return c.validate(NameAdam) }

// validate is Validate with the algorithm name used in messages.
func (c AdamConfig) validate(algo string) error {
	return firstError(
		nonNegative(algo, "lr", c.LR),
		unitInterval(algo, "beta1", c.Beta1),
		unitInterval(algo, "beta2", c.Beta2),
		positive(algo, "eps", c.Eps),
		nonNegative(algo, "weight_decay", c.WeightDecay),
	)
}

// unitInterval checks that v lies in [0, 1).
func unitInterval(algo, key string, v float64) error {
	if !(v >= 0 && v < 1) {
		return keyError(algo, key, "%s %v is outside [0, 1)", key, v)
	}
	return nil
}

func (c *AdamConfig) fields() []field {
	return []field{
		{"lr", &c.LR},
		{"beta1", &c.Beta1},
		{"beta2", &c.Beta2},
		{"eps", &c.Eps},
		{"weight_decay", &c.WeightDecay},
	}
}

// Adam is the Adam or AdamW optimizer bound to its parameters.
type Adam struct {
	name      string // NameAdam or NameAdamW
	decoupled bool   // AdamW: decay p directly instead of adding wd*p to g
	cfg       AdamConfig
	params    []*param.Param
	numel     []int
	step      uint64      // number of steps taken, t
	buf       []float32   // m and v of every parameter, flat
	st        []adamState // per-parameter views of buf
	// kern selects the vector kernel (passISA unless a test sets it); the
	// kernel computes the same bits as the Go loop.
	kern isa
}

// adamState is one parameter's first and second moment estimates.
type adamState struct{ m, v []float32 }

// NewAdam returns Adam (torch.optim.Adam) bound to params, or an error if c
// is invalid. It panics on a malformed parameter set (see New).
func NewAdam(params []*param.Param, c AdamConfig) (*Adam, error) {
	return newAdam(NameAdam, params, c)
}

// NewAdamW returns AdamW (torch.optim.AdamW) bound to params, or an error if
// c is invalid. It panics on a malformed parameter set (see New).
func NewAdamW(params []*param.Param, c AdamConfig) (*Adam, error) {
	return newAdam(NameAdamW, params, c)
}

func newAdam(name string, params []*param.Param, c AdamConfig) (*Adam, error) {
	if err := c.validate(name); err != nil {
		return nil, err
	}
	checkParams(name, params)
	o := &Adam{name: name, decoupled: name == NameAdamW, cfg: c, params: params, numel: numels(params), kern: passISA}
	o.buf = make([]float32, 2*sumInts(o.numel))
	// Lay out m and v of each parameter next to each other.
	both := make([]int, 0, 2*len(o.numel))
	for _, n := range o.numel {
		both = append(both, n, n)
	}
	vs := views(o.buf, both)
	o.st = make([]adamState, len(params))
	for i := range o.st {
		o.st[i] = adamState{m: vs[2*i], v: vs[2*i+1]}
	}
	return o, nil
}

// Step applies one Adam or AdamW update to every parameter; Adam does not
// depend on the epoch.
func (o *Adam) Step(epoch int) error {
	checkStep(o.name, epoch, o.params, o.numel)
	if err := checkGrads(o.params); err != nil {
		return err
	}
	o.step++
	c := &o.cfg
	// Scalars as torch computes them: in float64, rounded to float32 where
	// they meet a tensor.
	t := float64(o.step)
	k := adamScalars{
		stepSize: float32(c.LR / (1 - math.Pow(c.Beta1, t))), // lr / (1 - beta1^t)
		// sqrt(1 - beta2^t), divided by as quo(x, rbc2) (see quo).
		rbc2:  recip(float32(math.Sqrt(1 - math.Pow(c.Beta2, t)))),
		decay: float32(1 - float64(c.LR*c.WeightDecay)), // AdamW's factor 1 - lr*wd
		wd:    float32(c.WeightDecay),
		b1:    float32(c.Beta1), b2: float32(c.Beta2),
		ob1: float32(1 - c.Beta1), ob2: float32(1 - c.Beta2),
		eps: float32(c.Eps),
	}
	switch {
	case c.WeightDecay == 0:
		k.decayMode = adamNoDecay
	case o.decoupled:
		k.decayMode = adamDecoupled
	default:
		k.decayMode = adamCoupled
	}
	for i, p := range o.params {
		w := p.Data
		g := p.Grad[:len(w)]
		m, v := o.st[i].m[:len(w)], o.st[i].v[:len(w)]
		j := adamBulk(o.kern, w, g, m, v, &k)
		adamGo(w[j:], g[j:], m[j:], v[j:], &k)
	}
	return nil
}

// MarshalBinary encodes the step count and both moments of every parameter.
func (o *Adam) MarshalBinary() ([]byte, error) { return o.AppendBinary(nil) }

// AppendBinary appends MarshalBinary's encoding to b.
func (o *Adam) AppendBinary(b []byte) ([]byte, error) {
	w := newStateWriter(b, o.name, o.params, len(o.buf))
	w.u64(o.step)
	w.f32s(o.buf)
	return w.b, nil
}

// UnmarshalBinary restores a state written by MarshalBinary of the same
// algorithm (Adam or AdamW) over the same parameters; on error the state is
// unchanged.
func (o *Adam) UnmarshalBinary(data []byte) error {
	r, err := newStateReader(data, o.name, o.params)
	if err != nil {
		return err
	}
	step := r.u64()
	buf := r.f32s(len(o.buf))
	if err := r.close(); err != nil {
		return err
	}
	o.step = step
	copy(o.buf, buf)
	return nil
}

// adamScalars are the constants of one Adam step, as float32 where they meet
// a tensor (rbc2 is the float64 reciprocal that quo takes). The vector
// kernels read them by their go_asm.h offsets.
type adamScalars struct {
	rbc2                  float64
	stepSize, decay, wd   float32
	b1, b2, ob1, ob2, eps float32
	decayMode             int32
}

// The weight decay modes of an Adam step (adamScalars.decayMode).
const (
	adamNoDecay   = 0 // weight_decay 0
	adamCoupled   = 1 // Adam: g <- g + wd*p
	adamDecoupled = 2 // AdamW: p <- p*(1 - lr*wd)
)

// adamGo runs one Adam step on the elements of w with gradients g and
// moments m and v. The vector kernels compute each element with the same
// float32 operations in the same order (none fused), so they give the same
// bits.
func adamGo(w, g, m, v []float32, k *adamScalars) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for j, gj := range g {
		switch k.decayMode {
		case adamDecoupled:
			w[j] *= k.decay
		case adamCoupled:
			gj += float32(k.wd * w[j])
		}
		// m <- beta1*m + (1-beta1)*g;  v <- beta2*v + (1-beta2)*g*g
		m[j], v[j] = ema(k.b1, m[j], k.ob1, gj), emaSq(k.b2, v[j], k.ob2, gj)
		// p <- p - lr/(1-beta1^t) * m / (sqrt(v)/sqrt(1-beta2^t) + eps)
		w[j] -= float32(k.stepSize * (m[j] / (quo(sqrt32(v[j]), k.rbc2) + k.eps)))
	}
}
