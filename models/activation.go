package models

import "math"

// relu is the rectifier y = max(x, 0). Its gradient at 0 is taken as 0, as
// in PyTorch.
type relu struct {
	name     string
	in       shape
	maxBatch int
	y, dx    tensor
}

// relu builds a ReLU layer named name on inputs of shape in.
func (b *builder) relu(name string, in shape) *relu {
	return &relu{name: name, in: in, maxBatch: b.maxBatch, y: newTensor(b.maxBatch, in), dx: newTensor(b.maxBatch, in)}
}

func (r *relu) outShape() shape { return r.in }

func (r *relu) forward(x *tensor, _ bool) *tensor {
	checkInput(r.name, x, r.in, r.maxBatch)
	r.y.resize(x.n)
	for i, v := range x.data {
		r.y.data[i] = max(v, 0)
	}
	return &r.y
}

func (r *relu) backward(dy *tensor, needDx bool) *tensor {
	if !needDx {
		return nil
	}
	r.dx.resize(dy.n)
	y, dx := r.y.data[:len(dy.data)], r.dx.data[:len(dy.data)]
	for i, g := range dy.data {
		// y is +0, positive or NaN, so apart from positive NaNs (which
		// pass g on) y > 0 exactly when its bits are in [1, 2^31]. A mask
		// keeps g instead of a branch, which the signs of real activations
		// would mispredict half the time: int32(bits-1)>>31 is all ones
		// for bits 0 and above 2^31, else 0.
		drop := uint32(int32(math.Float32bits(y[i])-1) >> 31)
		dx[i] = math.Float32frombits(math.Float32bits(g) &^ drop)
	}
	return &r.dx
}
