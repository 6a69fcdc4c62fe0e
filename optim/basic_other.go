//go:build !amd64 || purego

package optim

// adamBulk takes no elements here: adamGo does all the work.
func adamBulk(_ isa, _, _, _, _ []float32, _ *adamScalars) int { return 0 }

// sgdBulk takes no elements here: sgdGo does all the work.
func sgdBulk(_ isa, _, _, _ []float32, _ *sgdScalars) int { return 0 }
