package optim

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/neuroplastic/neuroplastic/models/kernel/kerneltest"
	"github.com/neuroplastic/neuroplastic/models/param"
)

var update = flag.Bool("update", false, "rewrite testdata/numerics.golden from this machine (amd64 only)")

// uniformParams returns parameters of n and n+33 elements with values and
// gradients uniform in [-0.5, 0.5) (not normal: math/rand's normal
// generator calls math.Log and math.Exp, whose bits differ between
// architectures).
func uniformParams(n int, seed uint64) []*param.Param {
	r := rand.New(rand.NewPCG(seed, 1))
	var ps []*param.Param
	for i, m := range []int{n, n + 33} {
		p := &param.Param{Name: fmt.Sprintf("p%d", i), Shape: []int{m}, Data: make([]float32, m), Grad: make([]float32, m)}
		for j := range p.Data {
			p.Data[j] = float32(r.Float64() - 0.5)
		}
		ps = append(ps, p)
	}
	return ps
}

// TestNumericsGolden runs every optimizer configuration of testConfigs for
// the steps of stepEpochs, on tensors that the assembly kernels take whole
// and with a tail, and compares a hash of the parameters and the encoded
// state (moments, traces, diagnostics) with the one recorded on amd64.
// Run with NEUROPLASTIC_KERNEL=avx2 or go, any GOAMD64 level, or on arm64,
// it proves that the AVX2 kernels and the portable loops give the AVX-512
// kernels' bits.
func TestNumericsGolden(t *testing.T) {
	g := kerneltest.Open(t, "testdata/numerics.golden", *update)
	for _, tc := range testConfigs() {
		for _, n := range []int{16, 1000} {
			ps := uniformParams(n, uint64(n))
			o := mustNew(t, ps, tc.cfg)
			r := rand.New(rand.NewPCG(uint64(n), 2))
			h := kerneltest.NewHash()
			for _, epoch := range stepEpochs {
				for _, p := range ps {
					for j := range p.Grad {
						p.Grad[j] = float32(r.Float64()*0.2 - 0.1)
					}
				}
				if err := o.Step(epoch); err != nil {
					t.Fatal(err)
				}
				for _, p := range ps {
					h.F32s(p.Data)
				}
			}
			state, err := o.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			h.Bytes(state)
			g.Check(t, fmt.Sprintf("%s/n%d", tc.name, n), h.Sum())
		}
	}
}
