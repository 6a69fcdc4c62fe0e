package models

import (
	"math"

	"github.com/neuroplastic/neuroplastic/models/kernel"
)

// relu is the rectifier y = max(x, 0). Its gradient at 0 is taken as 0, as
// in PyTorch. Large batches are split by elements between the engine's
// goroutines.
type relu struct {
	name     string
	in       shape
	maxBatch int
	eng      *kernel.Engine
	x, dy    *tensor // arguments of the forward or backward call running
	y, dx    tensor
}

// relu builds a ReLU layer named name on inputs of shape in.
func (b *builder) relu(name string, in shape) *relu {
	return &relu{name: name, in: in, maxBatch: b.maxBatch, eng: b.eng, y: newTensor(b.maxBatch, in), dx: newTensor(b.maxBatch, in)}
}

func (r *relu) outShape() shape { return r.in }

func (r *relu) forward(x *tensor, _ bool) *tensor {
	checkInput(r.name, x, r.in, r.maxBatch)
	r.x = x
	r.y.resize(x.n)
	r.eng.Parallel(len(x.data), elementGrain, (*reluForward)(r))
	return &r.y
}

// reluForward is the kernel.Ranger of relu.forward over elements.
type reluForward relu

func (r *reluForward) Range(lo, hi int) {
	y := r.y.data[lo:hi]
	for i, v := range r.x.data[lo:hi] {
		y[i] = max(v, 0)
	}
}

func (r *relu) backward(dy *tensor, needDx bool) *tensor {
	if !needDx {
		return nil
	}
	r.dy = dy
	r.dx.resize(dy.n)
	r.eng.Parallel(len(dy.data), elementGrain, (*reluBackward)(r))
	return &r.dx
}

// reluBackward is the kernel.Ranger of relu.backward over elements.
type reluBackward relu

func (r *reluBackward) Range(lo, hi int) {
	y, dx := r.y.data[lo:hi], r.dx.data[lo:hi]
	for i, g := range r.dy.data[lo:hi] {
		dx[i] = reluGrad(g, y[i])
	}
}

// reluGrad returns the gradient g of a ReLU output y passed to its input:
// g where y > 0, else +0.
func reluGrad(g, y float32) float32 {
	// y is +0, positive or NaN, so apart from positive NaNs (which pass g
	// on) y > 0 exactly when its bits are in [1, 2^31]. A mask keeps g
	// instead of a branch, which the signs of real activations would
	// mispredict half the time: int32(bits-1)>>31 is all ones for bits 0
	// and above 2^31, else 0.
	drop := uint32(int32(math.Float32bits(y)-1) >> 31)
	return math.Float32frombits(math.Float32bits(g) &^ drop)
}
