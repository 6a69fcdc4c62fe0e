package models

import "github.com/neuroplastic/neuroplastic/models/kernel"

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
	kernel.ReLU(r.y.data[lo:hi], r.x.data[lo:hi])
}

func (r *relu) backward(dy *tensor, needDx bool) *tensor {
	return r.backwardBy(dy, needDx, (*reluBackward)(r))
}

// backwardBy is the backward pass with grad, over the elements of dy, in
// place of the ReLU's own gradient (reluBackward): it sets r.dy and sizes
// r.dx for it, and returns r.dx, or nil without needDx.
func (r *relu) backwardBy(dy *tensor, needDx bool, grad kernel.Ranger) *tensor {
	if !needDx {
		return nil
	}
	r.dy = dy
	r.dx.resize(dy.n)
	r.eng.Parallel(len(dy.data), elementGrain, grad)
	return &r.dx
}

// reluBackward is the kernel.Ranger of relu.backward over elements.
type reluBackward relu

func (r *reluBackward) Range(lo, hi int) {
	kernel.ReLUGrad(r.dx.data[lo:hi], r.dy.data[lo:hi], r.y.data[lo:hi])
}
