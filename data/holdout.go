package data

import (
	"fmt"
	"math"
	"slices"
)

// ValidationSeed seeds the shuffle of the validation hold-out. It is fixed
// and independent of every run's seed, so all runs of a study, whatever
// their seed, hold out the same examples (docs/specs.md, "The validation hold-out").
const ValidationSeed = 2604

// Holdout splits the n examples of a training split into the rest, on which
// a run trains, and a validation hold-out of round(n*fraction) examples
// (halves to even), exactly as in Python:
//
//	idx = list(range(n)); random.Random(2604).shuffle(idx)
//	k = round(n*fraction); val = sorted(idx[:k]); train = sorted(idx[k:])
//
// Both are sorted and freshly allocated. Holdout panics if n is negative or
// fraction is outside (0, 1).
func Holdout(n int, fraction float64) (train, val []int) {
	if n < 0 {
		panic(fmt.Sprintf("data: Holdout: negative size %d", n))
	}
	if !(fraction > 0 && fraction < 1) {
		panic(fmt.Sprintf("data: Holdout: fraction %v outside (0, 1)", fraction))
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	newPyRandom(ValidationSeed).shuffle(idx)
	k := int(math.RoundToEven(float64(n) * fraction))
	val, train = slices.Clone(idx[:k]), slices.Clone(idx[k:])
	slices.Sort(val)
	slices.Sort(train)
	return train, val
}
