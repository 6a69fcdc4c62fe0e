package optim

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/neuroplastic/neuroplastic/models/kernel"
	"github.com/neuroplastic/neuroplastic/models/param"
)

// simdKernels returns the kernel families of the passes that this CPU and
// build run besides the portable loops, by the name of their variant.
func simdKernels() map[string]isa {
	out := map[string]isa{}
	for _, name := range kernel.Variants() {
		if k := isaOf(name, nil); k != isaGo {
			out[name] = k
		}
	}
	return out
}

// forKernels runs f as a subtest for every kernel family of simdKernels,
// or skips t if there is none.
func forKernels(t *testing.T, f func(t *testing.T, kern isa)) {
	ks := simdKernels()
	if len(ks) == 0 {
		t.Skip("no assembly kernels on this CPU or build")
	}
	for _, name := range slices.Sorted(maps.Keys(ks)) {
		t.Run(name, func(t *testing.T) { f(t, ks[name]) })
	}
}

// TestIsaOf checks that the passes follow the selected kernel variant:
// the kernels of the same name for each variant this CPU and build run
// (only go under purego and off amd64).
func TestIsaOf(t *testing.T) {
	want := map[string]isa{"avx512": isaAVX512, "avx2": isaAVX2, "go": isaGo}
	for _, name := range kernel.Variants() {
		if got := isaOf(name, nil); got != want[name] {
			t.Errorf("isaOf(%q) = %v, want %v", name, got, want[name])
		}
	}
	if got := isaOf("avx512", fmt.Errorf("unsupported")); got != isaGo {
		t.Errorf("isaOf with an error = %v, want the portable loops", got)
	}
	name, err := kernel.SelectedVariant()
	if got, want := passISA, isaOf(name, err); got != want {
		t.Errorf("passISA = %v, want %v for variant %q", got, want, name)
	}
}

// npModes are NeuroPlastic configurations that take every kernel: both
// modes, per element and per tensor, with and without the norm cap, with
// coupled and decoupled weight decay.
func npModes() []struct {
	name string
	cfg  NeuroPlasticConfig
} {
	base := DefaultNeuroPlastic()
	base.LR, base.WarmupEpochs, base.PlasticityScale = 0.1, 2, 2
	type mod func(c *NeuroPlasticConfig)
	mods := []struct {
		name string
		f    mod
	}{
		{"rule_based", func(*NeuroPlasticConfig) {}},
		{"rule_based_k1_cap", func(c *NeuroPlasticConfig) { c.PlasticityScale, c.MaxUpdateNorm = 1, 1e-3 }},
		{"tensorwise", func(c *NeuroPlasticConfig) { c.Parameterwise = false }},
		{"grad_only", func(c *NeuroPlasticConfig) { c.Mode, c.MinAlpha, c.MaxAlpha = ModeGradOnly, 0.5, 1.5 }},
		{"grad_only_cap", func(c *NeuroPlasticConfig) { c.Mode, c.MaxUpdateNorm = ModeGradOnly, 1e-3 }},
		{"grad_only_tensorwise", func(c *NeuroPlasticConfig) { c.Mode, c.Parameterwise = ModeGradOnly, false }},
		{"coupled_decay", func(c *NeuroPlasticConfig) { c.WeightDecay = 1e-2 }},
		{"decoupled_decay", func(c *NeuroPlasticConfig) { c.WeightDecay, c.DecoupledWeightDecay = 1e-2, true }},
		{"grad_only_coupled_cap", func(c *NeuroPlasticConfig) {
			c.Mode, c.WeightDecay, c.MaxUpdateNorm = ModeGradOnly, 1e-2, 1e-3
		}},
		{"tensorwise_decoupled_cap", func(c *NeuroPlasticConfig) {
			c.Parameterwise, c.WeightDecay, c.DecoupledWeightDecay, c.MaxUpdateNorm = false, 1e-2, true, 1e-3
		}},
	}
	out := make([]struct {
		name string
		cfg  NeuroPlasticConfig
	}, len(mods))
	for i, m := range mods {
		out[i].name, out[i].cfg = m.name, base
		m.f(&out[i].cfg)
	}
	return out
}

// specials are the values mixed into the inputs of the kernel tests:
// signed zeros, subnormals, the extremes of the float32 range (whose
// squares overflow), infinities and NaN.
var specials = []float32{
	0, float32(math.Copysign(0, -1)), math.SmallestNonzeroFloat32, -3e-42, 1e-39, -1.5e-38,
	math.MaxFloat32, -math.MaxFloat32, 1e25, -3e30,
	float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
}

// dataKinds are the kinds of data of the kernel tests: random values of
// one scale; values spread over 2^-30 to 2^30 times that, whose float64
// sums round, so that a sum taken in another order shows; and values with
// those of specials mixed in.
var dataKinds = []string{"plain", "wide", "special"}

// shapeData turns the random values of x into data of the given kind,
// using NaN and the infinities only when nonFinite.
func shapeData(x []float32, kind string, r *rand.Rand, nonFinite bool) {
	switch kind {
	case "wide":
		for j := range x {
			x[j] = float32(math.Ldexp(float64(x[j]), r.IntN(61)-30))
		}
	case "special":
		// About one element in five.
		n := len(specials)
		if !nonFinite {
			n -= 3
		}
		for j := range x {
			if r.IntN(5) == 0 {
				x[j] = specials[r.IntN(n)]
			}
		}
	}
}

