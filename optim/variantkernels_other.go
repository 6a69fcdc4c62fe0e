//go:build !amd64 || purego

package optim

// The variant paths' bulk functions take no elements here: the Go loops do
// all the work.

func adamwBaseBulk(_ isa, _, _, _, _, _ []float32, _ *adamwBaseScalars) int { return 0 }

func alphaElemsBulk(_ isa, _, _, _, _, _ []float32, _ *alphaParams, _ bool, _ float64, _, _ float32, _ *statLanes) int {
	return 0
}

func logRatiosBulk(_ isa, _, _, _ []float32) int { return 0 }
