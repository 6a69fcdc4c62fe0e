package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestDensePack checks dense.Pack against the definition of PanelSource
// and of dense (the value V[p][j] read the obvious way) on row-major and
// grouped column-major matrices, over strip widths, blocks that start and
// end anywhere (ragged strips, k runs that are not multiples of 8, runs
// that cross groups) and with both the assembly helpers this CPU runs and
// every narrower one down to the portable ones.
func TestDensePack(t *testing.T) {
	isa := packISA
	defer func() { packISA = isa }()
	rng := rand.New(rand.NewPCG(5, 6))
	for level := isa; level >= packGo; level-- {
		packISA = level
		for trial := range 400 {
			k, n := 1+rng.IntN(70), 1+rng.IntN(70)
			w := []int{4, 6, 8, 16, 32}[rng.IntN(5)]
			var d dense
			var at func(p, j int) float32
			data := randSlice(rng, 4*k*n+400)
			switch trial % 3 {
			case 0:
				ld := n + rng.IntN(5)
				d.setRowMajor(data, ld)
				at = func(p, j int) float32 { return data[p*ld+j] }
			case 1:
				ld := k + rng.IntN(5)
				d.setColMajor(data, ld, k, 0)
				at = func(p, j int) float32 { return data[j*ld+p] }
			default:
				g := 1 + rng.IntN(k)
				gs := g + rng.IntN(3)
				ld := (k+g-1)/g*gs + rng.IntN(3)
				d.setColMajor(data, ld, g, gs)
				at = func(p, j int) float32 { return data[j*ld+p/g*gs+p%g] }
			}
			k0, j0 := rng.IntN(k), rng.IntN(n)
			kc, nc := 1+rng.IntN(k-k0), 1+rng.IntN(n-j0)
			name := fmt.Sprintf("level %d: ld %d, colMajor %v, groups %d/%d", level, d.ld, d.colMajor, d.g, d.gs)
			checkPack(t, name, &d, w, k0, kc, j0, nc, at, rng)
		}
	}
}

// checkPack packs the block k0+kc by j0+nc of src in strips w wide and
// compares every value, zero columns past the block included, with at.
func checkPack(t *testing.T, name string, src PanelSource, w, k0, kc, j0, nc int, at func(p, j int) float32, rng *rand.Rand) {
	t.Helper()
	got := randSlice(rng, roundUp(nc, w)*kc) // Pack overwrites every value
	src.Pack(got, w, k0, kc, j0, nc)
	for s := 0; s*w < nc; s++ {
		for p := range kc {
			for jj := range w {
				var want float32
				if j := j0 + s*w + jj; j < j0+nc {
					want = at(k0+p, j)
				}
				if x := got[s*kc*w+p*w+jj]; x != want {
					t.Fatalf("%s: w %d, block k %d+%d, columns %d+%d: strip %d, k %d, column %d: %v, want %v",
						name, w, k0, kc, j0, nc, s, p, jj, x, want)
				}
			}
		}
	}
}

// TestTransposeCols checks that transposeCols writes the same bits with the
// assembly this CPU runs as with the portable loops, and nothing else in
// dst: strip widths of every variant and wider, blocks of 1 to w columns,
// odd step counts, steps past multiples of 16, leading dimensions of any
// alignment, and values of every class (NaNs with payloads included).
func TestTransposeCols(t *testing.T) {
	isa := packISA
	defer func() { packISA = isa }()
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := range 2000 {
		w := []int{6, 8, 16, 24, 32, 48}[rng.IntN(6)]
		cols, n := 1+rng.IntN(w), rng.IntN(300)
		if trial%4 == 0 {
			n = 8 * (1 + rng.IntN(40)) // whole blocks only
		}
		ld := n + rng.IntN(19)
		// Offsets of 0 to 3 values: unaligned sources and destinations.
		so, do := rng.IntN(4), rng.IntN(4)
		src := randBits(rng, so+cols*ld)[so:]
		dst := randBits(rng, do+n*w+rng.IntN(5))
		packISA = packGo
		want := slices.Clone(dst)
		transposeCols(want[do:], w, src, ld, cols, n)
		for level := isa; level > packGo; level-- {
			packISA = level
			got := slices.Clone(dst)
			transposeCols(got[do:], w, src, ld, cols, n)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("level %d: w %d, %d columns, %d steps, ld %d, offsets %d, %d: dst[%d] = %#x, want %#x",
						level, w, cols, n, ld, so, do, i, math.Float32bits(got[i]), math.Float32bits(want[i]))
				}
			}
		}
	}
}

// randBits returns n values with random bit patterns.
func randBits(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = math.Float32frombits(rng.Uint32())
	}
	return s
}
