package optim

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/neuroplastic/neuroplastic/models/param"
)

// TestBasicKernelsMatchGo runs SGD, Adam and AdamW, with and without weight
// decay and momentum, with the vector kernels and with the Go loops side by
// side and requires the same bits of parameters and state after every step.
// The gradients mix ordinary values with the ones where a kernel could round
// differently: zeros of both signs, subnormals, values whose squares
// underflow or overflow, and long runs of zero gradients that leave moments
// subnormal.
func TestBasicKernelsMatchGo(t *testing.T) {
	forKernels(t, func(t *testing.T, kern isa) {
		adamWD := DefaultAdam()
		adamWD.WeightDecay = 1e-2
		adamwNoWD := DefaultAdamW()
		adamwNoWD.WeightDecay = 0
		sgd := func(lr, mu, wd float64, nesterov bool) SGDConfig {
			return SGDConfig{LR: lr, Momentum: mu, WeightDecay: wd, Nesterov: nesterov}
		}
		configs := []struct {
			name string
			cfg  Config
		}{
			{"adam", Config{Name: NameAdam, Adam: ptr(DefaultAdam())}},
			{"adam_wd", Config{Name: NameAdam, Adam: &adamWD}},
			{"adamw", Config{Name: NameAdamW, Adam: ptr(DefaultAdamW())}},
			{"adamw_no_wd", Config{Name: NameAdamW, Adam: &adamwNoWD}},
			{"sgd", Config{Name: NameSGD, SGD: ptr(sgd(0.1, 0, 0, false))}},
			{"sgd_wd", Config{Name: NameSGD, SGD: ptr(sgd(0.1, 0, 1e-3, false))}},
			{"sgd_momentum", Config{Name: NameSGD, SGD: ptr(sgd(0.01, 0.9, 0, false))}},
			{"sgd_momentum_wd", Config{Name: NameSGD, SGD: ptr(sgd(0.01, 0.9, 1e-3, false))}},
			{"sgd_nesterov_wd", Config{Name: NameSGD, SGD: ptr(sgd(0.01, 0.9, 1e-3, true))}},
		}
		special := []float32{0, float32(math.Copysign(0, -1)), 1e-45, -1e-45, 1e-40, 3e-20, -3e-20,
			1e-3, -1e-3, 1e19, -1e19, 3e38, 1e-38}
		for _, c := range configs {
			for _, n := range []int{1, 15, 16, 17, 1000, 4099} {
				t.Run(fmt.Sprintf("%s/n%d", c.name, n), func(t *testing.T) {
					psGo := newParams([][]int{{n}, {n + 33}}, uint64(n))
					psVec := cloneParams(psGo)
					oGo := mustNew(t, psGo, c.cfg)
					setKern(oGo, isaGo)
					oVec := mustNew(t, psVec, c.cfg)
					setKern(oVec, kern)
					r := rand.New(rand.NewPCG(uint64(n), 9))
					for s := range 40 {
						for i := range psGo {
							for j := range psGo[i].Grad {
								var g float32
								switch {
								case s >= 10 && s < 30 && j%3 == 0:
									g = 0
								case r.IntN(4) == 0:
									g = special[r.IntN(len(special))]
								default:
									g = float32(r.NormFloat64())
								}
								psGo[i].Grad[j], psVec[i].Grad[j] = g, g
							}
						}
						stepBoth(t, s, 1, psGo, psVec, oGo, oVec)
					}
				})
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }

// stepBoth takes step s (at epoch) with oGo on psGo and oVec on psVec and
// requires the same bits of parameters and state.
func stepBoth(t *testing.T, s, epoch int, psGo, psVec []*param.Param, oGo, oVec Optimizer) {
	t.Helper()
	if err := oGo.Step(epoch); err != nil {
		t.Fatal(err)
	}
	if err := oVec.Step(epoch); err != nil {
		t.Fatal(err)
	}
	for i := range psGo {
		if !slices.EqualFunc(psGo[i].Data, psVec[i].Data, sameBits32) {
			t.Fatalf("step %d: parameter %d differs", s, i)
		}
	}
	bGo, _ := oGo.MarshalBinary()
	bVec, _ := oVec.MarshalBinary()
	if !bytes.Equal(bGo, bVec) {
		t.Fatalf("step %d: state differs", s)
	}
}

// setKern sets the vector kernels of an SGD or Adam optimizer.
func setKern(o Optimizer, kern isa) {
	switch o := o.(type) {
	case *SGD:
		o.kern = kern
	case *Adam:
		o.kern = kern
	}
}

// TestAdamwBaseKernelMatchesGo runs the hybrid adamw base with the vector
// kernel and with the Go loop on the same gradients (ordinary and special
// values, as TestBasicKernelsMatchGo) and requires the same bits of the
// base, m-hat, both moments and the returned sum, with m-hat kept apart and
// written over the base.
func TestAdamwBaseKernelMatchesGo(t *testing.T) {
	forKernels(t, func(t *testing.T, kern isa) {
		special := []float32{0, float32(math.Copysign(0, -1)), 1e-45, -1e-45, 1e-40, 3e-20, -3e-20,
			1e-3, -1e-3, 1e19, -1e19, 3e38, 1e-38}
		for _, n := range []int{1, 15, 16, 17, 1000, 4099} {
			for _, apart := range []bool{false, true} {
				t.Run(fmt.Sprintf("n%d/apart=%v", n, apart), func(t *testing.T) {
					type state struct{ u, mref, bm, bv []float32 }
					newState := func() state {
						s := state{u: make([]float32, n), bm: make([]float32, n), bv: make([]float32, n)}
						s.mref = s.u
						if apart {
							s.mref = make([]float32, n)
						}
						return s
					}
					sGo, sVec := newState(), newState()
					g := make([]float32, n)
					r := rand.New(rand.NewPCG(uint64(n), 5))
					for step := 1; step <= 40; step++ {
						for j := range g {
							switch {
							case step > 10 && step <= 30 && j%3 == 0:
								g[j] = 0
							case r.IntN(4) == 0:
								g[j] = special[r.IntN(len(special))]
							default:
								g[j] = float32(r.NormFloat64())
							}
						}
						sumGo := adamwBase(sGo.u, sGo.mref, g, sGo.bm, sGo.bv, 0.9, 0.999, 1e-8, step, isaGo)
						sumVec := adamwBase(sVec.u, sVec.mref, g, sVec.bm, sVec.bv, 0.9, 0.999, 1e-8, step, kern)
						if math.Float64bits(sumGo) != math.Float64bits(sumVec) {
							t.Fatalf("step %d: sum %v, want %v", step, sumVec, sumGo)
						}
						for name, pair := range map[string][2][]float32{
							"base": {sGo.u, sVec.u}, "m-hat": {sGo.mref, sVec.mref},
							"bm": {sGo.bm, sVec.bm}, "bv": {sGo.bv, sVec.bv},
						} {
							if !slices.EqualFunc(pair[0], pair[1], sameBits32) {
								t.Fatalf("step %d: %s differs", step, name)
							}
						}
					}
				})
			}
		}
	})
}

// TestVariantKernelsMatchGo runs NeuroPlastic with variant options (the
// variants study's and testConfigs' option configurations) through warm-up
// (k = 0) and after it, with the vector kernels and with the Go loops, on
// tensors of sizes around the vector width, and requires the same bits of
// parameters, state and epoch diagnostics.
func TestVariantKernelsMatchGo(t *testing.T) {
	forKernels(t, func(t *testing.T, kern isa) {
		base := DefaultNeuroPlastic()
		base.LR, base.WarmupEpochs, base.PlasticityScale = 0.1, 2, 2
		modes := []struct {
			name string
			f    func(c *NeuroPlasticConfig)
		}{
			{"adamw_gain", func(c *NeuroPlasticConfig) { c.HybridBase, c.ModulationTarget = BaseAdamW, TargetGain }},
			{"adamw_momentum", func(c *NeuroPlasticConfig) { c.HybridBase, c.ModulationTarget = BaseAdamW, TargetMomentum }},
			{"sgdm_gain_wd", func(c *NeuroPlasticConfig) {
				c.HybridBase, c.ModulationTarget, c.WeightDecay = BaseSGDMomentum, TargetGain, 1e-3
			}},
			{"adamw_grad_only", func(c *NeuroPlasticConfig) {
				c.HybridBase, c.Mode, c.MinAlpha, c.MaxAlpha = BaseAdamW, ModeGradOnly, 0.5, 1.5
			}},
			{"bounded", func(c *NeuroPlasticConfig) { c.BoundedResidual = true }},
			{"orthogonal", func(c *NeuroPlasticConfig) {
				c.OrthogonalResidual, c.OrthogonalNormalization, c.OrthogonalSchedule = true, NormRaw, ScheduleConstant
			}},
			{"controller_layerwise", func(c *NeuroPlasticConfig) { c.LRControllerMode = ControllerLayerwise }},
		}
		for _, tc := range testConfigs() {
			if np := tc.cfg.NeuroPlastic; np != nil && np.active() {
				modes = append(modes, struct {
					name string
					f    func(c *NeuroPlasticConfig)
				}{tc.name, func(c *NeuroPlasticConfig) { *c = *np }})
			}
		}
		for _, n := range []int{1, 15, 16, 17, 1000, 4099} {
			for _, md := range modes {
				t.Run(fmt.Sprintf("%s/n%d", md.name, n), func(t *testing.T) {
					c := base
					md.f(&c)
					cfg := Config{Name: NameNeuroPlastic, NeuroPlastic: &c}
					psGo := newParams([][]int{{n}, {n + 33}}, uint64(n))
					psVec := cloneParams(psGo)
					oGo := mustNew(t, psGo, cfg).(*NeuroPlastic)
					oGo.kern = isaGo
					oVec := mustNew(t, psVec, cfg).(*NeuroPlastic)
					oVec.kern = kern
					for s, epoch := range stepEpochs {
						setGrads(psGo, 7, s)
						setGrads(psVec, 7, s)
						stepBoth(t, s, epoch, psGo, psVec, oGo, oVec)
						if dGo, dVec := oGo.EpochDiagnostics(), oVec.EpochDiagnostics(); !maps.Equal(dGo, dVec) {
							t.Fatalf("step %d: diagnostics differ:\ngo  %+v\nvec %+v", s, dGo, dVec)
						}
					}
				})
			}
		}
	})
}

// TestLogRatiosKernelMatchesGo compares the controller's vector logarithms
// with log32 on ratios around log32's reduction edges (sqrt 2, powers of
// two, 1), at the eps floor and spread over many decades, and checks that a
// ratio off the fast path (Inf, subnormal) hands the whole bulk back.
func TestLogRatiosKernelMatchesGo(t *testing.T) {
	forKernels(t, func(t *testing.T, kern isa) {
		r := rand.New(rand.NewPCG(3, 4))
		const n = 4096
		alpha, aGo, logs := make([]float32, n), make([]float32, n), make([]float32, n)
		edges := []float32{1, math.Sqrt2, math.Nextafter32(math.Sqrt2, 2), math.Nextafter32(math.Sqrt2, 0), 2, 0.5, 1e-8, 0, -1}
		for j := range alpha {
			switch j % 3 {
			case 0:
				alpha[j], aGo[j] = edges[r.IntN(len(edges))], edges[r.IntN(len(edges))]
			case 1:
				alpha[j], aGo[j] = float32(r.Float64()*3), float32(r.Float64()*3)
			default:
				alpha[j], aGo[j] = float32(math.Pow(10, r.Float64()*20-10)), float32(math.Pow(10, r.Float64()*20-10))
			}
		}
		// The logarithms have an AVX-512 kernel only.
		if got, want := logRatiosBulk(kern, logs, alpha, aGo), n*b2i(kern == isaAVX512); got != want {
			t.Fatalf("logRatiosBulk took %d elements, want %d", got, want)
		} else if got == 0 {
			return
		}
		for j := range logs {
			if want := log32(max32(alpha[j], npEps) / max32(aGo[j], npEps)); !sameBits32(logs[j], want) {
				t.Fatalf("ratio %v/%v: log %v, want %v", alpha[j], aGo[j], logs[j], want)
			}
		}
		for _, x := range []float32{3e38, 1e-38} {
			alpha[n-5], aGo[n-5] = x, 1/x
			if got := logRatiosBulk(kern, logs, alpha, aGo); got != 0 {
				t.Errorf("ratio %v/%v: logRatiosBulk took %d elements, want 0", x, 1/x, got)
			}
		}
	})
}

// TestCheckGradsEveryPosition puts NaN, +Inf and -Inf at every position of
// tensors of sizes around the vector test's block, beside the largest
// finite values and subnormals, and requires checkGrads to refuse exactly
// the non-finite ones.
func TestCheckGradsEveryPosition(t *testing.T) {
	finite := []float32{math.MaxFloat32, -math.MaxFloat32, 1e-45, -1e-45, 0, float32(math.Copysign(0, -1))}
	bad := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	for _, n := range []int{1, 7, 8, 9, 31, 32, 33, 100} {
		p := &param.Param{Name: "w", Shape: []int{n}, Data: make([]float32, n), Grad: make([]float32, n)}
		for j := range p.Grad {
			p.Grad[j] = finite[j%len(finite)]
		}
		if err := checkGrads([]*param.Param{p}); err != nil {
			t.Fatalf("n %d, finite values: %v", n, err)
		}
		for j := range n {
			for _, b := range bad {
				keep := p.Grad[j]
				p.Grad[j] = b
				if err := checkGrads([]*param.Param{p}); !errors.Is(err, ErrNonFinite) {
					t.Fatalf("n %d, %v at %d: error %v, want ErrNonFinite", n, b, j, err)
				}
				p.Grad[j] = keep
			}
		}
	}
}
