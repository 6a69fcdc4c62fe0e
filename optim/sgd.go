package optim

import (
	"github.com/neuroplastic/neuroplastic/models/param"
)

// SGDConfig holds the hyperparameters of stochastic gradient descent as
// torch.optim.SGD defines them, with dampening fixed at 0.
type SGDConfig struct {
	LR          float64 // lr: learning rate, >= 0
	Momentum    float64 // momentum: heavy-ball coefficient mu, >= 0; 0 keeps no buffer
	WeightDecay float64 // weight_decay: coupled L2 coefficient added to the gradient, >= 0
	Nesterov    bool    // nesterov: use Nesterov momentum (needs momentum > 0)
}

// DefaultSGD returns plain SGD: lr 1e-3 (torch's default since 2.0), no
// momentum, no weight decay, no Nesterov.
func DefaultSGD() SGDConfig { return SGDConfig{LR: 1e-3} }

// Validate returns an error naming the first invalid hyperparameter.
func (c SGDConfig) Validate() error {
	err := firstError(
		nonNegative(NameSGD, "lr", c.LR),
		nonNegative(NameSGD, "momentum", c.Momentum),
		nonNegative(NameSGD, "weight_decay", c.WeightDecay),
	)
	if err == nil && c.Nesterov && c.Momentum == 0 {
		err = pairError(NameSGD, "nesterov", "momentum", "nesterov needs momentum > 0, not %v", c.Momentum)
	}
	return err
}

func (c *SGDConfig) fields() []field {
	return []field{
		{"lr", &c.LR},
		{"momentum", &c.Momentum},
		{"weight_decay", &c.WeightDecay},
		{"nesterov", &c.Nesterov},
	}
}

// SGD is stochastic gradient descent with optional momentum, Nesterov
// momentum and coupled weight decay, bound to its parameters.
type SGD struct {
	cfg    SGDConfig
	params []*param.Param
	numel  []int
	buf    []float32   // all momentum buffers, flat; empty without momentum
	mom    [][]float32 // per-parameter views of buf
	// kern selects the vector kernel (passISA unless a test sets it); the
	// kernel computes the same bits as the Go loop.
	kern isa
}

// NewSGD returns SGD bound to params, or an error if c is invalid. It panics
// on a malformed parameter set (see New).
func NewSGD(params []*param.Param, c SGDConfig) (*SGD, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	checkParams(NameSGD, params)
	o := &SGD{cfg: c, params: params, numel: numels(params), kern: passISA}
	if c.Momentum != 0 {
		o.buf = make([]float32, sumInts(o.numel))
		o.mom = views(o.buf, o.numel)
	}
	return o, nil
}

// Step applies one SGD update to every parameter; SGD does not depend on
// the epoch.
func (o *SGD) Step(epoch int) error {
	checkStep(NameSGD, epoch, o.params, o.numel)
	if err := checkGrads(o.params); err != nil {
		return err
	}
	k := sgdScalars{lr: float32(o.cfg.LR), wd: float32(o.cfg.WeightDecay), mu: float32(o.cfg.Momentum)}
	if k.wd != 0 {
		k.withDecay = 1
	}
	switch {
	case k.mu == 0:
		k.momentumMode = sgdPlain
	case o.cfg.Nesterov:
		k.momentumMode = sgdNesterov
	default:
		k.momentumMode = sgdMomentum
	}
	for i, p := range o.params {
		w := p.Data
		g := p.Grad[:len(w)]
		var b []float32 // the momentum buffer: none in the sgdPlain mode
		if k.momentumMode != sgdPlain {
			b = o.mom[i][:len(w)]
		}
		j := sgdBulk(o.kern, w, g, b, &k)
		sgdGo(w[j:], g[j:], b[min(j, len(b)):], &k)
	}
	return nil
}

// MarshalBinary encodes the momentum buffers.
func (o *SGD) MarshalBinary() ([]byte, error) { return o.AppendBinary(nil) }

// AppendBinary appends MarshalBinary's encoding to b.
func (o *SGD) AppendBinary(b []byte) ([]byte, error) {
	w := newStateWriter(b, NameSGD, o.params, len(o.buf))
	w.f32s(o.buf)
	return w.b, nil
}

// UnmarshalBinary restores momentum buffers written by MarshalBinary for the
// same parameters and configuration; on error the state is unchanged.
func (o *SGD) UnmarshalBinary(data []byte) error {
	r, err := newStateReader(data, NameSGD, o.params)
	if err != nil {
		return err
	}
	buf := r.f32s(len(o.buf))
	if err := r.close(); err != nil {
		return err
	}
	copy(o.buf, buf)
	return nil
}

// sgdScalars are the constants of one SGD step, as float32. The vector
// kernels read them by their go_asm.h offsets.
type sgdScalars struct {
	lr, wd, mu   float32
	momentumMode int32
	withDecay    int32 // 1 if wd != 0: the decay term is skipped at wd 0
}

// The momentum modes of an SGD step (sgdScalars.momentumMode).
const (
	sgdPlain    = 0 // momentum 0: d <- g + wd*p
	sgdMomentum = 1 // b <- mu*b + d; d <- b
	sgdNesterov = 2 // b <- mu*b + d; d <- d + mu*b
)

// sgdGo runs one SGD step on the elements of w with gradients g and, unless
// the mode is sgdPlain, momentum buffer b. The vector kernels compute each
// element with the same float32 operations in the same order (none fused),
// so they give the same bits.
func sgdGo(w, g, b []float32, k *sgdScalars) {
	g = g[:len(w)]
	if k.momentumMode != sgdPlain {
		b = b[:len(w)]
	}
	for j, d := range g {
		// d = g + wd*p   (coupled L2 weight decay; skipped at wd 0, where
		// the product would turn an infinite p into NaN)
		if k.withDecay != 0 {
			d += float32(k.wd * w[j])
		}
		switch k.momentumMode {
		case sgdMomentum:
			// b <- mu*b + d   (dampening 0; b starts at 0, which equals
			// torch's b = d on the first step); d <- b
			b[j] = float32(k.mu*b[j]) + d
			d = b[j]
		case sgdNesterov:
			// b <- mu*b + d; d <- d + mu*b
			b[j] = float32(k.mu*b[j]) + d
			d += float32(k.mu * b[j])
		}
		// p <- p - lr*d
		w[j] -= float32(k.lr * d)
	}
}