// TestKernelsMatchGo runs NeuroPlastic with each assembly kernel family
// the CPU runs and with the portable loops side by side, on random tensors
// of sizes around the vector width, in every mode, and requires the same
// bits: parameters, state (traces and diagnostics, via MarshalBinary) and
// epoch diagnostics, on each kind of data of dataKinds. The "special" data
// mixes signed zeros, subnormals and huge values into the gradients (which
// must be finite) and infinities and NaN into the parameters. The kernels round every element as the loops
// do and add into the same lanes of the same sums, so there is no
// tolerance.
func TestKernelsMatchGo(t *testing.T) {
	forKernels(t, func(t *testing.T, kern isa) {
		for _, data := range dataKinds {
			for _, n := range []int{1, 15, 16, 17, 40, 1000, 4099} {
				for _, md := range npModes() {
					t.Run(fmt.Sprintf("%s/%s/n%d", data, md.name, n), func(t *testing.T) {
						compareSteps(t, md.cfg, n, data, kern)
					})
				}
			}
		}
	})
}

// compareSteps runs the steps of stepEpochs with the portable loops and
// with kern on two tensors of n and n+33 elements (so that the kernels
// also start on a second one), with data of the given kind, and fails at
// the first difference.
func compareSteps(t *testing.T, c NeuroPlasticConfig, n int, data string, kern isa) {
	t.Helper()
	psGo := newParams([][]int{{n}, {n + 33}}, uint64(n))
	r := rand.New(rand.NewPCG(uint64(n), 9))
	for _, p := range psGo {
		shapeData(p.Data, data, r, true)
	}
	psAsm := cloneParams(psGo)
	var opts [2]*NeuroPlastic
	for i, ps := range [][]*param.Param{psGo, psAsm} {
		o, err := NewNeuroPlastic(ps, c, 1)
		if err != nil {
			t.Fatal(err)
		}
		opts[i] = o
	}
	opts[0].kern, opts[1].kern = isaGo, kern
	for s, epoch := range stepEpochs {
		setGrads(psGo, 7, s)
		for _, p := range psGo {
			shapeData(p.Grad, data, r, false)
		}
		for i, p := range psGo {
			copy(psAsm[i].Grad, p.Grad)
		}
		for _, o := range opts {
			if err := o.Step(epoch); err != nil {
				t.Fatal(err)
			}
		}
		for i := range psGo {
			if j := diffBits32(psGo[i].Data, psAsm[i].Data); j >= 0 {
				t.Fatalf("step %d: parameter %d differs at %d: go %#x, kernels %#x", s, i, j,
					math.Float32bits(psGo[i].Data[j]), math.Float32bits(psAsm[i].Data[j]))
			}
		}
		bGo, _ := opts[0].MarshalBinary()
		bAsm, _ := opts[1].MarshalBinary()
		if !bytes.Equal(bGo, bAsm) {
			t.Fatalf("step %d: state differs", s)
		}
		if s%3 == 2 {
			dGo := opts[0].EpochDiagnostics()
			dAsm := opts[1].EpochDiagnostics()
			if !maps.EqualFunc(dGo, dAsm, sameBits64) {
				t.Fatalf("step %d: diagnostics differ:\ngo  %+v\nasm %+v", s, dGo, dAsm)
			}
		}
	}
}

// diffBits32 returns the first index where x and y have different bits,
// or -1 if they have the same length and bits.
func diffBits32(x, y []float32) int {
	for j := range min(len(x), len(y)) {
		if !sameBits32(x[j], y[j]) {
			return j
		}
	}
	if len(x) != len(y) {
		return min(len(x), len(y))
	}
	return -1
}

// sameBits32 reports whether x and y have the same bits.
func sameBits32(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) }

// sameBits64 reports whether x and y have the same bits.
func sameBits64(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }

// TestLaneSum checks laneSums.sum's fixed tree on values whose sum depends
// on the order: 1e16 and 1 cancel differently if combined in another order.
func TestLaneSum(t *testing.T) {
	var s laneSums
	for l := range s {
		s[l] = float64(l + 1)
	}
	if got := s.sum(); got != 136 {
		t.Errorf("sum of 1..16 = %v, want 136", got)
	}
	// Lane 0 and lane 8 meet first: (1e16 + -1e16) + 1 = 1, where a left
	// to right sum would give 1e16 + 1 - 1e16 = 0 (1e16 + 1 rounds to 1e16).
	s = laneSums{1e16, 1, 8: -1e16}
	if got := s.sum(); got != 1 {
		t.Errorf("tree sum = %v, want 1", got)
	}
}

// BenchmarkStepKernels times one Step of NeuroPlastic on the mlp's
// parameter set, configured as BenchmarkStep/neuroplastic (epoch 3, the
// full rule), with each kernel family of the passes this CPU runs, named
// by its variant (go: the portable loops), so that one run measures their
// ratios.
func BenchmarkStepKernels(b *testing.B) {
	var cfg NeuroPlasticConfig
	for _, tc := range testConfigs() {
		if tc.name == "neuroplastic" {
			cfg = *tc.cfg.NeuroPlastic
		}
	}
	for _, name := range kernel.Variants() {
		b.Run(name, func(b *testing.B) {
			ps := newParams(mlpShapes, 1)
			o, err := NewNeuroPlastic(ps, cfg, 1)
			if err != nil {
				b.Fatal(err)
			}
			o.kern = isaOf(name, nil)
			setGrads(ps, 2, 0)
			b.ReportAllocs()
			b.SetBytes(4 * 269322)
			for b.Loop() {
				if err := o.Step(3); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
