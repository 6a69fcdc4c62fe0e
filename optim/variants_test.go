package optim

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/neuroplastic/neuroplastic/models/param"
)

// TestVariantValidate checks that unknown names are rejected with the list
// of valid ones, out-of-range numbers with their key and value, and that
// the reference's aliases and legacy keys are accepted.
func TestVariantValidate(t *testing.T) {
	tests := []struct {
		name string
		set  func(o *VariantOptions)
		want string
	}{
		{"defaults", func(*VariantOptions) {}, ""},
		{"alias head_only", func(o *VariantOptions) { o.LayerScope = "head_only" }, ""},
		{"alias late", func(o *VariantOptions) { o.ModulationScope = "late" }, ""},
		{"legacy schedule", func(o *VariantOptions) { o.ModulationSchedule = ScheduleWarmup }, ""},
		{"unknown base", func(o *VariantOptions) { o.HybridBase = "adam" },
			`optim: neuroplastic: unknown hybrid_base "adam" (want one of classic, adamw, sgd_momentum)`},
		{"unknown target", func(o *VariantOptions) { o.ModulationTarget = "lr" },
			`optim: neuroplastic: unknown modulation_target "lr" (want one of gain, momentum, trust_ratio)`},
		{"unknown layer scope", func(o *VariantOptions) { o.LayerScope = "stem" },
			`optim: neuroplastic: unknown layer_scope "stem" (want one of all, conv_only, classifier_only, head_only, early_blocks, late_blocks, late)`},
		{"unknown phase", func(o *VariantOptions) { o.PhaseScope = "warmup" },
			`optim: neuroplastic: unknown phase_scope "warmup" (want one of full, early, middle, late)`},
		{"unknown schedule", func(o *VariantOptions) { o.ModulationSchedule = "cosine" },
			`optim: neuroplastic: unknown modulation_schedule "cosine" (want one of constant, warmup, late)`},
		{"unknown controller", func(o *VariantOptions) { o.LRControllerMode = "on" },
			`optim: neuroplastic: unknown lr_controller_mode "on" (want one of off, global, layerwise, classifier_only)`},
		{"unknown normalization", func(o *VariantOptions) { o.OrthogonalNormalization = "unit" },
			`optim: neuroplastic: unknown orthogonal_normalization "unit" (want one of raw, match_grad_norm)`},
		{"unknown orthogonal schedule", func(o *VariantOptions) { o.OrthogonalSchedule = "early" },
			`optim: neuroplastic: unknown orthogonal_schedule "early" (want one of constant, late, cosine)`},
		{"negative strength", func(o *VariantOptions) { o.ModulationStrength = -1 }, "optim: neuroplastic: modulation_strength -1 < 0"},
		{"controller bounds", func(o *VariantOptions) { o.ControllerLow, o.ControllerHigh = 1.5, 1.2 },
			"optim: neuroplastic: controller_low 1.5 > controller_high 1.2"},
		{"nan controller alpha", func(o *VariantOptions) { o.ControllerAlpha = math.NaN() },
			"optim: neuroplastic: controller_alpha NaN is not finite"},
		{"momentum 1", func(o *VariantOptions) { o.BaseMomentum = 1 }, "optim: neuroplastic: base_momentum 1 is outside [0, 1)"},
		{"zero base eps", func(o *VariantOptions) { o.BaseEps = 0 }, "optim: neuroplastic: base_eps 0 <= 0"},
		{"late start above 1", func(o *VariantOptions) { o.OrthogonalLateStartFraction = 1.5 },
			"optim: neuroplastic: orthogonal_late_start_fraction 1.5 is outside [0, 1]"},
		{"late start 1", func(o *VariantOptions) { o.OrthogonalLateStartFraction = 1 }, ""},
		{"negative band scale", func(o *VariantOptions) { o.MiddleTargetRMSScale = -0.5 },
			"optim: neuroplastic: middle_target_rms_scale -0.5 < 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultNeuroPlastic()
			tc.set(&c.VariantOptions)
			if got := errString(c.Validate()); got != tc.want {
				t.Errorf("Validate() = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestVariantCanonicalJSON checks the omission rule: an option is in the
// canonical JSON exactly when it differs from its default, and decoding
// it gives the option back.
func TestVariantCanonicalJSON(t *testing.T) {
	c, _ := DefaultConfig(NameNeuroPlastic)
	def, _ := c.MarshalJSON()
	c.NeuroPlastic.HybridBase, c.NeuroPlastic.ControllerHigh = BaseAdamW, 1.5
	b, err := c.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(string(def), `"adaptation_rate":0.01,`, `"adaptation_rate":0.01,"controller_high":1.5,`, 1)
	want = strings.Replace(want, `"gradient_weight":0.4,`, `"gradient_weight":0.4,"hybrid_base":"adamw",`, 1)
	if string(b) != want {
		t.Errorf("canonical JSON\n got %s\nwant %s", b, want)
	}
	back, err := DecodeConfig(b)
	if err != nil || back.NeuroPlastic.HybridBase != BaseAdamW || back.NeuroPlastic.ControllerHigh != 1.5 {
		t.Errorf("decoded %+v, %v", back.NeuroPlastic, err)
	}
	if _, err := DecodeConfig([]byte(`{"name":"neuroplastic","layer_scop":"all"}`)); errString(err) != `optim: neuroplastic: unknown key "layer_scop"` {
		t.Errorf("misspelt key: %v", err)
	}
}

// TestScopes checks the aliases and the legacy keys' precedence.
func TestScopes(t *testing.T) {
	tests := []struct {
		name                          string
		layer, phase, modScope, sched string
		wantLayer, wantPhase          string
	}{
		{"defaults", ScopeAll, PhaseFull, ScopeAll, ScheduleConstant, ScopeAll, PhaseFull},
		{"aliases", "head_only", PhaseMiddle, ScopeAll, ScheduleConstant, ScopeClassifierOnly, PhaseMiddle},
		{"legacy used", ScopeAll, PhaseFull, "late", ScheduleWarmup, ScopeLateBlocks, PhaseEarly},
		{"legacy late", ScopeAll, PhaseFull, ScopeConvOnly, PhaseLate, ScopeConvOnly, PhaseLate},
		{"legacy ignored", ScopeEarlyBlocks, PhaseMiddle, ScopeConvOnly, PhaseLate, ScopeEarlyBlocks, PhaseMiddle},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultVariantOptions()
			o.LayerScope, o.PhaseScope, o.ModulationScope, o.ModulationSchedule = tc.layer, tc.phase, tc.modScope, tc.sched
			if l, p := o.scopes(); l != tc.wantLayer || p != tc.wantPhase {
				t.Errorf("scopes() = %s, %s, want %s, %s", l, p, tc.wantLayer, tc.wantPhase)
			}
		})
	}
}

// TestRoles checks bands, scopes and controller groups against the rules of
// docs/algorithm.md, written out by hand.
func TestRoles(t *testing.T) {
	// role renders one tensor as band/group/in-scope, e.g. "E/e+".
	render := func(rs []tensorRole) string {
		var b strings.Builder
		for _, r := range rs {
			b.WriteString(fmt.Sprintf("%c%c%c ", "EML"[r.band], "elc"[r.group], " +"[b2i(r.inScope)]))
		}
		return strings.TrimSpace(b.String())
	}
	shapes := func(dims ...int) []*param.Param {
		ps := make([]*param.Param, len(dims))
		for i, d := range dims {
			ps[i] = &param.Param{Shape: make([]int, d)}
		}
		return ps
	}
	tests := []struct {
		name  string
		dims  []int
		scope string
		want  string
	}{
		// N = 6: e = 2, m = 4, cs = 4, early_cut = late_start = 2.
		{"mlp all", []int{2, 1, 2, 1, 2, 1}, ScopeAll, "Ee+ Ee+ Ml+ Ml+ Lc+ Lc+"},
		{"mlp early", []int{2, 1, 2, 1, 2, 1}, ScopeEarlyBlocks, "Ee+ Ee+ Ml  Ml  Lc  Lc"},
		{"mlp late", []int{2, 1, 2, 1, 2, 1}, ScopeLateBlocks, "Ee  Ee  Ml+ Ml+ Lc  Lc"},
		{"mlp classifier", []int{2, 1, 2, 1, 2, 1}, ScopeClassifierOnly, "Ee  Ee  Ml  Ml  Lc+ Lc+"},
		// N = 7: e = 3, m = 5, cs = 5, early_cut = 3, late_start = 2:
		// tensor 2 is in both block scopes and in the early group.
		{"odd early", []int{2, 1, 2, 1, 2, 2, 1}, ScopeEarlyBlocks, "Ee+ Ee+ Ee+ Ml  Ml  Lc  Lc"},
		{"odd late", []int{2, 1, 2, 1, 2, 2, 1}, ScopeLateBlocks, "Ee  Ee  Ee+ Ml+ Ml+ Lc  Lc"},
		{"conv", []int{4, 1, 4, 1, 2, 1}, ScopeConvOnly, "Ee+ Ee  Ml+ Ml  Lc  Lc"},
		// N = 2: e = 1, m = 2, cs = 0: both tensors are the classifier.
		{"two tensors", []int{2, 1}, ScopeEarlyBlocks, "Ec  Mc"},
		{"one tensor", []int{2}, ScopeClassifierOnly, "Ec+"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := render(roles(shapes(tc.dims...), tc.scope)); got != tc.want {
				t.Errorf("roles = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestGates checks the phase gate's boundaries and the orthogonal
// schedules at a few points.
func TestGates(t *testing.T) {
	for _, tc := range []struct {
		phase string
		prog  []float64
		want  []float64
	}{
		{PhaseFull, []float64{0.1, 1}, []float64{1, 1}},
		{PhaseEarly, []float64{0.2, 3.0 / 10, 0.4}, []float64{1, 1, 0}},
		{PhaseMiddle, []float64{3.0 / 10, 0.5, 7.0 / 10}, []float64{0, 1, 0}},
		{PhaseLate, []float64{0.6, 7.0 / 10, 1}, []float64{0, 1, 1}},
	} {
		for i, p := range tc.prog {
			if got := phaseGate(tc.phase, p); got != tc.want[i] {
				t.Errorf("phaseGate(%s, %v) = %v, want %v", tc.phase, p, got, tc.want[i])
			}
		}
	}
	o := DefaultVariantOptions()
	o.OrthogonalLateStartFraction = 0.4
	for _, tc := range []struct {
		schedule string
		prog     float64
		want     float64
	}{
		{ScheduleConstant, 0.1, 1},
		{PhaseLate, 0.4, 0},
		{PhaseLate, 0.7, 0.5},
		{PhaseLate, 2, 1},
		{ScheduleCosine, 0, 0},
		{ScheduleCosine, 0.5, 0.5},
		{ScheduleCosine, 3, 1},
	} {
		o.OrthogonalSchedule = tc.schedule
		if got := orthogonalGate(&o, tc.prog); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("orthogonalGate(%s, %v) = %v, want %v", tc.schedule, tc.prog, got, tc.want)
		}
	}
}

// TestVariantDiagnostics checks that the paper configuration reports
// exactly the paper's diagnostics, and that options add theirs with values
// known in closed form: the grad-only controller's signal is 0 and its
// multiplier clamp(1, low, high); a zero gradient skips the orthogonal
// residual; the early phase is over at epoch 4 of 10.
func TestVariantDiagnostics(t *testing.T) {
	paper := []string{DiagAlphaMean, DiagAlphaStd, DiagAlphaMin, DiagAlphaMax, DiagFracNearMin, DiagFracNearMax,
		DiagGradNorm, DiagRawUpdateNorm, DiagEffectiveUpdateNorm}
	tests := []struct {
		name  string
		set   func(c *NeuroPlasticConfig)
		zero  bool // zero gradients
		epoch int
		want  Diagnostics // values of some of the added keys
		added int         // number of keys added to the paper's
	}{
		{"paper", func(*NeuroPlasticConfig) {}, false, 1, nil, 0},
		{"grad-only controller", func(c *NeuroPlasticConfig) {
			c.Mode, c.LRControllerMode, c.ControllerLow = ModeGradOnly, ControllerGlobal, 1.05
		}, false, 1, Diagnostics{
			DiagControllerSignalMean: 0, DiagControllerMultMean: 1.05, DiagControllerMultMax: 1.05,
			DiagControllerFracLow: 1, DiagControllerFracHigh: 0, DiagControllerMultMean + "_classifier": 1.05,
		}, 8 + 6*2},
		{"orthogonal skip", func(c *NeuroPlasticConfig) { c.OrthogonalResidual = true }, true, 1, Diagnostics{
			DiagOrthogonalSkipFrac: 1, DiagResidualNorm: 0, DiagResidualCappedFrac: 0,
		}, 5},
		{"bounded", func(c *NeuroPlasticConfig) { c.BoundedResidual, c.ResidualMaxRatio = true, 0 }, false, 1, Diagnostics{
			DiagResidualNorm: 0, DiagResidualCappedFrac: 1,
		}, 2},
		{"early phase over", func(c *NeuroPlasticConfig) { c.HybridBase, c.PhaseScope = BaseSGDMomentum, PhaseEarly }, false, 4, Diagnostics{
			DiagModulationActiveFrac: 0, DiagModulationNorm: 0,
		}, 4},
		{"early phase on", func(c *NeuroPlasticConfig) {
			c.HybridBase, c.PhaseScope, c.ModulationMaxRatio = BaseSGDMomentum, PhaseEarly, 0
		}, false, 3, Diagnostics{DiagModulationActiveFrac: 1, DiagModulationCappedFrac: 1, DiagModulationNorm: 0}, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultNeuroPlastic()
			c.LR = 0.1
			tc.set(&c)
			ps := newParams(smallShapes, 1)
			if !tc.zero {
				setGrads(ps, 2, 0)
			}
			o, err := NewNeuroPlastic(ps, c, 10)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := o.Step(tc.epoch); err != nil {
					t.Fatal(err)
				}
			}
			d := o.EpochDiagnostics()
			for _, k := range paper {
				if _, ok := d[k]; !ok {
					t.Errorf("no %s", k)
				}
			}
			if len(d) != len(paper)+tc.added {
				t.Errorf("%d diagnostics, want %d: %v", len(d), len(paper)+tc.added, d)
			}
			for k, want := range tc.want {
				if got, ok := d[k]; !ok || math.Abs(got-want) > 1e-12 {
					t.Errorf("%s = %v, want %v", k, got, want)
				}
			}
		})
	}
}

// TestVariantKernelsAgree checks that every option's path gives the same
// bits with each assembly kernel family the CPU runs and with the portable
// loops; it shares the kernels with the paper's path.
func TestVariantKernelsAgree(t *testing.T) {
	forKernels(t, testVariantKernelsAgree)
}

// testVariantKernelsAgree is TestVariantKernelsAgree for the kernels kern.
func testVariantKernelsAgree(t *testing.T, kern isa) {
	shapes := [][]int{{8, 9}, {37}, {5, 3, 2, 2}, {16}}
	for _, tc := range testConfigs() {
		if tc.cfg.NeuroPlastic == nil || !tc.cfg.NeuroPlastic.active() {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			var data [2][]*param.Param
			var opts [2]*NeuroPlastic
			for k := range 2 {
				data[k] = newParams(shapes, 3)
				o, err := NewNeuroPlastic(data[k], *tc.cfg.NeuroPlastic, 4)
				if err != nil {
					t.Fatal(err)
				}
				o.kern = []isa{isaGo, kern}[k]
				opts[k] = o
			}
			for s, e := range stepEpochs {
				for k := range 2 {
					setGrads(data[k], 4, s)
					if err := opts[k].Step(e); err != nil {
						t.Fatal(err)
					}
				}
			}
			for i := range data[0] {
				if !slices.EqualFunc(data[0][i].Data, data[1][i].Data, sameBits32) {
					t.Errorf("%s differs between the kernels and the portable loops", data[0][i].Name)
				}
			}
			a, _ := json.Marshal(opts[0].EpochDiagnostics())
			b, _ := json.Marshal(opts[1].EpochDiagnostics())
			if string(a) != string(b) {
				t.Errorf("diagnostics differ:\n%s\n%s", a, b)
			}
		})
	}
}

// TestLog32 checks log32 against math.Log rounded to float32 over a
// logarithmic sweep of the ratios a controller signal takes, and exactly at
// powers of two, 1 and the band edges of its reduction.
func TestLog32(t *testing.T) {
	for _, x := range []float32{1, 2, 0.5, math.Sqrt2, 1 / math.Sqrt2, 1e-8, 2e8, math.MaxFloat32} {
		if got, want := log32(x), float32(math.Log(float64(x))); got != want {
			t.Errorf("log32(%v) = %v, want %v", x, got, want)
		}
	}
	off := 0
	const n = 200000
	for i := range n {
		x := float32(math.Exp(-20 + 40*float64(i)/n))
		got, want := log32(x), float32(math.Log(float64(x)))
		if got != want {
			// The float64 results differ by a few float64 ulps, so only a
			// value next to a float32 rounding boundary may round apart.
			if math.Abs(float64(got-want)) > float64(math.Nextafter32(abs32(want), 1)-abs32(want)) {
				t.Fatalf("log32(%v) = %v, want %v", x, got, want)
			}
			off++
		}
	}
	t.Logf("%d of %d round apart", off, n)
	if off > n/10000 {
		t.Errorf("log32 rounds apart from math.Log %d times in %d", off, n)
	}
}

// TestFiniteOr0 checks nan_to_num on products, whose x-x a compiler may
// fuse into the product's rounding error (arm64 does): only NaN and +-Inf
// map to 0.
func TestFiniteOr0(t *testing.T) {
	inf := float32(math.Inf(1))
	for _, tc := range []struct{ a, b, want float32 }{
		{0.1, 0.3, 0.1 * float32(0.3)},
		{-1.7, 3.3, -1.7 * float32(3.3)},
		{0, 5, 0},
		{inf, 2, 0},
		{-inf, 2, 0},
		{inf, 0, 0}, // NaN
		{3e38, 10, 0},
	} {
		if got := finiteOr0(tc.a * tc.b); got != tc.want {
			t.Errorf("finiteOr0(%v*%v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
