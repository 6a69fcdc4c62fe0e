package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// withoutVectors runs f with the assembly loops switched off, so that the
// exported functions run their portable Go twins throughout.
func withoutVectors(f func()) {
	avx2, vec := normAVX2, vec8
	normAVX2, vec8 = false, vectorLoops{}
	defer func() { normAVX2, vec8 = avx2, vec }()
	f()
}

// normScalars are the parameters the normalisation kernels are tried with:
// ordinary values, zeros of both signs, a subnormal, infinities and NaNs of
// both signs with payloads.
var normScalars = []float32{0.75, -1.5, 0, float32(math.Copysign(0, -1)), 0x1p-140, float32(math.Inf(1)),
	float32(math.Inf(-1)), math.Float32frombits(0x7fc00001), math.Float32frombits(0xffa5a5a5)}

// sumInputs returns the slices the sums are tried on: every class of value
// shuffled together (elementwiseInputs, so that NaNs of different payloads
// meet in the accumulators), ordinary values of mixed magnitudes with a
// special value now and then, and subnormals.
func sumInputs() [][]float32 {
	special, other := elementwiseInputs()
	rng := rand.New(rand.NewPCG(11, 12))
	ordinary := make([]float32, 4099)
	for i := range ordinary {
		ordinary[i] = float32(rng.NormFloat64() * math.Exp2(float64(rng.IntN(40)-20)))
		if rng.IntN(300) == 0 {
			ordinary[i] = normScalars[rng.IntN(len(normScalars))]
		}
	}
	subnormal := make([]float32, 1001)
	for i := range subnormal {
		subnormal[i] = math.Float32frombits(rng.Uint32() & 0x807fffff)
	}
	return [][]float32{special[:5003], other[:997], ordinary, ordinary[:1000], subnormal}
}

// normLengths returns the lengths the kernels are tried at on an input of
// n values: all of it, a few short of it, and every length up to 40.
func normLengths(n int) []int {
	lengths := []int{n, n - 1, n - 5, n - 7}
	for i := range 41 {
		lengths = append(lengths, i)
	}
	return lengths
}

// sumMeans are the means the sums are tried with: zeros of both signs, a
// subnormal, infinities and NaNs with payloads among ordinary values.
var sumMeans = []float64{0, 0.3, -1e3, math.Copysign(0, -1), 0x1p-1060, math.Inf(1), math.Inf(-1),
	math.Float64frombits(0x7ff8000000000123), math.Float64frombits(0xfff4000000000001)}

// nanPayloadsVary reports whether the Go twins' NaNs may differ from the
// assembly's in sign and payload: under the race detector or coverage the
// compiler allocates registers differently and so orders the operands of
// some commutative operations differently, and when both are NaNs x86
// keeps the first. In ordinary builds the kernels follow the compiler's
// order, so the NaNs have the same bits.
func nanPayloadsVary() bool { return raceDetector || testing.CoverMode() != "" }

// same64 reports whether a and b have the same bits, or are both NaNs
// where nanPayloadsVary.
func same64(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || nanPayloadsVary() && a != a && b != b
}

