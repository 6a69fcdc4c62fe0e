//go:build !purego

package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// sameOrNaN reports whether x and y hold the same bits, counting every NaN
// as the same: where two NaNs meet in an addition, which one's sign and
// payload the result keeps depends on the order the Go compiler gives a
// commutative operation's operands (and on the architecture), so it is no
// part of the kernels' contract.
func sameOrNaN(x, y []float32) bool {
	return slices.EqualFunc(x, y, func(a, b float32) bool {
		return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
	})
}

// TestWinogradKernels checks that the AVX2 transform kernels give the bits
// of the Go loops (winoAsm cleared) in the three Winograd passes: image
// widths that leave part groups of 16 columns and part runs of 8 tiles
// (with and without the kernels' last group of 8 columns and 4 tiles), odd
// and even sizes (tiles cut by the edges), strips that split a row of
// tiles, the three kinds of beta, every variant's strip widths, a
// filter-gradient block that starts inside a row of tiles, and inputs with
// infinities, NaNs, signed zeros and subnormals among the values (NaNs
// compare equal whatever their sign and payload, see sameOrNaN).
func TestWinogradKernels(t *testing.T) {
	if !winoAsm {
		t.Skip("no AVX2 on this CPU: the Go loops are the only transforms")
	}
	defer func() { winoAsm = true }()
	rng := rand.New(rand.NewPCG(11, 12))
	shapes := []ConvShape{
		{N: 2, C: 16, H: 4, W: 16, K: 16},
		{N: 1, C: 17, H: 9, W: 35, K: 18},
		{N: 3, C: 16, H: 6, W: 48, K: 20},
		{N: 2, C: 20, H: 5, W: 17, K: 16},
		{N: 1, C: 16, H: 2, W: 33, K: 17},
		{N: 4, C: 16, H: 8, W: 8, K: 16},
		{N: 2, C: 18, H: 6, W: 24, K: 16},
		{N: 3, C: 16, H: 7, W: 13, K: 19},
		// 117 tiles a sample: the filter gradient's second block of 256
		// tiles of a range of 3 samples starts inside a row of tiles.
		{N: 6, C: 16, H: 18, W: 26, K: 16},
	}
	forEachVariant(t, func(t *testing.T, v *variant) {
		checkWinogradKernels(t, v, rng, shapes)
	})
}

// checkWinogradKernels is TestWinogradKernels on the engines of variant v
// (whose strip widths decide how the transformed tiles are grouped).
func checkWinogradKernels(t *testing.T, v *variant, rng *rand.Rand, shapes []ConvShape) {
	special := []float32{float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
		float32(math.Copysign(0, -1)), 0x1p-140, -0x1p-130}
	for si, cs := range shapes {
		cs.R, cs.S, cs.Stride, cs.Pad = 3, 3, 1, 1
		for _, specials := range []bool{false, true} {
			x := randSlice(rng, cs.N*cs.C*cs.H*cs.W)
			w := randSlice(rng, cs.K*cs.C*9)
			dy := randSlice(rng, cs.N*cs.K*cs.H*cs.W)
			old := randSlice(rng, max(len(x), len(dy), len(w)))
			if specials {
				for _, s := range [][]float32{x, dy, old} {
					for range 8 {
						s[rng.IntN(len(s))] = special[rng.IntN(len(special))]
					}
				}
			}
			for _, beta := range []float32{0, 1, -0.5} {
				name := fmt.Sprintf("%d/specials=%v/beta=%v", si, specials, beta)
				run := func(asm bool) (y, dx, dw []float32) {
					winoAsm = asm
					e := newEngine(2, v)
					y = append([]float32(nil), old[:len(dy)]...)
					dx = append([]float32(nil), old[:len(x)]...)
					dw = append([]float32(nil), old[:len(w)]...)
					e.Conv2DForward(cs, x, w, beta, y)
					e.Conv2DBackwardData(cs, dy, w, beta, dx)
					e.Conv2DBackwardFilter(cs, x, dy, beta, dw)
					return y, dx, dw
				}
				wantY, wantDX, wantDW := run(false)
				gotY, gotDX, gotDW := run(true)
				if !sameOrNaN(gotY, wantY) {
					t.Errorf("%s: forward differs from the Go transforms", name)
				}
				if !sameOrNaN(gotDX, wantDX) {
					t.Errorf("%s: input gradient differs from the Go transforms", name)
				}
				if !sameOrNaN(gotDW, wantDW) {
					t.Errorf("%s: filter gradient differs from the Go transforms", name)
				}
			}
		}
	}
}
