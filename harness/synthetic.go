package harness

import (
	"github.com/neuroplastic/neuroplastic/data"
	"github.com/neuroplastic/neuroplastic/harness/spec"
	"github.com/neuroplastic/neuroplastic/models/param"
)

// Sizes of the spec.Synthetic dataset.
const (
	syntheticTrain = 256
	syntheticTest  = 64
)

// syntheticDataset generates the spec.Synthetic dataset: 256 training and 64 test
// examples of 1x28x28 inputs (the mlp's shape) in 10 classes. Each class is a
// fixed random pattern; an example is half its class's pattern plus Gaussian
// noise, so a model can learn it in a few epochs. It is deterministic and
// exists only for the pipeline tests: it is not data of the preprint.
func syntheticDataset() *data.Dataset {
	const c, h, w = 1, 28, 28
	r := param.Stream(0, "synthetic", 0)
	patterns := make([]float32, 10*c*h*w)
	for i := range patterns {
		patterns[i] = float32(2*r.Float64() - 1)
	}
	split := func(n int) *data.Split {
		s := &data.Split{X: make([]float32, n*c*h*w), Y: make([]uint8, n), N: n, C: c, H: h, W: w}
		for i := range n {
			y := r.IntN(10)
			s.Y[i] = uint8(y)
			for j := range c * h * w {
				s.X[i*c*h*w+j] = 0.5*patterns[y*c*h*w+j] + float32(0.5*r.NormFloat64())
			}
		}
		return s
	}
	return &data.Dataset{Name: spec.Synthetic, Train: split(syntheticTrain), Test: split(syntheticTest)}
}
