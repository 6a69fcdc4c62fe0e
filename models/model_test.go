package models

import (
	"math"
	"testing"

	"github.com/neuroplastic/neuroplastic/models/param"
	"github.com/neuroplastic/neuroplastic/rng"
)

// checkDirections checks the gradient of each parameter tensor as a whole:
// it moves the tensor along its own normalised gradient d = g/|g| by +-h and
// compares the change of the loss with the analytic g.(step), both computed
// from the float32 values actually stored. Along d the change is |g|*2h, as
// large as any direction allows, so the float32 noise of the loss and the
// many ReLU and max-pooling kinks a step crosses in a large network matter
// far less than in a single coordinate; a wrong gradient (a missing path, a
// wrong scale, misplaced values) changes the result by O(|g|).
func checkDirections(t *testing.T, params []*param.Param, loss func() float64, h, rel float64) {
	t.Helper()
	for _, p := range params {
		var norm float64
		for _, g := range p.Grad {
			norm += float64(g) * float64(g)
		}
		norm = math.Sqrt(norm)
		if norm == 0 {
			t.Errorf("%s: zero gradient", p.Name)
			continue
		}
		orig := append([]float32(nil), p.Data...)
		hi, lo := make([]float32, len(orig)), make([]float32, len(orig))
		var ana float64
		for i, v := range orig {
			step := h * float64(p.Grad[i]) / norm
			hi[i], lo[i] = float32(float64(v)+step), float32(float64(v)-step)
			ana += float64(p.Grad[i]) * (float64(hi[i]) - float64(lo[i]))
		}
		copy(p.Data, hi)
		lp := loss()
		copy(p.Data, lo)
		lm := loss()
		copy(p.Data, orig)
		if num := lp - lm; math.Abs(num-ana) > rel*math.Abs(ana) {
			t.Errorf("%s: loss change %.6g, predicted %.6g (|g| = %.4g)", p.Name, num, ana, norm)
		}
	}
}

// TestModelGradients checks TrainStep's parameter gradients for each model
// on a tiny batch against the training-mode loss (dropout masks fixed by
// BeginEpoch, BatchNorm on batch statistics): for every parameter tensor (of
// every third for resnet18, for time) along its gradient, and for mlp and
// the tiny net also coordinate by coordinate.
//
// Tolerances: the loss is the mean cross-entropy (about 2.3) in float64 from
// float32 logits, with rounding noise near 1e-7. Along the gradient a step
// of 1e-3 changes it by 2e-3*|g| (|g| is 1e-3 to 1 here), and the kinks the
// step crosses add a second-order error; 3% covers both with a margin
// (measured: at most 1.1%). Coordinate probes use modelTol.
func TestModelGradients(t *testing.T) {
	cases := []struct {
		model  string
		batch  int
		stride int // check every stride-th parameter tensor
		coords bool
	}{
		{"mlp", 3, 1, true},
		{"tiny", 4, 1, true},
		{"small_cnn", 2, 1, false},
		{"resnet18", 2, 3, false},
	}
	for _, tc := range cases {
		t.Run(tc.model, func(t *testing.T) {
			n := newTestNet(t, tc.model, tc.batch, 1)
			x, y := testBatch(n, tc.batch, 1)
			n.BeginEpoch(1)
			n.TrainStep(x, y)
			loss := func() float64 {
				n.BeginEpoch(1)
				l, _ := n.loss.forward(forwardAll(n.layers, n.input(x, y), true), y, false)
				return l
			}
			var params []*param.Param
			for i, p := range n.Params() {
				if i%tc.stride == 0 || i == len(n.Params())-1 {
					params = append(params, p)
				}
			}
			checkDirections(t, params, loss, 1e-3, 3e-2)
			if !tc.coords {
				return
			}
			rng := rng.Stream(4, "test", 0)
			var ps []probe
			for _, p := range params {
				ps = append(ps, probes(p.Name, p.Data, p.Grad, 12, rng)...)
			}
			checkProbes(t, ps, loss, func() uint64 { return kinks(n.layers) }, 1e-3, modelTol)
		})
	}
}

// Coordinate tolerance of the model checks: a step of 1e-3 turns the loss's
// rounding noise of ~1e-7 into ~1e-4 in a difference quotient; gradients of
// single coordinates are 1e-3 to 1e-1 (measured error: at most 4e-5).
var modelTol = tolerance{abs: 1e-4, rel: 5e-3}
