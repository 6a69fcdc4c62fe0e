package data

import (
	"fmt"
	"slices"
)

// Subset returns the indices of the low-data subset of a split of n examples
// for a fraction in (0, 1] and a seed, exactly as the reference builds it in
// Python:
//
//	idx = list(range(n)); random.Random(seed).shuffle(idx)
//	sorted(idx[:round(n*fraction)])
//
// with Python's round (halves to even) applied to the float64 product. For
// fraction 1 it returns every index. The result is sorted and freshly
// allocated. Subsets of one seed are nested across fractions. Subset panics
// if n is negative or fraction is outside (0, 1].
func Subset(n int, fraction float64, seed int64) []int {
	if n < 0 {
		panic(fmt.Sprintf("data: Subset: negative size %d", n))
	}
	if !(fraction > 0 && fraction <= 1) {
		panic(fmt.Sprintf("data: Subset: fraction %v outside (0, 1]", fraction))
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if fraction == 1 {
		return idx
	}
	newPyRandom(seed).shuffle(idx)
	idx = idx[:SubsetSize(n, fraction)]
	slices.Sort(idx)
	return idx
}