// checkSums fails t unless Sum32(v), Sum64(v), SumSquares64(v, mean) and
// SumProducts64(v, y, x, mean) (also with a nil y) have the bits of their
// Go twins. y and x are at least as long as v.
func checkSums(t *testing.T, v, y, x []float32, mean float64) {
	t.Helper()
	var want32 float32
	withoutVectors(func() { want32 = Sum32(v) })
	if got := Sum32(v); math.Float32bits(got) != math.Float32bits(want32) && !(nanPayloadsVary() && got != got && want32 != want32) {
		t.Fatalf("%d values %v: Sum32 = %#x, want %#x", len(v), v[:min(len(v), 8)], math.Float32bits(got), math.Float32bits(want32))
	}
	bits := math.Float64bits
	var want, got float64
	withoutVectors(func() { want = Sum64(v) })
	if got = Sum64(v); !same64(got, want) {
		t.Fatalf("%d values %v: Sum64 = %#x, want %#x", len(v), v[:min(len(v), 8)], bits(got), bits(want))
	}
	withoutVectors(func() { want = SumSquares64(v, mean) })
	if got = SumSquares64(v, mean); !same64(got, want) {
		t.Fatalf("%d values %v, mean %v: SumSquares64 = %#x, want %#x", len(v), v[:min(len(v), 8)], mean, bits(got), bits(want))
	}
	for _, mask := range [][]float32{nil, y} {
		var wa, wb, ga, gb float64
		withoutVectors(func() { wa, wb = SumProducts64(v, mask, x, mean) })
		if ga, gb = SumProducts64(v, mask, x, mean); !same64(ga, wa) || !same64(gb, wb) {
			t.Fatalf("%d values %v, x %v, mean %v, mask %v: SumProducts64 = %#x, %#x, want %#x, %#x",
				len(v), v[:min(len(v), 8)], x[:min(len(v), 8)], mean, mask != nil, bits(ga), bits(gb), bits(wa), bits(wb))
		}
	}
}

// TestSums checks Sum32, Sum64, SumSquares64 and SumProducts64 (with and without
// the ReLU mask) bit for bit against their Go twins, at lengths of every
// remainder modulo 4 and 8 and at offsets that leave any alignment, with
// means of every class.
func TestSums(t *testing.T) {
	inputs := sumInputs()
	for k, v := range inputs {
		y, x := inputs[(k+1)%len(inputs)], inputs[(k+2)%len(inputs)]
		for _, n := range normLengths(len(v) - 3) {
			for _, off := range []int{0, 1, 3} {
				if n < 0 || off+n > min(len(v), len(y), len(x)) {
					continue
				}
				for _, mean := range sumMeans {
					checkSums(t, v[off:off+n], y[off:off+n], x[off:off+n], mean)
				}
			}
		}
	}
}

