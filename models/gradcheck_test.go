package models

import (
	"cmp"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/neuroplastic/neuroplastic/models/kernel"
	"github.com/neuroplastic/neuroplastic/models/param"
	"github.com/neuroplastic/neuroplastic/rng"
)

// testEngine is the kernel engine of the tests: one thread.
func testEngine() *kernel.Engine { return kernel.New(1) }

// testBuilder returns a builder for layer tests with fixed seeds.
func testBuilder(maxBatch int) *builder {
	b := &builder{maxBatch: maxBatch, eng: testEngine(), rng: rng.Stream(1, "init", 0), drop: &dropoutSource{}}
	b.drop.reset(1, 0)
	return b
}

// randTensor returns n samples of shape s with values uniform in
// +-[lo, hi] (random sign), so that choosing lo > 0 keeps the values away
// from ReLU's kink at 0.
func randTensor(rng *rand.Rand, n int, s shape, lo, hi float64) *tensor {
	t := newTensor(n, s)
	for i := range t.data {
		v := lo + (hi-lo)*rng.Float64()
		if rng.IntN(2) == 0 {
			v = -v
		}
		t.data[i] = float32(v)
	}
	return &t
}

// spacedTensor returns n samples of shape s whose values are a random
// permutation of k*gap - offset, so any two values differ by at least gap:
// max-pooling windows have no ties and ReLU inputs stay gap/2 from 0.
func spacedTensor(rng *rand.Rand, n int, s shape, gap float64) *tensor {
	t := newTensor(n, s)
	for i, k := range rng.Perm(len(t.data)) {
		t.data[i] = float32((float64(k) - float64(len(t.data))/2 + 0.5) * gap)
	}
	return &t
}

// tolerance bounds |numeric - analytic| by abs + rel*max(|numeric|, |analytic|).
type tolerance struct{ abs, rel float64 }

func (tol tolerance) ok(num, ana float64) bool {
	return math.Abs(num-ana) <= tol.abs+tol.rel*math.Max(math.Abs(num), math.Abs(ana))
}

// probe is one coordinate to check: a value that the loss depends on and the
// analytic derivative of the loss with respect to it.
type probe struct {
	what string
	v    *float32
	grad float64
}

// probes returns probes for the values in data with analytic gradient grad:
// all of them when there are at most limit, otherwise the limit/2 largest
// |grad| (where a wrong formula shows most) and limit/2 others at random.
func probes(what string, data []float32, grad []float32, limit int, rng *rand.Rand) []probe {
	idx := make([]int, len(data))
	for i := range idx {
		idx[i] = i
	}
	if len(idx) > limit {
		slices.SortStableFunc(idx, func(a, b int) int {
			return cmp.Compare(math.Abs(float64(grad[b])), math.Abs(float64(grad[a])))
		})
		rest := idx[limit/2:]
		rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
		idx = idx[:limit]
	}
	ps := make([]probe, len(idx))
	for i, j := range idx {
		ps[i] = probe{what: what, v: &data[j], grad: float64(grad[j])}
	}
	return ps
}

// kinks returns a hash of the branch every ReLU and max-pooling window
// among layers (and inside their residual blocks) took in the last forward
// pass. Within one branch pattern the loss is smooth.
func kinks(layers []layer) uint64 {
	h := fnv.New64a()
	// relus hashes which outputs of a ReLU are on.
	relus := func(y []float32) {
		for _, v := range y {
			on := byte(0)
			if v > 0 {
				on = 1
			}
			h.Write([]byte{on})
		}
	}
	var walk func(ls []layer)
	walk = func(ls []layer) {
		for _, l := range ls {
			switch l := l.(type) {
			case *relu:
				relus(l.y.data)
			case *batchNorm2d:
				if l.relu {
					relus(l.y.data)
				}
			case *conv2d:
				if l.relu {
					relus(l.y.data)
				}
			case *maxPool2d:
				for _, j := range l.argmax[:l.y.n*l.out.size()] {
					h.Write([]byte{byte(j), byte(j >> 8), byte(j >> 16)})
				}
			case *basicBlock:
				walk(l.main) // bn2's output is the block's
				walk(l.shortcut)
			}
		}
	}
	walk(layers)
	return h.Sum64()
}

