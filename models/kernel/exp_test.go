package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestExp64MatchesAmd64 compares Exp64 with math.Exp bit for bit where
// that is the amd64 assembly with FMA that Exp64 transcribes, on expInputs.
func TestExp64MatchesAmd64(t *testing.T) {
	if runtime.GOARCH != "amd64" || !cpu.X86.HasFMA || !cpu.X86.HasAVX {
		t.Skip("math.Exp is the FMA assembly only on amd64 with FMA")
	}
	for _, x := range expInputs() {
		if got, want := Exp64(x), math.Exp(x); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("Exp64(%v) = %v (%#x), math.Exp gives %v (%#x)", x, got, math.Float64bits(got), want, math.Float64bits(want))
		}
	}
}

// expBounds are the arguments where Exp64 changes path or the AVX-512
// kernel's range ends: x*log2e = 1023.5 (k = 1024, an infinite result,
// beyond the kernel) and -1022.5 (k = -1023, 2^k subnormal), the overflow
// bound, the first subnormal result (-1022 ln 2), the results 2^-1075
// (-1075 ln 2, then 0) and 2^-1076 (x*log2e = -1075.5, k = -1076), and
// the clamp of k to -2^31.
var expBounds = []float64{1023.5 / log2eTest, -1022.5 / log2eTest, 7.09782712893384e+02, -1022 * math.Ln2,
	-1075 * math.Ln2, -1075.5 / log2eTest, -(1 << 31) / log2eTest}

// log2eTest is Exp64's log2(e).
const log2eTest = 1.4426950408889634073599246810018920

// expInputs returns the arguments Exp is tried on: zeros, infinities,
// NaNs with payloads (quiet and signalling, both signs), the smallest and
// largest magnitudes; 400 ulps either side of each of expBounds and a
// sweep of 10^-7 steps across them; 12 ulps either side of every argument
// whose x*log2e is an odd multiple of 1/2 (where k's round to even
// decides) from -1100.5 to 1030.5 and of every n ln 2 from -1101 to 1030
// (where the reduced argument is tiny, so the roundings of the reductions
// show in the result); and random arguments over [-800, 720]
// and around 0.
func expInputs() []float64 {
	xs := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64,
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 0x1p-1022, -0x1p-1022, 1e-300, -1e-300, 1e-20, -1e-20,
		1, -1, 0.5, -0.5, 88.7, -1e10, 1e10}
	for _, b := range []uint64{0x7ff8000000000000, 0xfff8000000000000, 0x7ff8000000000123, 0xfff4000000000abc,
		0x7ff0000000000001, 0xfff0000000000001, 0x7fffffffffffffff} {
		xs = append(xs, math.Float64frombits(b))
	}
	ulps := func(x float64, n int) {
		up, down := x, x
		for range n {
			up, down = math.Nextafter(up, math.Inf(1)), math.Nextafter(down, math.Inf(-1))
			xs = append(xs, up, down)
		}
		xs = append(xs, x)
	}
	for _, b := range expBounds {
		ulps(b, 400)
		for d := -2000; d <= 2000; d++ {
			xs = append(xs, b+float64(d)*1e-7)
		}
	}
	for n := -1101; n <= 1030; n++ {
		ulps((float64(n)+0.5)/log2eTest, 12)
		ulps(float64(n)*math.Ln2, 12)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200000 {
		xs = append(xs, rng.Float64()*1520-800, rng.NormFloat64()*4, -rng.ExpFloat64()*4)
	}
	return xs
}

// expImpls runs f with Exp as this CPU runs it and, where that is the
// AVX-512 kernel, again with Exp64 alone.
func expImpls(f func(impl string)) {
	asm := expAsm
	defer func() { expAsm = asm }()
	if asm {
		f("avx512")
	}
	expAsm = false
	f("go")
}

// checkExp fails t unless Exp on a copy of x gives Exp64 of each value,
// bit for bit (NaNs included), and leaves the values either side of x in
// its backing array as they were.
func checkExp(t *testing.T, name string, x []float64) {
	t.Helper()
	buf := make([]float64, len(x)+16)
	for i := range buf {
		buf[i] = math.Float64frombits(0x7ff80000000000a5) // a NaN, beyond the kernel's range
	}
	got := buf[8 : 8+len(x)]
	copy(got, x)
	Exp(got)
	for i, v := range x {
		if want := Exp64(v); math.Float64bits(got[i]) != math.Float64bits(want) {
			t.Fatalf("%s: Exp(%v) (element %d of %d) = %v (%#x), Exp64 gives %v (%#x)", name, v, i, len(x), got[i], math.Float64bits(got[i]), want, math.Float64bits(want))
		}
	}
	for i, v := range buf {
		if (i < 8 || i >= 8+len(x)) && math.Float64bits(v) != 0x7ff80000000000a5 {
			t.Fatalf("%s: %d values: Exp wrote %v at %d outside them", name, len(x), v, i-8)
		}
	}
}

// TestExp checks Exp, its AVX-512 kernel where the CPU runs it and Exp64
// alone, bit for bit against Exp64 on expInputs: in their order (runs of
// arguments in the kernel's range with its edges), shuffled (every class in
// every lane), and at every length from 0 to 40 from every alignment of
// many places of both, so that the kernel's masked last block, its stops
// and Exp64's blocks between them run.
func TestExp(t *testing.T) {
	xs := expInputs()
	shuffled := append([]float64(nil), xs...)
	rand.New(rand.NewPCG(7, 8)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	expImpls(func(impl string) {
		for k, in := range [][]float64{xs, shuffled} {
			checkExp(t, fmt.Sprintf("%s/%d/all", impl, k), in)
			step := 997
			if testing.Short() {
				step = 9973
			}
			for start := 0; start+48 <= len(in); start += step {
				for off := range 8 {
					for n := range 41 {
						checkExp(t, fmt.Sprintf("%s/%d/at %d+%d", impl, k, start, off), in[start+off:start+off+n])
					}
				}
			}
		}
	})
}

// TestExpKernelRange checks which values the AVX-512 kernel computes
// itself: exactly those whose k = round(x*log2e) is from -1022 to 1023,
// where Exp64 takes its plain path, so that it neither computes a value
// it would get wrong nor hands Exp64 more than it must. The value is
// first, or alone, in a block, and a NaN follows the slice: lanes past
// its end must not count.
func TestExpKernelRange(t *testing.T) {
	if !expAsm {
		t.Skip("no AVX-512 kernel on this CPU or variant")
	}
	buf := make([]float64, 9)
	for _, x := range expInputs() {
		k := math.RoundToEven(float64(x * log2eTest))
		want := 0
		if k >= -1022 && k <= 1023 {
			want = 1
		}
		for _, n := range []int{1, 8} {
			for i := range buf {
				buf[i] = 0.5
			}
			buf[0], buf[n] = x, math.NaN()
			if got := expAVX512(buf[:n], &expCoef); got != want*n {
				t.Fatalf("expAVX512 on %v and %d values in range took %d, want %d", x, n-1, got, want*n)
			}
		}
	}
}
