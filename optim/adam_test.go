package optim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/neuroplastic/neuroplastic/models/param"
)

// TestAdamKernelMatchesGo runs Adam and AdamW (with and without weight
// decay) with the vector kernel and with the Go loop side by side and
// requires the same bits of parameters and moments after every step. The
// gradients mix ordinary values with the ones where a kernel could round
// differently: zeros of both signs, subnormals, values whose squares
// underflow or overflow, and moments left subnormal by long runs of zero
// gradients.
func TestAdamKernelMatchesGo(t *testing.T) {
	if !haveAVX512 {
		t.Skip("no vector Adam kernel on this CPU or build")
	}
	adam := DefaultAdam()
	adamWD := DefaultAdam()
	adamWD.WeightDecay = 1e-2
	adamw := DefaultAdamW()
	adamwNoWD := DefaultAdamW()
	adamwNoWD.WeightDecay = 0
	configs := []struct {
		name string
		new  func([]*param.Param, AdamConfig) (*Adam, error)
		cfg  AdamConfig
	}{
		{"adam", NewAdam, adam}, {"adam_wd", NewAdam, adamWD},
		{"adamw", NewAdamW, adamw}, {"adamw_no_wd", NewAdamW, adamwNoWD},
	}
	special := []float32{0, float32(math.Copysign(0, -1)), 1e-45, -1e-45, 1e-40, 3e-20, -3e-20,
		1e-3, -1e-3, 1e19, -1e19, 3e38, 1e-38}
	for _, c := range configs {
		for _, n := range []int{1, 15, 16, 17, 1000, 4099} {
			t.Run(fmt.Sprintf("%s/n%d", c.name, n), func(t *testing.T) {
				psGo := newParams([][]int{{n}, {n + 33}}, uint64(n))
				psVec := cloneParams(psGo)
				oGo, err := c.new(psGo, c.cfg)
				if err != nil {
					t.Fatal(err)
				}
				oGo.simd = false
				oVec, err := c.new(psVec, c.cfg)
				if err != nil {
					t.Fatal(err)
				}
				r := rand.New(rand.NewPCG(uint64(n), 9))
				for s := range 40 {
					for i := range psGo {
						for j := range psGo[i].Grad {
							var g float32
							switch {
							case s >= 10 && s < 30 && j%3 == 0:
								g = 0 // long zero runs drive the moments subnormal
							case r.IntN(4) == 0:
								g = special[r.IntN(len(special))]
							default:
								g = float32(r.NormFloat64())
							}
							psGo[i].Grad[j], psVec[i].Grad[j] = g, g
						}
					}
					if err := oGo.Step(1); err != nil {
						t.Fatal(err)
					}
					if err := oVec.Step(1); err != nil {
						t.Fatal(err)
					}
					for i := range psGo {
						if !slices.EqualFunc(psGo[i].Data, psVec[i].Data, sameBits32) {
							t.Fatalf("step %d: parameter %d differs", s, i)
						}
					}
					if !slices.EqualFunc(oGo.buf, oVec.buf, sameBits32) {
						t.Fatalf("step %d: moments differ", s)
					}
				}
			})
		}
	}
}
