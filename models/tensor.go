package models

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/neuroplastic/neuroplastic/models/kernel"
	"github.com/neuroplastic/neuroplastic/models/param"
)

// shape is the per-sample shape of an activation: channels, height, width.
// Flat feature vectors have h = w = 1.
type shape struct{ c, h, w int }

// size returns the number of values of one sample.
func (s shape) size() int { return s.c * s.h * s.w }

// String formats s as CxHxW, as used in panic messages.
func (s shape) String() string { return fmt.Sprintf("%dx%dx%d", s.c, s.h, s.w) }

// tensor is a batch of n samples of one shape, stored NCHW in data, which
// holds exactly n*shape.size() values. A tensor that a layer owns is
// allocated once for the largest batch; smaller batches use a prefix of the
// same backing array.
type tensor struct {
	n     int
	shape shape
	data  []float32
}

// newTensor returns a tensor with room for maxBatch samples of shape s,
// holding maxBatch samples.
func newTensor(maxBatch int, s shape) tensor {
	return tensor{n: maxBatch, shape: s, data: make([]float32, maxBatch*s.size())}
}

// resize sets the batch size of t to n, reusing its backing array; n must not
// exceed the batch t was allocated for.
func (t *tensor) resize(n int) {
	t.n = n
	t.data = t.data[:n*t.shape.size()]
}

// sample returns the values of sample i.
func (t *tensor) sample(i int) []float32 {
	sz := t.shape.size()
	return t.data[i*sz : (i+1)*sz]
}

// layer is one stage of a network. Layers own their outputs and their input
// gradients; they never modify the tensors they are given.
type layer interface {
	// forward computes the output for the batch x in training or evaluation
	// mode. The result is owned by the layer (or is x itself) and stays valid
	// until the next forward call.
	forward(x *tensor, train bool) *tensor
	// backward takes the gradient of the loss with respect to the output of
	// the last training-mode forward call, adds the gradients of the
	// parameters to their Grad and, if needDx, returns the gradient with
	// respect to the input (otherwise nil).
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

// elementGrain is the fewest values (64 KiB) worth handing to another of the
// engine's goroutines in an elementwise pass: below it the hand-off costs
// more than the work.
const elementGrain = 1 << 14

// grain returns the fewest indices of a kernel.Engine.Parallel call worth
// a goroutine when each index covers perIndex values.
func grain(perIndex int) int { return max(elementGrain/max(perIndex, 1), 1) }

// addition is the kernel.Ranger that sets dst = a + b elementwise, or
// dst = max(a + b, 0) with relu.
type addition struct {
	dst, a, b []float32
	relu      bool
}

func (s *addition) Range(lo, hi int) {
	dst, b := s.dst[lo:hi], s.b[lo:hi]
	if s.relu {
		for i, v := range s.a[lo:hi] {
			dst[i] = max(v+b[i], 0)
		}
		return
	}
	for i, v := range s.a[lo:hi] {
		dst[i] = v + b[i]
	}
}
