package optim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/neuroplastic/neuroplastic/models/param"
)

// f32Tol is the relative tolerance for a float32 formula checked against
// its exact value: a few roundings of float32 (eps 1.2e-7) each.
const f32Tol = 1e-6

func near(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(math.Abs(want), 1e-30)
}

// TestFormulaPieces checks each line of the update in docs/algorithm.md on hand-computed
// values.
func TestFormulaPieces(t *testing.T) {
	tests := []struct {
		name string
		got  float32
		want float64
	}{
		// A <- 0.95*A + 0.05*|g|: the trace takes |g|.
		{"trace", trace(1, -2), 1.05},
		{"trace from zero", trace(0, 4), 0.2},
		// m <- 0.9*m + 0.1*g: signed.
		{"memory", memory(0.5, -1), 0.35},
		// v <- 0.99*v + 0.01*g*g
		{"second moment", second(1, 10), 1.99},
		{"second moment negative g", second(0, -3), 0.09},
		// r = |m| / (sqrt(v) + 1e-8)
		{"memory signal", memSignal(-0.3, 0.09), 0.3 / (0.3 + 1e-8)},
		{"memory signal v zero", memSignal(0.1, 0), 0.1 / 1e-8},
		// n(x) = x / (mean(x) + 1e-8): x = [1, 2, 3] -> [0.5, 1, 1.5].
		{"standardise", 3 / stdDenom(6, 3), 1.5},
		{"standardise mean denominator", stdDenom(6, 3), 2 + 1e-8},
		{"standardise small mean keeps eps", stdDenom(3e-8, 3), 1e-8 + 1e-8},
		// clamp(x, lo, hi)
		{"clamp below", clamp32(0.1, 0.2, 2), 0.2},
		{"clamp above", clamp32(2.5, 0.2, 2), 2},
		{"clamp inside", clamp32(1.25, 0.2, 2), 1.25},
		// a_full = wa*n(A) + wg*G + wm*n(r), unclamped
		{"mix", mix(0.4, 0.4, 0.2, 1, 2, 3), 0.4 + 0.8 + 0.6},
		// alpha = a_go + k*(a_full - a_go), not clamped again
		{"blend k 0", blend(0.5, 1.5, 0), 0.5},
		{"blend k 0.5", blend(0.5, 1.5, 0.5), 1},
		{"blend k 1", blend(0.5, 1.5, 1), 1.5},
		{"blend k 2 leaves the range", blend(0.5, 1.5, 2), 2.5},
		{"blend k 2 goes negative", blend(1.5, 0.2, 2), -1.1},
		// stabilize: cap factor max/(norm + 1e-8) when norm > max
		{"cap below", capScale(0.5, 1), 1},
		{"cap at the limit", capScale(1, 1), 1},
		{"cap above", capScale(2, 1), 1 / (2 + 1e-8)},
		{"cap above max 2", capScale(4, 2), 2 / (4 + 1e-8)},
		// gain = clamp(1 + rate*(target - rms), 0.5, 1.5), rms = sqrt(mean(u*u) + 1e-8)
		{"gain at target", rmsGain(2*0.02*0.02, 2, 0.02, 0.01), 1 + 0.01*(0.02-math.Sqrt(0.0004+1e-8))},
		{"gain of zero update", rmsGain(0, 10, 0.02, 0.01), 1 + 0.01*(0.02-1e-4)},
		{"gain of large update", rmsGain(8, 2, 0.02, 0.01), 1 + 0.01*(0.02-2)},
		{"gain clamped low", rmsGain(2, 2, 0.02, 100), 0.5},
		{"gain clamped high", rmsGain(0, 2, 0.02, 100), 1.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !near(float64(tc.got), tc.want, f32Tol) {
				t.Errorf("got %.9g, want %.9g", tc.got, tc.want)
			}
		})
	}
}

func TestGate(t *testing.T) {
	tests := []struct {
		epoch, warmup int
		want          float64
	}{
		{1, 0, 1}, {7, 0, 1}, // no warm-up: full plasticity from the start
		{1, -3, 1},                        // warmup <= 0 counts as none
		{1, 2, 0}, {2, 2, 0.5}, {3, 2, 1}, // the locked config's gate
		{10, 2, 1},                 // clamped at 1
		{2, 3, 1.0 / 3}, {0, 2, 0}, // clamped at 0
	}
	for _, tc := range tests {
		if got := gate(tc.epoch, tc.warmup); got != tc.want {
			t.Errorf("gate(%d, %d) = %v, want %v", tc.epoch, tc.warmup, got, tc.want)
		}
	}
}

