package kernel

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// specialBits are float32 bit patterns of every class: zeros,
// subnormals, normals, the largest finite values, infinities and NaNs of
// both signs (quiet and signalling, with payloads).
var specialBits = []uint32{0, 0x80000000, 1, 0x80000001, 0x007fffff, 0x807fffff, 0x00800000, 0x3f800000, 0xbf800000,
	0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7f800001, 0xff800001, 0x7fc00000, 0xffc00000,
	0x7fffffff, 0xffffffff, 0x7fa5a5a5, 0xffa5a5a5}

// elementwiseInputs returns two operand slices of float32 bit patterns
// covering every class: zeros, subnormals, normals, infinities and NaNs of
// both signs (quiet and signalling, with payloads), every pair of those, a
// sweep of the whole 32-bit range and random patterns, shuffled so that
// every class meets every lane.
func elementwiseInputs() (a, b []float32) {
	var pairs [][2]uint32
	for _, x := range specialBits {
		for _, y := range specialBits {
			pairs = append(pairs, [2]uint32{x, y})
		}
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for x := uint64(0); x < 1<<32; x += 65521 {
		pairs = append(pairs, [2]uint32{uint32(x), rng.Uint32()}, [2]uint32{rng.Uint32(), uint32(x)})
	}
	rng.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	a, b = make([]float32, len(pairs)), make([]float32, len(pairs))
	for i, p := range pairs {
		a[i], b[i] = math.Float32frombits(p[0]), math.Float32frombits(p[1])
	}
	return a, b
}

// TestElementwise checks ReLU, ReLUGrad and Mul (with and without the
// ReLU's gradient mask) bit for bit against the scalar Go they stand for,
// on every class of value, at every length from 0 to 40 and at offsets
// that leave any alignment (so both the assembly blocks, where the CPU
// runs them, and the Go tail run).
func TestElementwise(t *testing.T) {
	in, other := elementwiseInputs()
	check := func(name string, got []float32, want func(i int) float32) {
		t.Helper()
		for i, x := range got {
			if w := want(i); math.Float32bits(x) != math.Float32bits(w) {
				t.Fatalf("%s: element %d: %#08x, want %#08x", name, i, math.Float32bits(x), math.Float32bits(w))
			}
		}
	}
	dst := make([]float32, len(in))
	lengths := []int{len(in), len(in) - 5}
	for n := range 41 {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		for _, off := range []int{0, 1, 3} {
			if off+n > len(in) {
				continue
			}
			a, b, d := in[off:off+n], other[off:off+n], dst[:n]
			ReLU(d, a)
			check("ReLU", d, func(i int) float32 { return max(a[i], 0) })
			ReLUGrad(d, a, b)
			check("ReLUGrad", d, func(i int) float32 { return reluGrad(a[i], b[i]) })
			Mul(d, a, b, nil)
			check("Mul", d, func(i int) float32 { return a[i] * b[i] })
			// With y, Mul is Mul and then ReLUGrad, NaN products included.
			prod, y := slices.Clone(d), in[len(in)-off-n:len(in)-off]
			Mul(d, a, b, y)
			check("Mul with y", d, func(i int) float32 { return reluGrad(prod[i], y[i]) })
		}
	}
}

// TestFinite checks Finite, the portable loop it falls back on and each
// assembly version the CPU runs against the definition (an exponent field
// of all ones is an Inf or a NaN) for every such pattern class in every
// position of every length up to 140 (the assembly's blocks of 8 and 64
// and the tails), among finite values of every kind, and on random bit
// patterns.
func TestFinite(t *testing.T) {
	finite := []float32{0, float32(math.Copysign(0, -1)), 1, -2.5, math.MaxFloat32, -math.MaxFloat32,
		math.SmallestNonzeroFloat32, 0x1p-126, 0x1p-149 * 3}
	bad := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
		math.Float32frombits(0x7f800001), math.Float32frombits(0xffffffff)}
	impls := map[string]func([]float32) bool{"Finite": Finite, "finiteGo": finiteGo}
	maps.Copy(impls, finiteKernels())
	for name, f := range impls {
		for n := range 141 {
			g := make([]float32, n)
			for i := range g {
				g[i] = finite[i%len(finite)]
			}
			if !f(g) {
				t.Fatalf("%s: length %d: finite values reported non-finite", name, n)
			}
			for i := range n {
				for _, b := range bad {
					old := g[i]
					g[i] = b
					if f(g) {
						t.Fatalf("%s: length %d: %v at %d not found", name, n, b, i)
					}
					g[i] = old
				}
			}
		}
		rng := rand.New(rand.NewPCG(7, 8))
		for range 2000 {
			g := make([]float32, rng.IntN(40))
			want := true
			for i := range g {
				bits := rng.Uint32()
				if rng.IntN(30) == 0 {
					bits |= 0x7f800000
				}
				g[i] = math.Float32frombits(bits)
				want = want && bits&0x7f800000 != 0x7f800000
			}
			if got := f(g); got != want {
				t.Fatalf("%s(%v) = %v, want %v", name, g, got, want)
			}
		}
	}
}
