package optim

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/neuroplastic/neuroplastic/models/param"
)

// mlpShapes are the shapes of the mlp's parameters (docs/algorithm.md, section 3),
// 269,322 floats in all.
var mlpShapes = [][]int{{256, 784}, {256}, {256, 256}, {256}, {10, 256}, {10}}

// smallShapes is a parameter set small enough for exhaustive tests.
var smallShapes = [][]int{{4, 3}, {3}, {5}}

// newParams returns parameters of the given shapes with values drawn from
// a generator seeded by seed, and zero gradients.
func newParams(shapes [][]int, seed uint64) []*param.Param {
	r := rand.New(rand.NewPCG(seed, 0))
	ps := make([]*param.Param, len(shapes))
	for i, sh := range shapes {
		n := 1
		for _, d := range sh {
			n *= d
		}
		p := &param.Param{Name: fmt.Sprintf("p%d", i), Shape: sh, Data: make([]float32, n), Grad: make([]float32, n)}
		for j := range p.Data {
			p.Data[j] = float32(r.NormFloat64() * 0.1)
		}
		ps[i] = p
	}
	return ps
}

// cloneParams returns a deep copy of ps.
func cloneParams(ps []*param.Param) []*param.Param {
	out := make([]*param.Param, len(ps))
	for i, p := range ps {
		out[i] = &param.Param{Name: p.Name, Shape: p.Shape, Data: slices.Clone(p.Data), Grad: slices.Clone(p.Grad)}
	}
	return out
}

// setGrads fills every gradient with values that depend only on (seed,
// step), with some exact zeros and a spread of magnitudes.
func setGrads(ps []*param.Param, seed uint64, step int) {
	r := rand.New(rand.NewPCG(seed, uint64(step)+1))
	for _, p := range ps {
		for j := range p.Grad {
			g := float32(r.NormFloat64() * 0.05)
			if r.IntN(10) == 0 {
				g = 0
			}
			p.Grad[j] = g
		}
	}
}

// testConfigs are one configuration per code path worth covering: every
// algorithm, NeuroPlastic in both modes, per element and per tensor, with
// coupled and decoupled weight decay, and with the options of
// VariantOptions.
func testConfigs() []struct {
	name string
	cfg  Config
} {
	sgd := DefaultSGD()
	sgd.LR, sgd.Momentum, sgd.WeightDecay, sgd.Nesterov = 0.01, 0.9, 1e-3, true
	adam := DefaultAdam()
	adam.WeightDecay = 1e-2
	adamw := DefaultAdamW()
	full := DefaultNeuroPlastic()
	full.LR, full.WarmupEpochs, full.PlasticityScale = 0.1, 2, 2
	gradOnly := DefaultNeuroPlastic()
	gradOnly.LR, gradOnly.Mode, gradOnly.MinAlpha, gradOnly.MaxAlpha = 0.1, ModeGradOnly, 0.5, 1.5
	gradOnly.WeightDecay = 1e-3
	tensorwise := full
	tensorwise.Parameterwise, tensorwise.WeightDecay, tensorwise.DecoupledWeightDecay = false, 1e-2, true
	// The options of VariantOptions, each path at least once.
	adamwMod := full
	adamwMod.HybridBase, adamwMod.ModulationTarget, adamwMod.LRControllerMode = BaseAdamW, TargetMomentum, ControllerLayerwise
	adamwMod.EarlyTargetRMSScale, adamwMod.LateTargetRMSScale = 0.5, 2
	sgdmMod := gradOnly
	sgdmMod.HybridBase, sgdmMod.ModulationTarget, sgdmMod.LayerScope = BaseSGDMomentum, TargetTrustRatio, ScopeClassifierOnly
	orthogonal := full
	orthogonal.OrthogonalResidual, orthogonal.OrthogonalNormalization, orthogonal.OrthogonalSchedule = true, NormMatchGrad, ScheduleCosine
	orthogonal.LRControllerMode = ControllerGlobal
	bounded := tensorwise
	bounded.BoundedResidual, bounded.LRControllerMode = true, ScopeClassifierOnly
	return []struct {
		name string
		cfg  Config
	}{
		{"sgd", Config{Name: NameSGD, SGD: &sgd}},
		{"adam", Config{Name: NameAdam, Adam: &adam}},
		{"adamw", Config{Name: NameAdamW, Adam: &adamw}},
		{"neuroplastic", Config{Name: NameNeuroPlastic, NeuroPlastic: &full}},
		{"neuroplastic_grad_only", Config{Name: NameNeuroPlastic, NeuroPlastic: &gradOnly}},
		{"neuroplastic_tensorwise", Config{Name: NameNeuroPlastic, NeuroPlastic: &tensorwise}},
		{"neuroplastic_adamw_momentum_layerwise", Config{Name: NameNeuroPlastic, NeuroPlastic: &adamwMod}},
		{"neuroplastic_sgdm_trust_classifier", Config{Name: NameNeuroPlastic, NeuroPlastic: &sgdmMod}},
		{"neuroplastic_orthogonal_global", Config{Name: NameNeuroPlastic, NeuroPlastic: &orthogonal}},
		{"neuroplastic_bounded_tensorwise", Config{Name: NameNeuroPlastic, NeuroPlastic: &bounded}},
	}
}

