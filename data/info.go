package data

import (
	"fmt"
	"math"
	"strings"
)

// Info holds the facts about a dataset that need none of its files.
type Info struct {
	Name        string // as Load takes it
	Title       string // as people know it
	Train, Test int    // examples in the training and test splits
	// Augmented says the training split is read with random crops and
	// horizontal flips (NewLoader's augment), as the reference trains
	// CIFAR-10.
	Augmented bool
}

// Describe returns the Info of the named dataset: one of Names, or
// Synthetic.
func Describe(name string) (Info, error) {
	if name == Synthetic {
		return Info{Name: Synthetic, Title: "synthetic test data", Train: syntheticTrain, Test: syntheticTest}, nil
	}
	s, err := lookup(name)
	if err != nil {
		return Info{}, err
	}
	train, test := s.format.sizes()
	return Info{Name: s.name, Title: s.title, Train: train, Test: test, Augmented: s.augment}, nil
}

// lookup returns the spec of the named dataset.
func lookup(name string) (*datasetSpec, error) {
	for _, s := range datasets() {
		if s.name == name {
			return s, nil
		}
	}
	return nil, fmt.Errorf("data: unknown dataset %q (known: %s)", name, strings.Join(Names(), ", "))
}

// SubsetSize returns the number of examples of Subset(n, fraction, seed)
// for any seed: n*fraction rounded half to even, as Python's round does.
func SubsetSize(n int, fraction float64) int {
	return int(math.RoundToEven(float64(n) * fraction))
}
