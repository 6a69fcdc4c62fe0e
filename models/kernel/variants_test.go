package kernel

import (
	"flag"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/neuroplastic/neuroplastic/models/kernel/kerneltest"
)

var update = flag.Bool("update", false, "rewrite testdata/numerics.golden from this machine (amd64 only)")

// sameBits reports whether x and y hold the same bits.
func sameBits(x, y []float32) bool {
	return slices.EqualFunc(x, y, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) })
}

// checkVariants computes f with every variant this CPU runs, fails t unless
// all give the bits of the portable one, and checks their hash against the
// golden file, which holds amd64's.
func checkVariants(t *testing.T, g *kerneltest.Golden, name string, f func(e *Engine) []float32) {
	t.Helper()
	vs := supportedVariants()
	want := f(newEngine(2, vs[len(vs)-1]))
	for _, v := range vs[:len(vs)-1] {
		if got := f(newEngine(2, v)); !sameBits(got, want) {
			t.Errorf("%s: variant %s differs from go", name, v.name)
		}
	}
	h := kerneltest.NewHash()
	h.F32s(want)
	g.Check(t, name, h.Sum())
}

// TestVariantsIdentical checks that the AVX-512, AVX2 and portable kernels
// give the same bits, not merely close results, on every GEMM case
// (ragged edges, several k blocks, both packing paths of A, alpha and beta)
// and on every pass of every convolution case, and that the bits are those
// recorded on amd64, whatever the architecture and GOAMD64 level.
func TestVariantsIdentical(t *testing.T) {
	g := kerneltest.Open(t, "testdata/numerics.golden", *update)
	for _, tc := range gemmCases() {
		for _, blocked := range []bool{false, true} {
			checkVariants(t, g, fmt.Sprintf("gemm/%s/blocked=%v", tc.name, blocked), func(e *Engine) []float32 {
				if blocked {
					for i := range e.st.ws {
						e.st.ws[i].packLimit = 0
					}
				}
				return tc.run(e)
			})
		}
	}
	for ci, cs := range convCases {
		x, w, dy := convData(cs, uint64(ci))
		for _, beta := range []float32{0, 1} {
			old := func(n int, seed uint64) []float32 {
				return randSlice(rand.New(rand.NewPCG(seed, uint64(ci))), n)
			}
			checkVariants(t, g, fmt.Sprintf("conv/%d/forward/beta=%v", ci, beta), func(e *Engine) []float32 {
				y := old(len(dy), 1)
				e.Conv2DForward(cs, x, w, beta, y)
				return y
			})
			checkVariants(t, g, fmt.Sprintf("conv/%d/backward_data/beta=%v", ci, beta), func(e *Engine) []float32 {
				dx := old(len(x), 2)
				e.Conv2DBackwardData(cs, dy, w, beta, dx)
				return dx
			})
			checkVariants(t, g, fmt.Sprintf("conv/%d/backward_filter/beta=%v", ci, beta), func(e *Engine) []float32 {
				dw := old(len(w), 3)
				e.Conv2DBackwardFilter(cs, x, dy, beta, dw)
				return dw
			})
		}
	}
}

