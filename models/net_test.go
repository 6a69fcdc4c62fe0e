package models

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/neuroplastic/neuroplastic/models/kernel"
	"github.com/neuroplastic/neuroplastic/rng"
)

// tinyNet is a small network with every layer type, for tests that need
// BatchNorm statistics or dropout without the cost of resnet18.
func tinyNet(b *builder, in shape) []layer {
	st := stack{b: b}
	s := st.add(b.conv("conv1", in, 4, 3, 1, 1, false))
	s = st.add(b.batchNorm("bn1", s))
	s = st.add(b.relu("relu1", s))
	s = st.add(b.maxPool("pool", s, 2, 2))
	s = st.add(b.basicBlock("layer1.0", s, 16, 2))
	s = st.add(b.basicBlock("layer1.1", s, 16, 1))
	s = st.add(b.globalAvgPool("avgpool", s))
	s = st.add(b.dropout("drop", s, 0.5))
	st.add(b.linear("fc", s.size(), 10))
	return st.layers
}

var tinyArch = architecture{"tiny", shape{2, 8, 8}, tinyNet, 0}

// newTestNet returns the model name (or "tiny") with the test engine.
func newTestNet(t testing.TB, name string, maxBatch int, seed uint64) *Net {
	t.Helper()
	if name == "tiny" {
		return newNet(tinyArch, maxBatch, seed, testEngine())
	}
	if name == "resnet18" && testing.Short() {
		t.Skip("resnet18 is slow; skipped with -short")
	}
	n, err := New(name, maxBatch, seed, testEngine())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// testBatch returns n inputs of standard-normal values and labels for net,
// drawn from rng.Stream(seed, "batch", 0).
func testBatch(net *Net, n int, seed uint64) ([]float32, []uint8) {
	rng := rng.Stream(seed, "batch", 0)
	x := make([]float32, n*net.in.size())
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	y := make([]uint8, n)
	for i := range y {
		y[i] = uint8(rng.IntN(10))
	}
	return x, y
}

func TestNames(t *testing.T) {
	if got, want := Names(), []string{"mlp", "small_cnn", "resnet18"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
}

func TestNewErrors(t *testing.T) {
	cases := []struct {
		name     string
		model    string
		maxBatch int
		eng      *kernel.Engine
		want     string
	}{
		{"unknown", "vgg", 8, testEngine(), `models: unknown model "vgg" (valid: mlp, small_cnn, resnet18)`},
		{"zero_batch", "mlp", 0, testEngine(), "models: mlp: maxBatch 0, want at least 1"},
		{"nil_engine", "mlp", 8, nil, "models: mlp: nil kernel engine"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := New(tc.model, tc.maxBatch, 1, tc.eng)
			if err == nil || err.Error() != tc.want || n != nil {
				t.Errorf("New(%q) = %v, %v; want error %q", tc.model, n, err, tc.want)
			}
		})
	}
}

func TestArchitecture(t *testing.T) {
	cases := []struct {
		model  string
		params int
		in     [3]int
		names  []string // the first, some middle and the last parameter names
		stats  int      // BatchNorm running statistics tensors
	}{
		{"mlp", 269322, [3]int{1, 28, 28}, []string{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"}, 0},
		{"small_cnn", 2193226, [3]int{3, 32, 32}, []string{"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "conv3.weight",
			"conv3.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}, 0},
		{"resnet18", 11173962, [3]int{3, 32, 32}, []string{"conv1.weight", "bn1.weight", "bn1.bias",
			"layer1.0.conv1.weight", "layer1.0.bn1.weight", "layer1.0.bn1.bias", "layer1.0.conv2.weight", "layer1.0.bn2.weight", "layer1.0.bn2.bias",
			"layer1.1.conv1.weight", "layer1.1.bn1.weight", "layer1.1.bn1.bias", "layer1.1.conv2.weight", "layer1.1.bn2.weight", "layer1.1.bn2.bias",
			"layer2.0.conv1.weight", "layer2.0.bn1.weight", "layer2.0.bn1.bias", "layer2.0.conv2.weight", "layer2.0.bn2.weight", "layer2.0.bn2.bias",
			"layer2.0.shortcut.0.weight", "layer2.0.shortcut.1.weight", "layer2.0.shortcut.1.bias"}, 2 * 20},
	}
	for _, tc := range cases {
		t.Run(tc.model, func(t *testing.T) {
			n := newTestNet(t, tc.model, 2, 1)
			total := 0
			var names []string
			for _, p := range n.Params() {
				total += p.Numel()
				names = append(names, p.Name)
				size := 1
				for _, d := range p.Shape {
					size *= d
				}
				if size != len(p.Data) || len(p.Grad) != len(p.Data) {
					t.Errorf("%s: shape %v, %d values, %d gradients", p.Name, p.Shape, len(p.Data), len(p.Grad))
				}
			}
			if total != tc.params {
				t.Errorf("%d parameters, want %d", total, tc.params)
			}
			if !slices.Equal(names[:len(tc.names)], tc.names) {
				t.Errorf("parameter names start %v, want %v", names[:len(tc.names)], tc.names)
			}
			if got := len(n.stats); got != tc.stats {
				t.Errorf("%d running statistics, want %d", got, tc.stats)
			}
			if got := n.InputShape(); got != tc.in {
				t.Errorf("InputShape() = %v, want %v", got, tc.in)
			}
			if n.Name() != tc.model {
				t.Errorf("Name() = %q", n.Name())
			}
			x, y := testBatch(n, 2, 1)
			z := forwardAll(n.layers, n.input(x, y), false)
			if z.n != 2 || z.shape != (shape{10, 1, 1}) || len(z.data) != 20 {
				t.Errorf("logits are %d x %v with %d values, want 2 x 10x1x1", z.n, z.shape, len(z.data))
			}
		})
	}
}

func TestResNetLastParams(t *testing.T) {
	n := newTestNet(t, "resnet18", 1, 1)
	var names []string
	for _, p := range n.Params() {
		names = append(names, p.Name)
	}
	want := []string{"layer4.1.conv2.weight", "layer4.1.bn2.weight", "layer4.1.bn2.bias", "linear.weight", "linear.bias"}
	if got := names[len(names)-len(want):]; !slices.Equal(got, want) {
		t.Errorf("last parameters %v, want %v", got, want)
	}
	for _, s := range []string{"layer1.0.shortcut.0.weight", "layer1.1.shortcut.0.weight", "layer2.1.shortcut.0.weight"} {
		if slices.Contains(names, s) {
			t.Errorf("unexpected parameter %s (identity shortcut)", s)
		}
	}
	for _, s := range []string{"layer3.0.shortcut.0.weight", "layer4.0.shortcut.1.bias"} {
		if !slices.Contains(names, s) {
			t.Errorf("missing parameter %s", s)
		}
	}
}

// TestInit checks PyTorch's default initialisation: the weights and biases
// of Linear and Conv2d uniform in +-1/sqrt(fan_in) (fan_in = the product of
// the weight's dimensions but the first; a bias shares its weight's), and
// BatchNorm weight 1, bias 0. The extreme values must also come close to the
// bound, so a too narrow initialisation fails too.
func TestInit(t *testing.T) {
	for _, model := range Names() {
		t.Run(model, func(t *testing.T) {
			n := newTestNet(t, model, 1, 7)
			fanIn := 0
			for _, p := range n.Params() {
				isBN := strings.Contains(p.Name, "bn") || strings.Contains(p.Name, "shortcut.1")
				switch {
				case isBN && strings.HasSuffix(p.Name, ".weight"), isBN && strings.HasSuffix(p.Name, ".bias"):
					want := float32(0)
					if strings.HasSuffix(p.Name, ".weight") {
						want = 1
					}
					for _, v := range p.Data {
						if v != want {
							t.Fatalf("%s: value %v, want %v", p.Name, v, want)
						}
					}
					continue
				case strings.HasSuffix(p.Name, ".weight"):
					fanIn = p.Numel() / p.Shape[0]
				}
				bound := 1 / math.Sqrt(float64(fanIn))
				var largest float64
				for _, v := range p.Data {
					largest = math.Max(largest, math.Abs(float64(v)))
				}
				// float32 rounding may reach the bound but not exceed it by more than an ulp.
				if largest > bound*(1+1e-7) || (p.Numel() >= 64 && largest < 0.9*bound) {
					t.Errorf("%s: largest |value| %g, bound %g", p.Name, largest, bound)
				}
			}
		})
	}
}

func TestSeeds(t *testing.T) {
	a, b, c := newTestNet(t, "small_cnn", 1, 3), newTestNet(t, "small_cnn", 1, 3), newTestNet(t, "small_cnn", 1, 4)
	for i, p := range a.Params() {
		if !slices.Equal(p.Data, b.Params()[i].Data) {
			t.Errorf("%s differs between two nets with seed 3", p.Name)
		}
		if slices.Equal(p.Data, c.Params()[i].Data) {
			t.Errorf("%s is the same with seeds 3 and 4", p.Name)
		}
	}
}

// grads returns copies of the gradients of n.
func grads(n *Net) [][]float32 {
	var g [][]float32
	for _, p := range n.Params() {
		g = append(g, slices.Clone(p.Grad))
	}
	return g
}

// TestTrainStepDeterministic trains two nets built alike on the same batches
// and requires bit-identical losses, gradients and parameters after plain
// SGD steps; a smaller last batch reuses the buffers' prefixes. b's
// gradients are poisoned with NaN before every step: each step must set
// them, not add to what they held.
func TestTrainStepDeterministic(t *testing.T) {
	for _, model := range []string{"mlp", "small_cnn", "tiny"} {
		t.Run(model, func(t *testing.T) {
			a, b := newTestNet(t, model, 4, 5), newTestNet(t, model, 4, 5)
			for _, n := range []*Net{a, b} {
				n.BeginEpoch(1)
			}
			for step, batch := range []int{4, 4, 3} {
				x, y := testBatch(a, batch, uint64(step))
				for _, p := range b.Params() {
					for j := range p.Grad {
						p.Grad[j] = float32(math.NaN())
					}
				}
				la, ca := a.TrainStep(x, y)
				lb, cb := b.TrainStep(x, y)
				if la != lb || ca != cb {
					t.Fatalf("step %d: (%v, %d) and (%v, %d)", step, la, ca, lb, cb)
				}
				ga, gb := grads(a), grads(b)
				for i, p := range a.Params() {
					if !slices.Equal(ga[i], gb[i]) {
						t.Fatalf("step %d: %s gradients differ", step, p.Name)
					}
					for j, g := range p.Grad {
						p.Data[j] -= 0.1 * g
						b.Params()[i].Data[j] -= 0.1 * g
					}
				}
			}
		})
	}
}

// TestNoInputGradient checks that a training step computes no gradient
// with respect to the input: the layers before the first that learns (the
// mlp's Flatten) are left out of the backward pass, and that first layer
// writes no input gradient.
func TestNoInputGradient(t *testing.T) {
	for _, c := range []struct {
		model string
		inert int
	}{{"mlp", 1}, {"small_cnn", 0}, {"tiny", 0}} {
		t.Run(c.model, func(t *testing.T) {
			n := newTestNet(t, c.model, 4, 5)
			if n.inert != c.inert {
				t.Fatalf("%d inert leading layers, want %d", n.inert, c.inert)
			}
			var dx *tensor
			switch l := n.layers[n.inert].(type) {
			case *linear:
				dx = &l.dx
			case *conv2d:
				dx = &l.dx
			default:
				t.Fatalf("first learning layer is a %T", l)
			}
			// A layer that computes its input gradient overwrites dx.
			poison := dx.data[:cap(dx.data)]
			for i := range poison {
				poison[i] = -1
			}
			x, y := testBatch(n, 4, 1)
			n.TrainStep(x, y)
			for i, v := range poison {
				if v != -1 {
					t.Fatalf("%T wrote %v at %d of its input gradient", n.layers[n.inert], v, i)
				}
			}
		})
	}
}

// TestTrainStepThreads checks that a one-thread and a two-thread engine
// give bit-identical losses, gradients and BatchNorm running statistics over
// two SGD steps. The batches are large enough that the convolutions, the
// matrix multiplies and the elementwise layers are split between the two
// goroutines.
func TestTrainStepThreads(t *testing.T) {
	for _, c := range []struct {
		model string
		batch int
	}{{"tiny", 128}, {"small_cnn", 8}, {"resnet18", 4}} {
		t.Run(c.model, func(t *testing.T) {
			if c.model == "resnet18" && testing.Short() {
				t.Skip("resnet18 is slow; skipped with -short")
			}
			arch := tinyArch
			for _, a := range architectures() {
				if a.name == c.model {
					arch = a
				}
			}
			nets := [2]*Net{newNet(arch, c.batch, 3, kernel.New(1)), newNet(arch, c.batch, 3, kernel.New(2))}
			for step := range 2 {
				x, y := testBatch(nets[0], c.batch, uint64(step))
				l1, c1 := nets[0].TrainStep(x, y)
				l2, c2 := nets[1].TrainStep(x, y)
				if l1 != l2 || c1 != c2 {
					t.Fatalf("step %d: (%v, %d) with 1 thread, (%v, %d) with 2", step, l1, c1, l2, c2)
				}
				p2 := nets[1].Params()
				for i, p := range nets[0].Params() {
					if !sameBits(p.Grad, p2[i].Grad) {
						t.Fatalf("step %d: %s gradients differ", step, p.Name)
					}
					for j, g := range p.Grad {
						p.Data[j] -= 0.1 * g
						p2[i].Data[j] -= 0.1 * g
					}
				}
				s2 := nets[1].stats
				for i, s := range nets[0].stats {
					if !sameBits(s.data, s2[i].data) {
						t.Fatalf("step %d: %s differs", step, s.name)
					}
				}
			}
		})
	}
}

// sameBits reports whether a and b hold the same float32 bit patterns.
func sameBits(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

// TestDropoutEpochs checks that training-mode losses depend on the dropout
// epoch (dropout is on), are reproduced by BeginEpoch with the same epoch,
// and that Evaluate ignores dropout: it returns the same loss whatever the
// epoch and equals the training forward pass with dropout switched off.
func TestDropoutEpochs(t *testing.T) {
	n := newTestNet(t, "mlp", 8, 1)
	x, y := testBatch(n, 8, 1)
	trainLoss := func(epoch int) float64 {
		n.BeginEpoch(epoch)
		l, _ := n.TrainStep(x, y)
		return l
	}
	l1, l2, l1again := trainLoss(1), trainLoss(2), trainLoss(1)
	if l1 == l2 || l1 != l1again {
		t.Errorf("training losses: epoch 1 %v, epoch 2 %v, epoch 1 again %v", l1, l2, l1again)
	}
	n.BeginEpoch(1)
	e1, c1 := n.Evaluate(x, y)
	n.BeginEpoch(2)
	e2, c2 := n.Evaluate(x, y)
	if e1 != e2 || c1 != c2 {
		t.Errorf("Evaluate depends on the dropout epoch: (%v, %d), (%v, %d)", e1, c1, e2, c2)
	}
	for _, l := range n.layers {
		if d, ok := l.(*reluDropout); ok {
			d.d.p = 0
		}
	}
	if l0 := trainLoss(3); l0 != e1 {
		t.Errorf("Evaluate loss %v, training loss without dropout %v", e1, l0)
	}
}

// TestBatchNormRunningStats checks the training forward pass and the
// running statistics on a known case: one channel holding 1, 2, 3, 4 (two
// samples of 1x2): mean 2.5, biased variance 1.25, unbiased variance 5/3.
func TestBatchNormRunningStats(t *testing.T) {
	b := testBuilder(2)
	bn := b.batchNorm("bn", shape{1, 1, 2})
	x := &tensor{n: 2, shape: shape{1, 1, 2}, data: []float32{1, 2, 3, 4}}
	y := bn.forward(x, true)
	for i, v := range x.data {
		want := (float64(v) - 2.5) / math.Sqrt(1.25+1e-5)
		if math.Abs(float64(y.data[i])-want) > 1e-6 {
			t.Errorf("y[%d] = %v, want %v", i, y.data[i], want)
		}
	}
	// running = 0.9*running + 0.1*batch, from mean 0 and variance 1.
	wantMean, wantVar := 0.1*2.5, 0.9+0.1*5.0/3
	if math.Abs(float64(bn.runMean[0])-wantMean) > 1e-7 || math.Abs(float64(bn.runVar[0])-wantVar) > 1e-7 {
		t.Errorf("running mean, var = %v, %v; want %v, %v", bn.runMean[0], bn.runVar[0], wantMean, wantVar)
	}
	bn.forward(x, true)
	wantMean, wantVar = 0.9*wantMean+0.1*2.5, 0.9*wantVar+0.1*5.0/3
	if math.Abs(float64(bn.runMean[0])-wantMean) > 1e-6 || math.Abs(float64(bn.runVar[0])-wantVar) > 1e-6 {
		t.Errorf("after two steps running mean, var = %v, %v; want %v, %v", bn.runMean[0], bn.runVar[0], wantMean, wantVar)
	}
	// Evaluation normalises with the running statistics.
	y = bn.forward(x, false)
	want := (1 - wantMean) / math.Sqrt(wantVar+1e-5)
	if math.Abs(float64(y.data[0])-want) > 1e-6 {
		t.Errorf("evaluation y[0] = %v, want %v", y.data[0], want)
	}
}

// TestEvaluateLeavesState checks that Evaluate changes neither gradients nor
// running statistics, and repeats exactly.
func TestEvaluateLeavesState(t *testing.T) {
	n := newTestNet(t, "tiny", 4, 1)
	x, y := testBatch(n, 4, 1)
	n.TrainStep(x, y)
	before, g := n.tensors(), grads(n)
	var saved [][]float32
	for _, s := range before {
		saved = append(saved, slices.Clone(s.data))
	}
	l1, c1 := n.Evaluate(x, y)
	l2, c2 := n.Evaluate(x, y)
	if l1 != l2 || c1 != c2 {
		t.Errorf("Evaluate twice: (%v, %d), (%v, %d)", l1, c1, l2, c2)
	}
	for i, s := range n.tensors() {
		if !slices.Equal(s.data, saved[i]) {
			t.Errorf("Evaluate changed %s", s.name)
		}
	}
	for i, p := range n.Params() {
		if !slices.Equal(p.Grad, g[i]) {
			t.Errorf("Evaluate changed %s's gradient", p.Name)
		}
	}
}

func TestMarshalBinary(t *testing.T) {
	a := newTestNet(t, "tiny", 4, 1)
	x, y := testBatch(a, 4, 1)
	a.TrainStep(x, y) // non-trivial running statistics
	data, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	b := newTestNet(t, "tiny", 2, 2)
	if err := b.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	again, _ := b.MarshalBinary()
	if !bytes.Equal(data, again) {
		t.Error("round trip changed the encoding")
	}
	// The format, value by value: magic, name, count, then each tensor's
	// name, size and little-endian float32 bits; sized exactly up front.
	str := func(w []byte, s string) []byte {
		return append(binary.LittleEndian.AppendUint32(w, uint32(len(s))), s...)
	}
	want := str([]byte(checkpointMagic), "tiny")
	want = binary.LittleEndian.AppendUint32(want, uint32(len(a.tensors())))
	for _, ts := range a.tensors() {
		want = binary.LittleEndian.AppendUint32(str(want, ts.name), uint32(len(ts.data)))
		for _, v := range ts.data {
			want = binary.LittleEndian.AppendUint32(want, math.Float32bits(v))
		}
	}
	if !bytes.Equal(data, want) {
		t.Error("encoding differs from the format")
	}
	// AppendBinary appends the same bytes after a prefix, and refills a
	// buffer passed back without growing it.
	prefixed, _ := a.AppendBinary([]byte("prefix"))
	if string(prefixed[:6]) != "prefix" || !bytes.Equal(prefixed[6:], data) {
		t.Error("AppendBinary after a prefix differs from MarshalBinary")
	}
	if reused, _ := a.AppendBinary(data[:0]); &reused[0] != &data[0] || !bytes.Equal(reused, want) {
		t.Error("AppendBinary into the last encoding's buffer moved it or changed its bytes")
	}
	la, ca := a.Evaluate(x[:2*a.in.size()], y[:2])
	lb, cb := b.Evaluate(x[:2*a.in.size()], y[:2])
	if la != lb || ca != cb {
		t.Errorf("Evaluate after round trip: (%v, %d), want (%v, %d)", lb, cb, la, ca)
	}

	mlpData, _ := newTestNet(t, "mlp", 1, 1).MarshalBinary()
	resized := slices.Clone(data)
	// The first tensor's size field follows the magic, the name and the count.
	off := len(checkpointMagic) + 4 + len("tiny") + 4 + 4 + len("conv1.weight")
	resized[off]++
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"other_model", mlpData, `models: checkpoint is for model "mlp", not "tiny"`},
		{"not_a_checkpoint", []byte("hello"), "models: tiny: not a model checkpoint"},
		{"truncated", data[:len(data)-1], "models: tiny: checkpoint: truncated or malformed data"},
		{"trailing", append(slices.Clone(data), 0), "models: tiny: checkpoint: 1 trailing bytes"},
		{"resized", resized, "models: tiny: checkpoint tensor 0 is conv1.weight with 73 values, want conv1.weight with 72"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestNet(t, "tiny", 1, 3)
			before, _ := c.MarshalBinary()
			if err := c.UnmarshalBinary(tc.data); err == nil || err.Error() != tc.want {
				t.Errorf("error %v, want %q", err, tc.want)
			}
			if after, _ := c.MarshalBinary(); !bytes.Equal(before, after) {
				t.Error("failed UnmarshalBinary changed the net")
			}
		})
	}
}

// panicMessage returns the message f panics with, or "" if it does not.
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

func TestPanics(t *testing.T) {
	n := newTestNet(t, "mlp", 4, 1)
	x, y := testBatch(n, 4, 1)
	b := testBuilder(4)
	fc2 := b.linear("fc2", 256, 10)
	conv := b.conv("layer1.0.conv1", shape{64, 8, 8}, 64, 3, 1, 1, false)
	cases := []struct {
		name string
		f    func()
		want string
	}{
		{"linear_features", func() { fc2.forward(&tensor{n: 2, shape: shape{300, 1, 1}, data: make([]float32, 600)}, true) },
			"models: fc2: input has 300 features, want 256"},
		{"conv_shape", func() { conv.forward(&tensor{n: 1, shape: shape{32, 8, 8}, data: make([]float32, 32*64)}, true) },
			"models: layer1.0.conv1: input has shape 32x8x8, want 64x8x8"},
		{"layer_batch", func() { fc2.forward(&tensor{n: 5, shape: shape{256, 1, 1}, data: make([]float32, 5*256)}, true) },
			"models: fc2: batch of 5 samples, want 1 to 4"},
		{"net_batch", func() { n.TrainStep(append(x, x[:784]...), append(y, 0)) },
			"models: mlp: batch of 5 samples, want 1 to 4"},
		{"net_empty", func() { n.Evaluate(nil, nil) },
			"models: mlp: batch of 0 samples, want 1 to 4"},
		{"net_x_length", func() { n.TrainStep(x[:100], y) },
			"models: mlp: x has 100 values, want 3136 (4 samples of 1x28x28)"},
		{"label", func() { n.Evaluate(x, []uint8{1, 2, 10, 3}) },
			"models: loss: label 10 of sample 2 out of range [0, 10)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := panicMessage(tc.f); got != tc.want {
				t.Errorf("panic %q, want %q", got, tc.want)
			}
		})
	}
}

// TestZeroAllocs checks that a steady-state TrainStep and Evaluate allocate
// nothing, on a one-thread engine and on a two-thread one. The tiny net has
// every layer type; at batch 128 its larger matrix multiplies and
// elementwise passes are split between the two goroutines.
func TestZeroAllocs(t *testing.T) {
	for _, threads := range []int{1, 2} {
		n := newNet(tinyArch, 128, 1, kernel.New(threads))
		x, y := testBatch(n, 128, 1)
		n.TrainStep(x, y)
		if a := testing.AllocsPerRun(10, func() { n.TrainStep(x, y) }); a != 0 {
			t.Errorf("threads=%d: TrainStep: %v allocations", threads, a)
		}
		if a := testing.AllocsPerRun(10, func() { n.TrainStep(x[:3*n.in.size()], y[:3]) }); a != 0 {
			t.Errorf("threads=%d: TrainStep on a smaller batch: %v allocations", threads, a)
		}
		if a := testing.AllocsPerRun(10, func() { n.Evaluate(x, y) }); a != 0 {
			t.Errorf("threads=%d: Evaluate: %v allocations", threads, a)
		}
	}
}

// TestDropoutMask checks the drop rate and the inverted scaling: of 10,000
// values about p = 0.3 are zeroed (3 standard deviations of the binomial
// fraction are 0.014) and the others are multiplied by 1/(1-p).
func TestDropoutMask(t *testing.T) {
	b := testBuilder(1)
	d := b.dropout("drop", shape{10000, 1, 1}, 0.3)
	x := &tensor{n: 1, shape: shape{10000, 1, 1}, data: make([]float32, 10000)}
	for i := range x.data {
		x.data[i] = 2
	}
	zeros := 0
	for _, v := range d.forward(x, true).data {
		switch v {
		case 0:
			zeros++
		case 2 / float32(0.7):
		default:
			t.Fatalf("output %v, want 0 or %v", v, 2/float32(0.7))
		}
	}
	if frac := float64(zeros) / 10000; math.Abs(frac-0.3) > 0.014 {
		t.Errorf("%.4f of the values dropped, want 0.3", frac)
	}
	if y := d.forward(x, false); y != x {
		t.Error("evaluation mode does not pass the input through")
	}
}