// checkProbes compares each probe's analytic derivative with the central
// difference (loss(v+h) - loss(v-h)) / (v+h - (v-h)), taking the float32
// values actually stored as the step. A probe whose step changes the branch
// pattern of the ReLUs or max-pooling windows (kinks after the matching loss
// call) is skipped, since the difference then straddles a kink; at most a
// quarter of the probes may be skipped.
func checkProbes(t *testing.T, ps []probe, loss func() float64, kinks func() uint64, h float64, tol tolerance) {
	t.Helper()
	loss()
	base := kinks()
	failures, skipped := 0, 0
	for _, p := range ps {
		orig := *p.v
		hi, lo := float32(float64(orig)+h), float32(float64(orig)-h)
		*p.v = hi
		lp := loss()
		kp := kinks()
		*p.v = lo
		lm := loss()
		km := kinks()
		*p.v = orig
		if kp != base || km != base {
			skipped++
			continue
		}
		num := (lp - lm) / (float64(hi) - float64(lo))
		if !tol.ok(num, p.grad) {
			if failures++; failures <= 10 {
				t.Errorf("%s at %v: numeric %.6g, analytic %.6g", p.what, orig, num, p.grad)
			}
		}
	}
	if failures > 10 {
		t.Errorf("... %d failures in all of %d probes", failures, len(ps))
	}
	if skipped > len(ps)/4 {
		t.Errorf("%d of %d probes straddle a kink; choose inputs further from kinks", skipped, len(ps))
	}
}

// checkLayer checks the backward pass of l on input x against central
// differences of L = sum_i r_i*y_i, with r a fixed random tensor and the sum
// accumulated in float64; dL/dy = r is what backward receives. reset, if not
// nil, runs before every forward (to fix dropout masks). Up to limit
// coordinates of x and of each parameter are checked.
func checkLayer(t *testing.T, l layer, params []*param.Param, x *tensor, reset func(), h float64, tol tolerance, limit int) {
	t.Helper()
	rng := rng.Stream(2, "test", 0)
	forward := func() *tensor {
		if reset != nil {
			reset()
		}
		return l.forward(x, true)
	}
	y := forward()
	r := randTensor(rng, y.n, y.shape, 0, 1)
	loss := func() float64 {
		var s float64
		for i, v := range forward().data {
			s += float64(v) * float64(r.data[i])
		}
		return s
	}
	for _, p := range params {
		clear(p.Grad)
	}
	dx := l.backward(r, true)
	if dx.n != x.n || dx.shape != x.shape {
		t.Fatalf("dx is %d x %v, want %d x %v", dx.n, dx.shape, x.n, x.shape)
	}
	ps := probes("x", x.data, slices.Clone(dx.data), limit, rng)
	for _, p := range params {
		ps = append(ps, probes(p.Name, p.Data, slices.Clone(p.Grad), limit, rng)...)
	}
	checkProbes(t, ps, loss, func() uint64 { return kinks([]layer{l}) }, h, tol)
}

// Tolerances of the layer checks. L is a float64 sum of float32 outputs of
// size O(1) with O(1) weights r, so its rounding error is about 1e-7 per
// output that a perturbation changes, i.e. below 1e-5 in a difference over a
// step of 2e-2 even for BatchNorm (where every output changes); the layers
// that are linear in the perturbed value have no truncation error, and
// BatchNorm's O(h^2) truncation is below 1e-3 relative. A real error (a
// missing term, a wrong index, a wrong scale) is O(0.1) to O(1) here.
const layerStep = 1e-2

var layerTol = tolerance{abs: 2e-4, rel: 2e-3}

// A residual block has ReLUs after BatchNorms, whose outputs are dense around
// 0: a step of 1e-2 moves so many of them across the kink that most probes
// are skipped, so the block checks use a step of 1e-3. Every output of a
// block changes with every probe (through the batch statistics), so the
// float32 rounding of its ~150 outputs (about 1e-6 in L) divided by the
// 2e-3 step gives an absolute error up to ~1e-3 (measured: at most 9e-4,
// against gradients up to 10).
const blockStep = 1e-3