// TestFMA32 compares fma32 with x*y + z computed exactly (big.Float) and
// rounded once to float32, on random operands and on ones built to land on
// the cases that round twice in float64: exact float32 midpoints with a
// tiny correction, subnormal results, cancellation, zeros, infinities.
func TestFMA32(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	type triple struct{ x, y, z float32 }
	inf := float32(math.Inf(1))
	cases := []triple{
		{0, 0, 0}, {float32(math.Copysign(0, -1)), 1, 0}, {1, 1, -1}, {inf, 1, 1}, {inf, 0, 1}, {inf, 1, -inf},
		{1e-30, 1e-30, 0}, {1e-20, 1e-20, 1e-40}, {3e38, 3e38, -inf}, {3e38, 2, 0},
		{1 + 0x1p-23, 1 + 0x1p-23, 0}, {1 + 0x1p-12, 1 + 0x1p-12, -0x1p-24},
		// 1+2^-23 plus 2^-24 - 2^-70: float64 rounds to the midpoint
		// 1 + 3*2^-24, whose tie goes up, where the exact sum rounds down.
		{0x1p-12 * (1 + 0x1p-23), 0x1p-12 * (1 - 0x1p-23), 1 + 0x1p-23},
	}
	for range 200000 {
		x, y := rng.Float32()*2-1, rng.Float32()*2-1
		// z with an odd last bit in [1, 2) and x*y = 2^-24*(1 - k^2*2^-46)
		// of either sign: z + x*y lies just inside a midpoint of the float32
		// grid, which float64 rounds onto.
		z := math.Float32frombits(0x3f800000 | rng.Uint32N(1<<22)<<1 | 1)
		k := float32(rng.IntN(1<<10) + 1)
		sx, sz := float32(1-2*rng.IntN(2)), float32(1-2*rng.IntN(2))
		cases = append(cases,
			triple{x, y, rng.Float32()*2 - 1},
			triple{sx * 0x1p-12 * (1 + k*0x1p-23), sz * sx * 0x1p-12 * (1 - k*0x1p-23), sz * z},
			// The same below the normal range, where the float32 grid is
			// 2^-149 apart: z an odd multiple of it, x*y just below 2^-150.
			triple{sx * 0x1p-75 * (1 + k*0x1p-23), sz * sx * 0x1p-75 * (1 - k*0x1p-23),
				sz * math.Float32frombits(rng.Uint32N(1<<22)<<1|1)},
			triple{x * 0x1p-120, y * 0x1p-10, rng.Float32() * 0x1p-126},
			triple{math.Float32frombits(rng.Uint32()), math.Float32frombits(rng.Uint32()), math.Float32frombits(rng.Uint32())})
	}
	for _, c := range cases {
		got := fma32(c.x, c.y, c.z)
		want := exactFMA32(c.x, c.y, c.z)
		if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
			t.Fatalf("fma32(%g, %g, %g) = %g (%#x), want %g (%#x)", c.x, c.y, c.z, got, math.Float32bits(got), want, math.Float32bits(want))
		}
	}
}

// exactFMA32 is x*y + z rounded once to float32, by big.Float for finite
// values and by float64 arithmetic (exact there) otherwise.
func exactFMA32(x, y, z float32) float32 {
	p := float64(x) * float64(y)
	if math.IsInf(p, 0) || math.IsNaN(p) || math.IsInf(float64(z), 0) || math.IsNaN(float64(z)) {
		return float32(p + float64(z))
	}
	s := new(big.Float).SetPrec(200).SetFloat64(p)
	s.Add(s, new(big.Float).SetPrec(200).SetFloat64(float64(z)))
	if s.Sign() == 0 {
		return float32(p + float64(z)) // the sign of an exact zero
	}
	f, _ := s.Float32()
	return f
}

// TestSelectedVariant checks NEUROPLASTIC_KERNEL: unset picks the fastest
// variant, a supported name is used, and an unknown or unsupported one is
// refused by SelectedVariant and NewVariant with a message naming it.
func TestSelectedVariant(t *testing.T) {
	vs := Variants()
	for _, tc := range []struct {
		env, want, err string
	}{
		{"", vs[0], ""},
		{"go", "go", ""},
		{vs[0], vs[0], ""},
		{"sse", "", `NEUROPLASTIC_KERNEL=sse: unknown variant`},
	} {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv(EnvVariant, tc.env)
			got, err := SelectedVariant()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("SelectedVariant() error = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("SelectedVariant() = %q, %v, want %q", got, err, tc.want)
			}
			if v := New(1).Variant(); v != tc.want {
				t.Errorf("New(1).Variant() = %q, want %q", v, tc.want)
			}
		})
	}
	for _, name := range []string{"avx512", "avx2"} {
		if !slices.Contains(vs, name) {
			t.Setenv(EnvVariant, name)
			if _, err := SelectedVariant(); err == nil || !strings.Contains(err.Error(), "cannot run it") {
				t.Errorf("%s on a CPU without it: error %v", name, err)
			}
			if _, err := NewVariant(1, name); err == nil {
				t.Errorf("NewVariant(1, %q) on a CPU without it: no error", name)
			}
		}
	}
}
