package models

import "math/rand/v2"

// dropoutSource is the random stream shared by the dropout layers of a
// network, drawn in forward order. Net.BeginEpoch replaces r.
type dropoutSource struct{ r *rand.Rand }

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

func (d *dropout) outShape() shape { return d.in }

func (d *dropout) forward(x *tensor, train bool) *tensor {
	checkInput(d.name, x, d.in, d.maxBatch)
	if !train {
		return x
	}
	d.y.resize(x.n)
	scale := 1 / (1 - d.p)
	for i, v := range x.data {
		m := scale
		if d.src.r.Float32() < d.p {
			m = 0
		}
		d.mask[i] = m
		d.y.data[i] = v * m
	}
	return &d.y
}

func (d *dropout) backward(dy *tensor, needDx bool) *tensor {
	if !needDx {
		return nil
	}
	d.dx.resize(dy.n)
	for i, g := range dy.data {
		d.dx.data[i] = g * d.mask[i]
	}
	return &d.dx
}