var blockTol = tolerance{abs: 2e-3, rel: 2e-3}

func TestLayerGradients(t *testing.T) {
	cases := []struct {
		name  string
		build func(b *builder) (layer, *tensor)
		reset func(b *builder) func()
		block bool // use blockStep and blockTol
	}{
		{"linear", func(b *builder) (layer, *tensor) {
			return b.linear("fc", 12, 5), randTensor(b.rng, 3, shape{12, 1, 1}, 0, 1)
		}, nil, false},
		{"linear_from_image", func(b *builder) (layer, *tensor) {
			return b.linear("fc", 2*3*3, 4), randTensor(b.rng, 2, shape{2, 3, 3}, 0, 1)
		}, nil, false},
		{"conv3x3_pad1_bias", func(b *builder) (layer, *tensor) {
			return b.conv("conv", shape{2, 5, 5}, 3, 3, 1, 1, true), randTensor(b.rng, 2, shape{2, 5, 5}, 0, 1)
		}, nil, false},
		// 16 channels in and out: Winograd's F(2x2, 3x3), with tiles cut
		// by the odd height.
		{"conv3x3_pad1_winograd", func(b *builder) (layer, *tensor) {
			return b.conv("conv", shape{16, 5, 6}, 16, 3, 1, 1, true), randTensor(b.rng, 2, shape{16, 5, 6}, 0, 1)
		}, nil, false},
		{"conv3x3_stride2_pad1_nobias", func(b *builder) (layer, *tensor) {
			return b.conv("conv", shape{3, 6, 6}, 4, 3, 2, 1, false), randTensor(b.rng, 2, shape{3, 6, 6}, 0, 1)
		}, nil, false},
		{"conv3x3_pad1_bias_relu", func(b *builder) (layer, *tensor) {
			return b.convReLU("conv", shape{2, 5, 5}, 3, 3, 1, 1, true), randTensor(b.rng, 2, shape{2, 5, 5}, 0, 1)
		}, nil, false},
		{"conv3x3_stride2_pad1_nobias_relu", func(b *builder) (layer, *tensor) {
			return b.convReLU("conv", shape{3, 6, 6}, 4, 3, 2, 1, false), randTensor(b.rng, 2, shape{3, 6, 6}, 0, 1)
		}, nil, false},
		{"conv2x2_stride2_pad0_odd_input", func(b *builder) (layer, *tensor) {
			return b.conv("conv", shape{2, 5, 5}, 3, 2, 2, 0, true), randTensor(b.rng, 2, shape{2, 5, 5}, 0, 1)
		}, nil, false},
		{"conv1x1", func(b *builder) (layer, *tensor) {
			return b.conv("conv", shape{3, 4, 4}, 5, 1, 1, 0, false), randTensor(b.rng, 2, shape{3, 4, 4}, 0, 1)
		}, nil, false},
		{"conv1x1_stride2", func(b *builder) (layer, *tensor) {
			return b.conv("conv", shape{3, 5, 5}, 2, 1, 2, 0, true), randTensor(b.rng, 2, shape{3, 5, 5}, 0, 1)
		}, nil, false},
		{"batchnorm_train", func(b *builder) (layer, *tensor) {
			bn := b.batchNorm("bn", shape{3, 3, 3})
			// Non-trivial gamma and beta so their role in dx is tested.
			for c := range 3 {
				bn.weight.Data[c], bn.bias.Data[c] = 0.5+float32(c), float32(c)-1
			}
			x := randTensor(b.rng, 2, shape{3, 3, 3}, 0, 2)
			x.data[0] += 3 // a non-zero channel mean
			return bn, x
		}, nil, false},
		{"batchnorm_relu_train", func(b *builder) (layer, *tensor) {
			bn := b.batchNormReLU("bn", shape{3, 3, 3})
			for c := range 3 {
				bn.weight.Data[c], bn.bias.Data[c] = 0.5+float32(c), 0.5-float32(c)
			}
			return bn, randTensor(b.rng, 2, shape{3, 3, 3}, 0, 2)
		}, nil, false},
		{"relu", func(b *builder) (layer, *tensor) {
			return b.relu("relu", shape{2, 3, 3}), randTensor(b.rng, 2, shape{2, 3, 3}, 0.1, 1)
		}, nil, false},
		{"maxpool2", func(b *builder) (layer, *tensor) {
			return b.maxPool("pool", shape{2, 4, 4}, 2, 2), spacedTensor(b.rng, 2, shape{2, 4, 4}, 0.05)
		}, nil, false},
		{"relu_maxpool2", func(b *builder) (layer, *tensor) {
			return b.reluMaxPool("pool", shape{2, 4, 4}, 2, 2), spacedTensor(b.rng, 2, shape{2, 4, 4}, 0.05)
		}, nil, false},
		{"relu_maxpool3_stride2_overlapping", func(b *builder) (layer, *tensor) {
			return b.reluMaxPool("pool", shape{2, 5, 5}, 3, 2), spacedTensor(b.rng, 2, shape{2, 5, 5}, 0.05)
		}, nil, false},
		{"maxpool3_stride2_overlapping", func(b *builder) (layer, *tensor) {
			return b.maxPool("pool", shape{2, 5, 5}, 3, 2), spacedTensor(b.rng, 2, shape{2, 5, 5}, 0.05)
		}, nil, false},
		{"global_avg_pool", func(b *builder) (layer, *tensor) {
			return b.globalAvgPool("gap", shape{3, 3, 2}), randTensor(b.rng, 2, shape{3, 3, 2}, 0, 1)
		}, nil, false},
		{"dropout_fixed_mask", func(b *builder) (layer, *tensor) {
			return b.dropout("drop", shape{4, 3, 3}, 0.3), randTensor(b.rng, 3, shape{4, 3, 3}, 0, 1)
		}, func(b *builder) func() {
			return func() { b.drop.reset(5, 1) }
		}, false},
		{"flatten", func(b *builder) (layer, *tensor) {
			return b.flatten("flatten", shape{2, 2, 3}), randTensor(b.rng, 2, shape{2, 2, 3}, 0, 1)
		}, nil, false},
		{"basic_block_identity", func(b *builder) (layer, *tensor) {
			return b.basicBlock("block", shape{3, 4, 4}, 3, 1), randTensor(b.rng, 2, shape{3, 4, 4}, 0, 1)
		}, nil, true},
		{"basic_block_shortcut", func(b *builder) (layer, *tensor) {
			return b.basicBlock("block", shape{2, 6, 6}, 4, 2), randTensor(b.rng, 2, shape{2, 6, 6}, 0, 1)
		}, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := testBuilder(4)
			l, x := tc.build(b)
			var reset func()
			if tc.reset != nil {
				reset = tc.reset(b)
			}
			h, tol := layerStep, layerTol
			if tc.block {
				h, tol = blockStep, blockTol
			}
			checkLayer(t, l, b.params, x, reset, h, tol, 40)
		})
	}
}

// TestCrossEntropyGradient checks the loss's gradient with respect to the
// logits by central differences of the float64 loss.
func TestCrossEntropyGradient(t *testing.T) {
	rng := rng.Stream(3, "test", 0)
	ce := newCrossEntropy(5, 4)
	z := randTensor(rng, 4, shape{5, 1, 1}, 0, 3)
	z.data[0] = 80 // a large logit: the log-sum-exp must not overflow
	y := []uint8{0, 4, 2, 2}
	loss, _ := ce.forward(z, y, true)
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		t.Fatalf("loss %v", loss)
	}
	ps := probes("logit", z.data, slices.Clone(ce.dz.data), 100, rng)
	checkProbes(t, ps, func() float64 {
		l, _ := ce.forward(z, y, false)
		return l
	}, func() uint64 { return 0 }, 1e-2, layerTol)
}