// TestSumsNaNs checks the sums on every pair of special values p and q
// (specialBits) leading the accumulators, p in all four lanes of the values
// and then q, and the other way round for x, with the ReLU passing every
// gradient: once an accumulator holds a NaN it keeps it, so only NaNs met
// first show which operand of an addition or product wins.
func TestSumsNaNs(t *testing.T) {
	y := []float32{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	for _, pb := range specialBits {
		for _, qb := range specialBits {
			p, q := math.Float32frombits(pb), math.Float32frombits(qb)
			v := []float32{p, p, p, p, q, q, q, q, 1, -2, p}
			x := []float32{q, q, q, q, p, p, p, p, 3, q, -4}
			for _, mean := range sumMeans {
				checkSums(t, v, y, x, mean)
			}
		}
	}
}

// checkSame fails t at the first element where got and want differ in
// their bits (but for NaNs' where nanPayloadsVary).
func checkSame(t *testing.T, name string, got, want []float32) {
	t.Helper()
	for i, g := range got {
		w := want[i]
		if math.Float32bits(g) != math.Float32bits(w) && !(nanPayloadsVary() && g != g && w != w) {
			t.Fatalf("%s: element %d: %#08x, want %#08x", name, i, math.Float32bits(got[i]), math.Float32bits(want[i]))
		}
	}
}

// TestNormalize checks Normalize, NormalizeAddReLU, NormalizeGrad (with
// and without the ReLU mask) and Add (with and without it) bit for bit
// against their Go twins on every class of value (elementwiseInputs) and
// parameter (normScalars), at lengths of every remainder modulo 8 and at
// offsets that leave any alignment; and the fused passes against the
// passes they stand for (checkFused).
func TestNormalize(t *testing.T) {
	in, other := elementwiseInputs()
	third := append(other[7:], other[:7]...)
	got, want := make([]float32, len(in)), make([]float32, len(in))
	for _, n := range append(normLengths(len(in)-3), normLengths(1000)[:4]...) {
		for _, off := range []int{0, 1, 3} {
			v, w, x := in[off:off+n], other[off:off+n], third[off:off+n]
			for _, mask := range [][]float32{nil, x} {
				withoutVectors(func() { Add(want, v, w, mask) })
				Add(got, v, w, mask)
				checkSame(t, "Add", got[:n], want[:n])
			}
			// Every combination of parameters on a thousand values, a few
			// on the other lengths (fewer in the short run, the race
			// detector's).
			step := 37
			if testing.Short() {
				step = 149
			}
			if n > 990 && n <= 1000 {
				step = 1
			}
			for p := 0; p < len(normScalars)*len(normScalars)*len(normScalars); p += step {
				mean := normScalars[p%len(normScalars)]
				scale := normScalars[p/len(normScalars)%len(normScalars)]
				beta := normScalars[p/len(normScalars)/len(normScalars)]
				for _, relu := range []bool{false, true} {
					withoutVectors(func() { Normalize(want, v, mean, scale, beta, relu) })
					Normalize(got, v, mean, scale, beta, relu)
					checkSame(t, "Normalize", got[:n], want[:n])
				}
				withoutVectors(func() { NormalizeAddReLU(want, v, w, mean, scale, beta) })
				NormalizeAddReLU(got, v, w, mean, scale, beta)
				checkSame(t, "NormalizeAddReLU", got[:n], want[:n])
				for _, mask := range [][]float32{nil, w} {
					k := normScalars[(p+3)%len(normScalars)]
					withoutVectors(func() { NormalizeGrad(want, v, mask, x, k, scale, beta, mean) })
					NormalizeGrad(got, v, mask, x, k, scale, beta, mean)
					checkSame(t, "NormalizeGrad", got[:n], want[:n])
				}
			}
		}
	}
}

// TestFused checks NormalizeAddReLU and the masked Add, with the assembly
// loops and without, bit for bit against the passes they fuse: Normalize,
// then Add of the residual, then ReLU; ReLUGrad, then Add of the other
// term (sums whose first operand is the normalised value or the passed
// gradient, as in the fused loops: that operand's NaN is kept where both
// are NaNs). The inputs and parameters are TestNormalize's.
func TestFused(t *testing.T) {
	in, other := elementwiseInputs()
	third := append(other[7:], other[:7]...)
	got, want, tmp := make([]float32, len(in)), make([]float32, len(in)), make([]float32, len(in))
	for _, vectors := range []bool{true, false} {
		run := func(f func()) { f() }
		if !vectors {
			run = withoutVectors
		}
		for _, n := range append(normLengths(len(in)-3), normLengths(1000)[:4]...) {
			for _, off := range []int{0, 1, 3} {
				v, w, x, tmp := in[off:off+n], other[off:off+n], third[off:off+n], tmp[:n]
				run(func() {
					ReLUGrad(tmp, w, x)
					Add(want, tmp, v, nil)
					Add(got, v, w, x)
				})
				checkSame(t, "masked Add", got[:n], want[:n])
				// Every seventh combination of parameters on the longest
				// input, a few elsewhere and in the short run.
				step := 7
				if n != len(in)-3 || testing.Short() {
					step = 149
				}
				for p := 0; p < len(normScalars)*len(normScalars)*len(normScalars); p += step {
					mean := normScalars[p%len(normScalars)]
					scale := normScalars[p/len(normScalars)%len(normScalars)]
					beta := normScalars[p/len(normScalars)/len(normScalars)]
					run(func() {
						Normalize(tmp, v, mean, scale, beta, false)
						Add(tmp, tmp, w, nil)
						ReLU(want, tmp)
						NormalizeAddReLU(got, v, w, mean, scale, beta)
					})
					checkSame(t, "NormalizeAddReLU", got[:n], want[:n])
				}
			}
		}
	}
}
