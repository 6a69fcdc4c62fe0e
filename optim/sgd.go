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
}

// NewSGD returns SGD bound to params, or an error if c is invalid. It panics
// on a malformed parameter set (see New).
func NewSGD(params []*param.Param, c SGDConfig) (*SGD, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	checkParams(NameSGD, params)
	o := &SGD{cfg: c, params: params, numel: numels(params)}
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
	lr := float32(o.cfg.LR)
	wd := float32(o.cfg.WeightDecay)
	mu := float32(o.cfg.Momentum)
	for i, p := range o.params {
		var b []float32
		if mu != 0 {
			b = o.mom[i][:len(p.Data)]
		}
		w := p.Data
		for j, g := range p.Grad[:len(w)] {
			// d = g + wd*p   (coupled L2 weight decay)
			d := g
			if wd != 0 {
				d += float32(wd * w[j])
			}
			if mu != 0 {
				// b <- mu*b + d   (dampening 0; b starts at 0, which equals
				// torch's b = d on the first step)
				b[j] = float32(mu*b[j]) + d
				if o.cfg.Nesterov {
					// d <- d + mu*b
					d += float32(mu * b[j])
				} else {
					// d <- b
					d = b[j]
				}
			}
			// p <- p - lr*d
			w[j] -= float32(lr * d)
		}
	}
	return nil
}

// MarshalBinary encodes the momentum buffers.
func (o *SGD) MarshalBinary() ([]byte, error) {
	w := newStateWriter(NameSGD, o.params, len(o.buf))
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