// TestZeroGradient checks that an all-zero gradient moves nothing and makes
// no NaN: n(0) = 0/(0 + 1e-8) = 0, alpha = min_alpha, u = 0, rms = 1e-4.
func TestZeroGradient(t *testing.T) {
	for _, tc := range testConfigs() {
		t.Run(tc.name, func(t *testing.T) {
			ps := newParams(smallShapes, 1)
			before := cloneParams(ps)
			// Decay moves the parameters even at zero gradient; turn it off.
			c := tc.cfg
			switch {
			case c.SGD != nil:
				s := *c.SGD
				s.WeightDecay = 0
				c.SGD = &s
			case c.Adam != nil:
				a := *c.Adam
				a.WeightDecay = 0
				c.Adam = &a
			default:
				n := *c.NeuroPlastic
				n.WeightDecay = 0
				c.NeuroPlastic = &n
			}
			o := mustNew(t, ps, c)
			for _, e := range stepEpochs {
				if err := o.Step(e); err != nil {
					t.Fatal(err)
				}
			}
			for i, p := range ps {
				if !slices.Equal(p.Data, before[i].Data) {
					t.Errorf("%s moved: %v, was %v", p.Name, p.Data, before[i].Data)
				}
			}
			dg, ok := o.(Diagnoser)
			if !ok {
				return
			}
			d := dg.EpochDiagnostics()
			lo := float64(float32(c.NeuroPlastic.MinAlpha))
			want := Diagnostics{DiagAlphaMean: lo, DiagAlphaStd: 0, DiagAlphaMin: lo, DiagAlphaMax: lo, DiagFracNearMin: 1,
				DiagFracNearMax: 0, DiagGradNorm: 0, DiagRawUpdateNorm: 0, DiagEffectiveUpdateNorm: 0}
			for k, v := range want { // the options add keys of their own
				if got, ok := d[k]; !ok || got != v {
					t.Errorf("diagnostics %+v, want %+v", d, want)
					break
				}
			}
		})
	}
}

// TestStateUpdatedInGradOnlyMode checks that the grad-only ablation updates
// its traces too (SPEC: "A, m, v are updated first, in both modes") but
// ignores them: its parameters follow the rule_based optimizer with the
// same clamp during rule_based's gate-0 epoch.
func TestStateUpdatedInGradOnlyMode(t *testing.T) {
	gradOnly := DefaultNeuroPlastic()
	gradOnly.Mode = ModeGradOnly
	gated := DefaultNeuroPlastic()
	gated.WarmupEpochs = 5 // gate(1) = 0, so k = 0 in epoch 1
	p1, p2 := newParams(smallShapes, 1), newParams(smallShapes, 1)
	o1, _ := NewNeuroPlastic(p1, gradOnly, 1)
	o2, _ := NewNeuroPlastic(p2, gated, 1)
	for s := range 3 {
		setGrads(p1, 3, s)
		setGrads(p2, 3, s)
		if o1.Step(1) != nil || o2.Step(1) != nil {
			t.Fatal("step failed")
		}
	}
	for i := range p1 {
		if !slices.Equal(p1[i].Data, p2[i].Data) {
			t.Errorf("%s: grad-only %v, gated rule_based %v", p1[i].Name, p1[i].Data, p2[i].Data)
		}
	}
	if !slices.Equal(o1.buf, o2.buf) || slices.Max(o1.buf) == 0 {
		t.Error("grad-only mode does not keep the traces")
	}
}

// diagWant is an expected set of NeuroPlastic diagnostics.
type diagWant struct {
	AlphaMean, AlphaStd, AlphaMin, AlphaMax      float64
	FracNearMin, FracNearMax                     float64
	GradNorm, RawUpdateNorm, EffectiveUpdateNorm float64
}

