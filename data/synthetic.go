package data

import (
	"math"

	"github.com/neuroplastic/neuroplastic/rng"
)

// Synthetic is the name of a tiny generated dataset that exists only so the
// pipeline tests run without downloads: Load and Describe know it, Names
// and Fetch do not, and no spec under experiments/ uses it.
const Synthetic = "synthetic"

// Sizes of the Synthetic dataset.
const (
	syntheticTrain = 256
	syntheticTest  = 64
)

// synthetic generates the Synthetic dataset: 256 training and 64 test
// examples of 1x28x28 byte images (the mlp's shape, normalised as MNIST) in
// 10 classes. Each class is a fixed random pattern; an example is half its
// class's pattern plus Gaussian noise, so a model can learn it in a few
// epochs. It is deterministic and exists only for the pipeline tests: it is
// not data of the preprint.
func synthetic() *Dataset {
	const c, h, w = 1, 28, 28
	r := rng.Stream(0, "synthetic", 0)
	patterns := make([]float64, numClasses*c*h*w)
	for i := range patterns {
		patterns[i] = 2*r.Float64() - 1
	}
	split := func(n int) *Split {
		s := rawSplit{make([]byte, n*c*h*w), make([]byte, n)}
		for i := range n {
			y := r.IntN(numClasses)
			s.y[i] = uint8(y)
			for j := range c * h * w {
				v := 0.5*patterns[y*c*h*w+j] + 0.25*r.NormFloat64() // mostly in [-1, 1]
				s.x[i*c*h*w+j] = uint8(math.Round(127.5 * (1 + max(-1, min(1, v)))))
			}
		}
		mean, std := idxSet{}.normalisation()
		return newSplit(s, c, h, w, mean, std)
	}
	return &Dataset{Name: Synthetic, Train: split(syntheticTrain), Test: split(syntheticTest)}
}
