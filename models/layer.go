package models

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/neuroplastic/neuroplastic/models/kernel"
	"github.com/neuroplastic/neuroplastic/models/param"
)

// layer is one stage of a network. Layers own their outputs and their input
// gradients; they never modify the tensors they are given.
type layer interface {
	// forward computes the output for the batch x in training or evaluation
	// mode. The result is owned by the layer (or is x itself) and stays valid
	// until the next forward call.
	forward(x *tensor, train bool) *tensor
	// backward takes the gradient of the loss with respect to the output of
	// the last training-mode forward call, sets the parameters' Grad to
	// their gradients (whatever Grad held before) and, if needDx, returns
	// the gradient with respect to the input (otherwise nil).
	backward(dy *tensor, needDx bool) *tensor
	// outShape returns the per-sample shape of the output.
	outShape() shape
}

// checkInput panics with a message naming the layer and both shapes unless x
// has the per-sample shape want and at most maxBatch samples.
func checkInput(name string, x *tensor, want shape, maxBatch int) {
	if x.shape != want {
		panic(fmt.Sprintf("models: %s: input has shape %v, want %v", name, x.shape, want))
	}
	checkBatch(name, x.n, maxBatch)
}

// checkBatch panics unless 1 <= n <= maxBatch.
func checkBatch(name string, n, maxBatch int) {
	if n < 1 || n > maxBatch {
		panic(fmt.Sprintf("models: %s: batch of %d samples, want 1 to %d", name, n, maxBatch))
	}
}

// builder constructs the layers of a network in parameter order: every
// parameter is registered and initialised from rng when its layer is built,
// so the parameter order, the initialisation order and the checkpoint order
// are the same.
type builder struct {
	maxBatch int
	eng      *kernel.Engine
	rng      *rand.Rand
	params   []*param.Param
	stats    []stat
	drop     *dropoutSource
	// shapesOnly builds parameters without values, for counting: the
	// layers cannot run.
	shapesOnly bool
	macs       int64 // multiply-adds of one example's forward pass through the convolutions and linear layers built
	inert      int   // layers added to a stack before any parameter was registered, see Net.inert
}

// stat is a named non-trainable tensor saved with the parameters, such as a
// BatchNorm running mean.
type stat struct {
	name string
	data []float32
}

// newParam registers and returns a zero parameter of the given shape (with
// no Data or Grad when b.shapesOnly).
func (b *builder) newParam(name string, dims ...int) *param.Param {
	n := 1
	for _, d := range dims {
		n *= d
	}
	p := &param.Param{Name: name, Shape: dims}
	if !b.shapesOnly {
		p.Data, p.Grad = make([]float32, n), make([]float32, n)
	}
	b.params = append(b.params, p)
	return p
}

// uniformParam registers a parameter drawn uniformly from
// [-1/sqrt(fanIn), 1/sqrt(fanIn)), PyTorch's default for the weights and
// biases of Linear and Conv2d (kaiming_uniform with a = sqrt(5) reduces to
// this bound for the weights).
func (b *builder) uniformParam(name string, fanIn int, dims ...int) *param.Param {
	p := b.newParam(name, dims...)
	bound := 1 / math.Sqrt(float64(fanIn))
	for i := range p.Data {
		p.Data[i] = float32((2*b.rng.Float64() - 1) * bound)
	}
	return p
}

// flatten reshapes each sample to a feature vector without copying.
type flatten struct {
	name     string
	in       shape
	maxBatch int
	out, dx  tensor
}

func (b *builder) flatten(name string, in shape) *flatten {
	return &flatten{name: name, in: in, maxBatch: b.maxBatch, out: tensor{shape: shape{in.size(), 1, 1}}, dx: tensor{shape: in}}
}

func (f *flatten) outShape() shape { return f.out.shape }

func (f *flatten) forward(x *tensor, _ bool) *tensor {
	checkInput(f.name, x, f.in, f.maxBatch)
	f.out.n, f.out.data = x.n, x.data
	return &f.out
}

func (f *flatten) backward(dy *tensor, needDx bool) *tensor {
	if !needDx {
		return nil
	}
	f.dx.n, f.dx.data = dy.n, dy.data
	return &f.dx
}