// TestDiagnostics checks the epoch diagnostics on hand-computed cases in the
// grad-only mode with clamp [0.5, 1.5].
func TestDiagnostics(t *testing.T) {
	// gain = clamp(1 + 0.01*(0.02 - sqrt(1/2 + 1e-8))) for a capped 2-element
	// update of norm 1.
	gain := 1 + 0.01*(0.02-math.Sqrt(0.5+1e-8))
	tests := []struct {
		name          string
		parameterwise bool
		grads         [][][]float32 // per step, per tensor
		want          diagWant
	}{
		{
			// Step 1: g = [1, 3], mean |g| = 2, G = [0.5, 1.5] = alpha,
			// alpha*g = [0.5, 4.5]; step 2: g = [2, 2], alpha = [1, 1].
			// Alphas {0.5, 1.5, 1, 1}: mean 1, population std sqrt(0.125).
			// Both updates are capped to norm 1, then scaled by gain.
			name: "per element", parameterwise: true,
			grads: [][][]float32{{{1, 3}}, {{2, 2}}},
			want: diagWant{
				AlphaMean: 1, AlphaStd: math.Sqrt(0.125), AlphaMin: 0.5, AlphaMax: 1.5,
				FracNearMin: 0.25, FracNearMax: 0.25,
				GradNorm: math.Sqrt(10 + 8), RawUpdateNorm: math.Sqrt(20.5 + 8),
				EffectiveUpdateNorm: math.Sqrt(2) * gain,
			},
		},
		{
			// Tensor 1: g = [1, 3], a_go = clamp(mean(G)) = 1 for both
			// elements; tensor 2: g = 0, a_go = clamp(0) = 0.5 for all three.
			// Every element counts: mean (2*1 + 3*0.5)/5 = 0.7, std
			// sqrt((2*1 + 3*0.25)/5 - 0.49) = sqrt(0.06). Tensor 2 moves
			// nothing, tensor 1 as above.
			name: "per tensor", parameterwise: false,
			grads: [][][]float32{{{1, 3}, {0, 0, 0}}},
			want: diagWant{
				AlphaMean: 0.7, AlphaStd: math.Sqrt(0.06), AlphaMin: 0.5, AlphaMax: 1,
				FracNearMin: 0.6, FracNearMax: 0,
				GradNorm: math.Sqrt(10), RawUpdateNorm: math.Sqrt(10),
				EffectiveUpdateNorm: gain,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultNeuroPlastic()
			c.Mode, c.LR, c.MinAlpha, c.MaxAlpha, c.Parameterwise = ModeGradOnly, 0.1, 0.5, 1.5, tc.parameterwise
			var ps []*param.Param
			for i, g := range tc.grads[0] {
				ps = append(ps, &param.Param{Name: string(rune('a' + i)), Data: make([]float32, len(g)), Grad: make([]float32, len(g))})
			}
			o, err := NewNeuroPlastic(ps, c, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, step := range tc.grads {
				for i, g := range step {
					copy(ps[i].Grad, g)
				}
				if err := o.Step(1); err != nil {
					t.Fatal(err)
				}
			}
			d := o.EpochDiagnostics()
			got := []float64{d[DiagAlphaMean], d[DiagAlphaStd], d[DiagAlphaMin], d[DiagAlphaMax], d[DiagFracNearMin],
				d[DiagFracNearMax], d[DiagGradNorm], d[DiagRawUpdateNorm], d[DiagEffectiveUpdateNorm]}
			want := []float64{tc.want.AlphaMean, tc.want.AlphaStd, tc.want.AlphaMin, tc.want.AlphaMax, tc.want.FracNearMin, tc.want.FracNearMax, tc.want.GradNorm, tc.want.RawUpdateNorm, tc.want.EffectiveUpdateNorm}
			for i := range got {
				if !near(got[i], want[i], f32Tol) {
					t.Errorf("got %+v\nwant %+v", d, tc.want)
					break
				}
			}
			for k, v := range o.EpochDiagnostics() {
				if v != 0 {
					t.Errorf("EpochDiagnostics did not reset: %s = %v", k, v)
				}
			}
		})
	}
}

// TestNoDiagnostics checks that the baselines report none.
func TestNoDiagnostics(t *testing.T) {
	for _, tc := range testConfigs() {
		o := mustNew(t, newParams(smallShapes, 1), tc.cfg)
		if _, ok := o.(Diagnoser); ok != (tc.cfg.NeuroPlastic != nil) {
			t.Errorf("%s: ok = %v", tc.name, ok)
		}
	}
}

// TestQuo checks that quo(x, recip(d)) rounds exactly as the float32
// division x/d (proved in quo's comment) on random operands spanning the
// exponents the optimizer meets and on hand-picked ones.
func TestQuo(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pairs := [][2]float32{{1, 3}, {2, 3}, {1, 10}, {0, 1e-8}, {3.4e38, 1e-8}, {1e-30, 7}, {5, 5}}
	for range 1 << 20 {
		x := math.Float32frombits(r.Uint32N(0x7f000000-0x1000000) + 0x1000000) // normal, > 2^-125
		d := float32(math.Ldexp(1+r.Float64(), r.IntN(60)-30))                 // 2^-30 .. 2^30
		pairs = append(pairs, [2]float32{x, d})
	}
	for _, p := range pairs {
		x, d := p[0], p[1]
		if got, want := quo(x, recip(d)), x/d; got != want && (x/d >= 0x1p-126) {
			t.Fatalf("quo(%g, recip(%g)) = %g, want %g", x, d, got, want)
		}
	}
}
