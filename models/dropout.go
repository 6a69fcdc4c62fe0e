package models

import (
	"math"
	"math/rand/v2"

	"github.com/neuroplastic/neuroplastic/models/kernel"
)

// dropoutSource is the random stream shared by the dropout layers of a
// network, drawn in forward order: the generator of rng.Stream(seed,
// "dropout", epoch), drawn from directly. Net.BeginEpoch replaces pcg.
type dropoutSource struct{ pcg *rand.PCG }

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
	scale := math.Float32bits(1 / (1 - d.p))
	pcg, t := d.src.pcg, dropThreshold(d.p)
	mask, y := d.mask[:len(x.data)], d.y.data[:len(x.data)]
	for i, v := range x.data {
		u := uint32(pcg.Uint64()>>32) & (1<<24 - 1)
		// u and t are at most 2^24, so u-t as an int32 is negative exactly
		// when u < t: drop is then all ones and clears the scale to +0,
		// without a branch that would mispredict on every dropped value.
		drop := uint32(int32(u-t) >> 31)
		m := math.Float32frombits(scale &^ drop)
		mask[i] = m
		y[i] = v * m
	}
	return &d.y
}

func (d *dropout) backward(dy *tensor, needDx bool) *tensor {
	if !needDx {
		return nil
	}
	d.dx.resize(dy.n)
	kernel.Mul(d.dx.data, dy.data, d.mask)
	return &d.dx
}