// mustNew is New for configurations known to be valid.
func mustNew(t testing.TB, ps []*param.Param, c Config) Optimizer {
	t.Helper()
	o, err := New(ps, c, 1)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// stepEpochs are the epochs of consecutive steps in the multi-step tests:
// warm-up gate 0, 0.5, 1 and beyond for warmup_epochs 2.
var stepEpochs = []int{1, 1, 2, 2, 3, 3, 4}

func TestNonFiniteGradient(t *testing.T) {
	bad := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	for _, tc := range testConfigs() {
		for _, b := range bad {
			t.Run(fmt.Sprintf("%s/%v", tc.name, b), func(t *testing.T) {
				ps := newParams(smallShapes, 1)
				o := mustNew(t, ps, tc.cfg)
				// One good step first so that state is non-zero.
				setGrads(ps, 2, 0)
				if err := o.Step(1); err != nil {
					t.Fatal(err)
				}
				before := cloneParams(ps)
				state, _ := o.MarshalBinary()
				setGrads(ps, 2, 1)
				ps[2].Grad[4] = b
				err := o.Step(1)
				if !errors.Is(err, ErrNonFinite) {
					t.Fatalf("Step = %v, want an error wrapping ErrNonFinite", err)
				}
				if want := "optim: non-finite gradient in p2"; err.Error() != want {
					t.Errorf("error %q, want %q", err, want)
				}
				for i, p := range ps {
					if !slices.Equal(p.Data, before[i].Data) {
						t.Errorf("%s changed by a failed step", p.Name)
					}
				}
				if after, _ := o.MarshalBinary(); !bytes.Equal(after, state) {
					t.Error("optimizer state changed by a failed step")
				}
			})
		}
	}
}

func TestProgrammerErrorsPanic(t *testing.T) {
	cfg, _ := DefaultConfig(NameNeuroPlastic)
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"nil param", func() { _, _ = New([]*param.Param{nil}, cfg, 1) }, "optim: neuroplastic: parameter 0 is nil"},
		{"empty param", func() { _, _ = New([]*param.Param{{Name: "w"}}, cfg, 1) }, "optim: neuroplastic: parameter 0 (w) is empty"},
		{"short grad", func() {
			_, _ = New([]*param.Param{{Name: "w", Data: make([]float32, 3), Grad: make([]float32, 2)}}, cfg, 1)
		}, "optim: neuroplastic: parameter 0 (w) has 3 values but 2 gradients"},
		{"no epochs", func() { _, _ = New(newParams(smallShapes, 1), cfg, 0) }, "optim: neuroplastic: total epochs 0 < 1"},
		{"epoch 0", func() { _ = mustNew(t, newParams(smallShapes, 1), cfg).Step(0) }, "optim: neuroplastic: epoch 0 < 1 (epochs are 1-based)"},
		{"resized", func() {
			ps := newParams(smallShapes, 1)
			o := mustNew(t, ps, cfg)
			ps[1].Data, ps[1].Grad = ps[1].Data[:2], ps[1].Grad[:2]
			_ = o.Step(1)
		}, "optim: neuroplastic: parameter 1 (p1) has 2 values and 2 gradients, bound with 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if got := recover(); got != tc.want {
					t.Errorf("panic %v, want %q", got, tc.want)
				}
			}()
			tc.f()
		})
	}
}

// TestStepAllocs asserts that Step allocates nothing.
func TestStepAllocs(t *testing.T) {
	for _, tc := range testConfigs() {
		t.Run(tc.name, func(t *testing.T) {
			ps := newParams(smallShapes, 1)
			o := mustNew(t, ps, tc.cfg)
			setGrads(ps, 2, 0)
			if n := testing.AllocsPerRun(20, func() { _ = o.Step(3) }); n != 0 {
				t.Errorf("Step allocates %v times", n)
			}
		})
	}
}

// BenchmarkStep times one Step on the mlp's parameter set for every
// optimizer configuration of testConfigs (NeuroPlastic at epoch 3, past its
// warm-up, so the full rule runs).
func BenchmarkStep(b *testing.B) {
	for _, tc := range testConfigs() {
		b.Run(tc.name, func(b *testing.B) {
			ps := newParams(mlpShapes, 1)
			o := mustNew(b, ps, tc.cfg)
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
