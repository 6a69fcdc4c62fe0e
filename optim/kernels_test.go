package optim

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"
)

// TestKernelsMatchGo runs NeuroPlastic with the AVX-512 kernels and with the
// portable loops side by side on random tensors of sizes around the vector
// width, in every mode, and requires the same bits: parameters, state
// (traces and diagnostics, via MarshalBinary) and epoch diagnostics. The
// kernels round every element as the loops do and add into the same lanes of
// the same sums, so there is no tolerance.
func TestKernelsMatchGo(t *testing.T) {
	if !haveAVX512 {
		t.Skip("no AVX-512 kernels on this CPU or build")
	}
	base := DefaultNeuroPlastic()
	base.LR, base.WarmupEpochs, base.PlasticityScale = 0.1, 2, 2
	type mod func(c *NeuroPlasticConfig)
	modes := []struct {
		name string
		f    mod
	}{
		{"rule_based", func(*NeuroPlasticConfig) {}},
		{"rule_based_k1_cap", func(c *NeuroPlasticConfig) { c.PlasticityScale, c.MaxUpdateNorm = 1, 1e-3 }},
		{"tensorwise", func(c *NeuroPlasticConfig) { c.Parameterwise = false }},
		{"grad_only", func(c *NeuroPlasticConfig) { c.Mode, c.MinAlpha, c.MaxAlpha = ModeGradOnly, 0.5, 1.5 }},
		{"grad_only_cap", func(c *NeuroPlasticConfig) { c.Mode, c.MaxUpdateNorm = ModeGradOnly, 1e-3 }},
		{"coupled_decay", func(c *NeuroPlasticConfig) { c.WeightDecay = 1e-2 }},
		{"decoupled_decay", func(c *NeuroPlasticConfig) { c.WeightDecay, c.DecoupledWeightDecay = 1e-2, true }},
		{"grad_only_coupled_cap", func(c *NeuroPlasticConfig) {
			c.Mode, c.WeightDecay, c.MaxUpdateNorm = ModeGradOnly, 1e-2, 1e-3
		}},
		{"tensorwise_decoupled_cap", func(c *NeuroPlasticConfig) {
			c.Parameterwise, c.WeightDecay, c.DecoupledWeightDecay, c.MaxUpdateNorm = false, 1e-2, true, 1e-3
		}},
	}
	for _, n := range []int{1, 15, 16, 17, 1000, 4099} {
		for _, md := range modes {
			t.Run(fmt.Sprintf("%s/n%d", md.name, n), func(t *testing.T) {
				c := base
				md.f(&c)
				// Two tensors so that the kernels also start on a second one.
				psGo := newParams([][]int{{n}, {n + 33}}, uint64(n))
				psAsm := cloneParams(psGo)
				oGo, err := NewNeuroPlastic(psGo, c, 1)
				if err != nil {
					t.Fatal(err)
				}
				oGo.simd = false
				oAsm, err := NewNeuroPlastic(psAsm, c, 1)
				if err != nil {
					t.Fatal(err)
				}
				for s, epoch := range stepEpochs {
					setGrads(psGo, 7, s)
					setGrads(psAsm, 7, s)
					if err := oGo.Step(epoch); err != nil {
						t.Fatal(err)
					}
					if err := oAsm.Step(epoch); err != nil {
						t.Fatal(err)
					}
					for i := range psGo {
						if !slices.EqualFunc(psGo[i].Data, psAsm[i].Data, sameBits32) {
							t.Fatalf("step %d: parameter %d differs", s, i)
						}
					}
					bGo, _ := oGo.MarshalBinary()
					bAsm, _ := oAsm.MarshalBinary()
					if !bytes.Equal(bGo, bAsm) {
						t.Fatalf("step %d: state differs", s)
					}
					if s%3 == 2 {
						dGo := oGo.EpochDiagnostics()
						dAsm := oAsm.EpochDiagnostics()
						if !maps.Equal(dGo, dAsm) {
							t.Fatalf("step %d: diagnostics differ:\ngo  %+v\nasm %+v", s, dGo, dAsm)
						}
					}
				}
			})
		}
	}
}

// sameBits32 reports whether x and y have the same bits.
func sameBits32(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) }

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
