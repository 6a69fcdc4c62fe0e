package models

import (
	"math"

	"github.com/neuroplastic/neuroplastic/models/kernel"
	"github.com/neuroplastic/neuroplastic/rng"
)

// dropoutSource is the random stream shared by the dropout layers of a
// network, drawn in forward order: the generator of rng.Stream(seed,
// "dropout", epoch), drawn from directly, as its 128-bit PCG state (high
// and low halves, initially rng.Seeds(seed, "dropout", epoch)) that
// kernel.Dropout advances. New and Net.BeginEpoch reset it.
type dropoutSource struct{ state [2]uint64 }

// reset sets s to the start of rng.Stream(seed, "dropout", epoch).
func (s *dropoutSource) reset(seed uint64, epoch int) {
	s.state[0], s.state[1] = rng.Seeds(seed, "dropout", epoch)
}

// dropout is inverted dropout: in training mode each value is zeroed with
// probability p and the others are scaled by 1/(1-p); in evaluation mode it
// is the identity.
type dropout struct {
	name     string
	in       shape
	p        float32
	maxBatch int
	src      *dropoutSource
	mask     []float32 // 0 or 1/(1-p) per value of the last training forward
	y, dx    tensor
}

// dropout builds a Dropout layer named name with drop probability p on
// inputs of shape in, drawing from the builder's dropout source.
func (b *builder) dropout(name string, in shape, p float32) *dropout {
	return &dropout{name: name, in: in, p: p, maxBatch: b.maxBatch, src: b.drop,
		mask: make([]float32, b.maxBatch*in.size()),
		y:    newTensor(b.maxBatch, in), dx: newTensor(b.maxBatch, in)}
}

// dropThreshold returns the t for which a value is dropped exactly when
// u < t, u being the 24-bit integer of its draw x from the PCG: the bits
// 32 to 55 of x. This is the test r.Float32() < p on the rand.Rand over the
// same PCG, with the same single draw per value:
//
// r.Float32() is float32(uint32(x>>32)<<8>>8) / (1<<24) = float32(u) /
// 2^24. Both steps are exact (u < 2^24 fits float32's 24-bit significand,
// and dividing by a power of two only changes the exponent, the result
// being 0 or at least 2^-24), so r.Float32() is the real number u*2^-24 and
// r.Float32() < p holds exactly when u < p*2^24, that is (u being an
// integer) when u < ceil(p*2^24), computed exactly in float64. For p <= 0
// and for NaN no draw is below p: t = 0. For p >= 1 every draw is: t = 2^24,
// above every u.
func dropThreshold(p float32) uint32 {
	switch {
	case !(p > 0):
		return 0
	case p >= 1:
		return 1 << 24
	}
	return uint32(math.Ceil(float64(p) * (1 << 24)))
}

func (d *dropout) outShape() shape { return d.in }

func (d *dropout) forward(x *tensor, train bool) *tensor {
	checkInput(d.name, x, d.in, d.maxBatch)
	if !train {
		return x
	}
	d.y.resize(x.n)
	kernel.Dropout(d.y.data, d.mask, x.data, &d.src.state, dropThreshold(d.p), 1/(1-d.p))
	return &d.y
}

func (d *dropout) backward(dy *tensor, needDx bool) *tensor {
	if !needDx {
		return nil
	}
	d.dx.resize(dy.n)
	kernel.Mul(d.dx.data, dy.data, d.mask, nil)
	return &d.dx
}

// reluDropout is a ReLU followed by dropout, as one layer: its forward pass
// runs the two in turn, and its backward pass multiplies by the dropout
// mask and applies the ReLU's gradient mask in one pass over the values
// (kernel.Mul with the ReLU's output), with the bits of the two passes.
type reluDropout struct {
	r *relu
	d *dropout
}

// reluDropout builds a ReLU named reluName followed by a Dropout named
// dropName with drop probability p, on inputs of shape in.
func (b *builder) reluDropout(reluName, dropName string, in shape, p float32) *reluDropout {
	return &reluDropout{r: b.relu(reluName, in), d: b.dropout(dropName, in, p)}
}

func (l *reluDropout) outShape() shape { return l.d.outShape() }

func (l *reluDropout) forward(x *tensor, train bool) *tensor {
	return l.d.forward(l.r.forward(x, train), train)
}

func (l *reluDropout) backward(dy *tensor, needDx bool) *tensor {
	return l.r.backwardBy(dy, needDx, (*reluDropoutBackward)(l))
}

// reluDropoutBackward is the kernel.Ranger of reluDropout.backward over
// elements.
type reluDropoutBackward reluDropout

func (l *reluDropoutBackward) Range(lo, hi int) {
	r := l.r
	kernel.Mul(r.dx.data[lo:hi], r.dy.data[lo:hi], l.d.mask[lo:hi], r.y.data[lo:hi])
}
