package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMaxPool2x2Row checks MaxPool2x2Row against a plain reading of its
// definition (the first maximum of each pair, then of the two rows; the
// index of the value kept; with relu, +0 and -1 unless v > 0 or NaN) on
// rows of every width up to 40 and with and without the vector kernel, on
// values with many ties, zeros of both signs and NaNs.
func TestMaxPool2x2Row(t *testing.T) {
	vector := poolAVX2
	defer func() { poolAVX2 = vector }()
	rng := rand.New(rand.NewPCG(21, 22))
	values := []float32{-2, -1, float32(math.Copysign(0, -1)), 0, 0.5, 1, 3, float32(math.NaN()),
		math.Float32frombits(0xffc00001), float32(math.Inf(-1)), float32(math.Inf(1))}
	for _, vec := range []bool{false, vector} {
		poolAVX2 = vec
		for n := range 41 {
			for _, relu := range []bool{false, true} {
				w := 2*n + rng.IntN(3)
				x := make([]float32, w+2*n+rng.IntN(3))
				for i := range x {
					x[i] = values[rng.IntN(len(values))]
					if rng.IntN(4) == 0 {
						x[i] = float32(rng.NormFloat64())
					}
				}
				y, am := make([]float32, n), make([]int32, n)
				idx0 := rng.IntN(1000)
				MaxPool2x2Row(y, am, x, w, idx0, relu)
				for ox := range n {
					// The first maximum of each row's pair, then of the rows.
					top, bottom := 2*ox, w+2*ox
					if x[top+1] > x[top] {
						top++
					}
					if x[bottom+1] > x[bottom] {
						bottom++
					}
					best := top
					if x[bottom] > x[top] {
						best = bottom
					}
					wantV, wantI := x[best], int32(idx0+best)
					if relu && x[best] <= 0 {
						wantV, wantI = 0, -1
					}
					if math.Float32bits(y[ox]) != math.Float32bits(wantV) || am[ox] != wantI {
						t.Fatalf("vector %v, relu %v, n %d, window %d (%v %v / %v %v): got %v at %d, want %v at %d",
							vec, relu, n, ox, x[2*ox], x[2*ox+1], x[w+2*ox], x[w+2*ox+1], y[ox], am[ox], wantV, wantI)
					}
				}
			}
		}
	}
}
