package models

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/neuroplastic/neuroplastic/models/kernel"
	"github.com/neuroplastic/neuroplastic/models/kernel/kerneltest"
	"github.com/neuroplastic/neuroplastic/models/param"
	"github.com/neuroplastic/neuroplastic/optim"
)

var update = flag.Bool("update", false, "rewrite testdata/numerics.golden from this machine (amd64 only)")

// numericsRuns are the short training runs of TestTrainingNumerics: each
// model (the CNNs on small images, ResNet-18 on 4 x 4, so that the run
// stays fast, also under qemu) with NeuroPlastic's full rule, and the MLP with the other
// optimizers.
func numericsRuns(t *testing.T) []struct {
	name string
	arch architecture
	opt  func(ps []*param.Param) (optim.Optimizer, error)
} {
	small := func(name string, hw int) architecture {
		for _, a := range architectures() {
			if a.name == name {
				if a.in.c == 3 {
					a.in = shape{3, hw, hw}
				}
				return a
			}
		}
		t.Fatalf("no model %s", name)
		return architecture{}
	}
	np := func(ps []*param.Param) (optim.Optimizer, error) {
		c := optim.DefaultNeuroPlastic()
		c.LR, c.WarmupEpochs, c.WeightDecay = 0.1, 1, 1e-3
		return optim.NewNeuroPlastic(ps, c, 1)
	}
	sgd := func(ps []*param.Param) (optim.Optimizer, error) {
		c := optim.DefaultSGD()
		c.LR, c.Momentum, c.WeightDecay, c.Nesterov = 0.05, 0.9, 1e-3, true
		return optim.NewSGD(ps, c)
	}
	adamw := func(ps []*param.Param) (optim.Optimizer, error) { return optim.NewAdamW(ps, optim.DefaultAdamW()) }
	return []struct {
		name string
		arch architecture
		opt  func(ps []*param.Param) (optim.Optimizer, error)
	}{
		{"mlp/neuroplastic", small("mlp", 0), np},
		{"mlp/sgd", small("mlp", 0), sgd},
		{"mlp/adamw", small("mlp", 0), adamw},
		{"small_cnn/neuroplastic", small("small_cnn", 8), np},
		{"resnet18/neuroplastic", small("resnet18", 4), np},
	}
}

// uniformBatch returns n samples for net with values uniform in [-2, 2)
// and random labels (not normal values: math/rand's normal generator calls
// math.Log and math.Exp, whose bits differ between architectures).
func uniformBatch(net *Net, n int, seed uint64) ([]float32, []uint8) {
	r := rand.New(rand.NewPCG(seed, 3))
	x := make([]float32, n*net.in.size())
	for i := range x {
		x[i] = float32(4*r.Float64() - 2)
	}
	y := make([]uint8, n)
	for i := range y {
		y[i] = uint8(r.IntN(10))
	}
	return x, y
}

// trainHash trains a fresh net of run on eng for three steps over two
// epochs and one evaluation, and returns a hash of every loss and the final
// parameters.
func trainHash(t *testing.T, arch architecture, newOpt func([]*param.Param) (optim.Optimizer, error), eng *kernel.Engine) string {
	const batch = 4
	net := newNet(arch, batch, 7, eng)
	opt, err := newOpt(net.Params())
	if err != nil {
		t.Fatal(err)
	}
	h := kerneltest.NewHash()
	for step, epoch := range []int{1, 1, 2} {
		net.BeginEpoch(epoch)
		x, y := uniformBatch(net, batch, uint64(step))
		loss, correct := net.TrainStep(x, y)
		h.F64(loss)
		h.F64(float64(correct))
		if err := opt.Step(epoch); err != nil {
			t.Fatal(err)
		}
	}
	x, y := uniformBatch(net, batch, 99)
	loss, _ := net.Evaluate(x, y)
	h.F64(loss)
	for _, p := range net.Params() {
		h.F32s(p.Data)
	}
	return h.Sum()
}

// TestTrainingNumerics trains each model briefly with every kernel variant
// this CPU runs and requires the same bits (losses and final parameters)
// from all of them, and the bits recorded on amd64 in the golden file.
// With NEUROPLASTIC_KERNEL (which also switches the optimizers' AVX-512
// passes), any GOAMD64 level or on arm64 it checks that those give the
// committed runs' numbers too.
func TestTrainingNumerics(t *testing.T) {
	g := kerneltest.Open(t, "testdata/numerics.golden", *update)
	for _, run := range numericsRuns(t) {
		t.Run(run.name, func(t *testing.T) {
			if run.arch.name == "resnet18" && testing.Short() {
				t.Skip("resnet18 is slow; skipped with -short")
			}
			var want string
			for _, v := range kernel.Variants() {
				eng, err := kernel.NewVariant(1, v)
				if err != nil {
					t.Fatal(err)
				}
				got := trainHash(t, run.arch, run.opt, eng)
				if want == "" {
					want = got
				} else if got != want {
					t.Errorf("variant %s gives other numbers than %s", v, kernel.Variants()[0])
				}
			}
			g.Check(t, fmt.Sprintf("train/%s", run.name), want)
		})
	}
}
