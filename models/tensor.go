package models

import (
	"fmt"

	"github.com/neuroplastic/neuroplastic/models/kernel"
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

// elementGrain is the fewest values (64 KiB) worth handing to another of the
// engine's goroutines in an elementwise pass: below it the hand-off costs
// more than the work.
const elementGrain = 1 << 14

// grain returns the fewest indices of a kernel.Engine.Parallel call worth
// a goroutine when each index covers perIndex values.
func grain(perIndex int) int { return max(elementGrain/max(perIndex, 1), 1) }

// addition is the kernel.Ranger that sets dst = a + b elementwise, where
// b is, with y not nil, the gradient of a ReLU output y passed to its
// input (kernel.Add).
type addition struct {
	dst, a, b, y []float32
}

func (s *addition) Range(lo, hi int) {
	kernel.Add(s.dst[lo:hi], s.a[lo:hi], s.b[lo:hi], span(s.y, lo, hi))
}

// span returns y[lo:hi], or nil for a nil y.
func span(y []float32, lo, hi int) []float32 {
	if y == nil {
		return nil
	}
	return y[lo:hi]
}
