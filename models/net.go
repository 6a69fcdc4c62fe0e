package models

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/neuroplastic/neuroplastic/internal/floatbytes"
	"github.com/neuroplastic/neuroplastic/models/kernel"
	"github.com/neuroplastic/neuroplastic/models/param"
	"github.com/neuroplastic/neuroplastic/rng"
)

// architecture is one of the models New can build.
type architecture struct {
	name     string
	in       shape
	build    func(b *builder, in shape) []layer
	numerics int // see Numerics
}

// architectures lists the models in the order Names reports them.
func architectures() []architecture {
	return []architecture{
		{"mlp", shape{1, 28, 28}, mlp, 2},
		{"small_cnn", shape{3, 32, 32}, smallCNN, 4},
		{"resnet18", shape{3, 32, 32}, resnet18, 4},
	}
}

// Numerics returns the numerics version of the model name (0 for an unknown
// name): the harness records it in every run's configuration and hashes it
// into the run's ID. It is bumped, for the models whose numbers a change
// alters, whenever a kernel, a layer or the optimizer computes different
// bits, so runs of old code are never mistaken for current ones, and runs
// of the models a change leaves alone keep their IDs.
//
// History: 1, the first kernels (gonum's GEMM, per-sample im2col
// convolutions); 2, the packed AVX-512/AVX2/Go GEMM, whole-batch
// implicit-GEMM convolutions and the AVX-512 NeuroPlastic passes; 3
// (small_cnn and resnet18 only), 3x3 stride-1 convolutions of 16 or more
// channels by Winograd's F(2x2, 3x3) (forward pass and input gradient); 4
// (small_cnn and resnet18 only), their filter gradient by Winograd too.
func Numerics(name string) int {
	for _, a := range architectures() {
		if a.name == name {
			return a.numerics
		}
	}
	return 0
}

// Names returns the names of the models New accepts: "mlp", "small_cnn" and
// "resnet18".
func Names() []string {
	var names []string
	for _, a := range architectures() {
		names = append(names, a.name)
	}
	return names
}

// Net is one of the preprint's models with its parameters, its BatchNorm
// running statistics and buffers for batches of up to maxBatch samples.
// All activation, gradient and workspace buffers are allocated by New and
// reused by every step, so a training step allocates nothing itself. A Net
// is not safe for concurrent use.
type Net struct {
	name     string
	in       shape
	maxBatch int
	seed     uint64
	layers   []layer
	// inert counts the leading layers that hold no parameters (the mlp's
	// Flatten): nothing before them learns, so the backward pass stops
	// short of them and the first layer that learns computes no input
	// gradient.
	inert  int
	loss   *crossEntropy
	params []*param.Param
	stats  []stat
	drop   *dropoutSource
	x      tensor // view of the caller's batch
	macs   int64  // multiply-adds of one example's forward pass (see ForwardFLOPs)
}

// New builds the model name ("mlp", "small_cnn" or "resnet18") for batches
// of up to maxBatch samples, with all matrix multiplies running on eng. The
// parameters are initialised as PyTorch does by default, drawn from
// rng.Stream(seed, "init", 0) in parameter order. Dropout draws from
// rng.Stream(seed, "dropout", 0) until the first BeginEpoch. New fails for
// an unknown name, maxBatch < 1 or a nil eng.
func New(name string, maxBatch int, seed uint64, eng *kernel.Engine) (*Net, error) {
	if maxBatch < 1 {
		return nil, fmt.Errorf("models: %s: maxBatch %d, want at least 1", name, maxBatch)
	}
	if eng == nil {
		return nil, fmt.Errorf("models: %s: nil kernel engine", name)
	}
	a, err := lookup(name)
	if err != nil {
		return nil, err
	}
	return newNet(a, maxBatch, seed, eng), nil
}

// lookup returns the architecture named name.
func lookup(name string) (architecture, error) {
	for _, a := range architectures() {
		if a.name == name {
			return a, nil
		}
	}
	return architecture{}, fmt.Errorf("models: unknown model %q (valid: %s)", name, strings.Join(Names(), ", "))
}

// ForwardFLOPs returns the approximate cost of one example's forward pass
// through the model name: 2 floating-point operations per multiply-add of
// its convolutions and linear layers, as the layers count them when built
// (activations, pooling and normalisation are left out). It builds the
// layers without parameter values, so it is cheap.
func ForwardFLOPs(name string) (float64, error) {
	a, err := lookup(name)
	if err != nil {
		return 0, err
	}
	b := &builder{maxBatch: 1, shapesOnly: true, drop: &dropoutSource{}}
	a.build(b, a.in)
	return 2 * float64(b.macs), nil
}

// ForwardFLOPs returns the cost of one example's forward pass through n, as
// the package function ForwardFLOPs counts it.
func (n *Net) ForwardFLOPs() float64 { return 2 * float64(n.macs) }

// newNet builds the architecture a; its last layer's outputs are the logits.
func newNet(a architecture, maxBatch int, seed uint64, eng *kernel.Engine) *Net {
	b := &builder{maxBatch: maxBatch, eng: eng, rng: rng.Stream(seed, "init", 0), drop: &dropoutSource{}}
	b.drop.reset(seed, 0)
	layers := a.build(b, a.in)
	classes := layers[len(layers)-1].outShape().size()
	return &Net{name: a.name, in: a.in, maxBatch: maxBatch, seed: seed, layers: layers,
		loss: newCrossEntropy(classes, maxBatch), params: b.params, stats: b.stats,
		drop: b.drop, x: tensor{shape: a.in}, macs: b.macs, inert: b.inert}
}

// Name returns the model's name as given to New.
func (n *Net) Name() string { return n.name }

// Params returns the trainable parameters in the order documented for each
// model (PyTorch's registration order and names). The slice and the Params
// are the Net's own: callers may update Data in place (optimizers do) but
// must not change the slice or replace Data or Grad.
func (n *Net) Params() []*param.Param { return n.params }

// InputShape returns the per-sample input shape as channels, height, width:
// {1, 28, 28} for mlp and {3, 32, 32} for the CNNs.
func (n *Net) InputShape() [3]int { return [3]int{n.in.c, n.in.h, n.in.w} }

// BeginEpoch reseeds dropout from rng.Stream(seed, "dropout", epoch), so
// the masks of an epoch depend only on the seed, the epoch and the batches
// trained in it.
func (n *Net) BeginEpoch(epoch int) {
	n.drop.reset(n.seed, epoch)
}

// TrainStep trains on one batch of len(y) samples (1 to maxBatch), with x
// holding the batch in NCHW order (len(y)*C*H*W values, not modified). It
// runs the forward pass in training mode (dropout on, BatchNorm with batch
// statistics, running statistics updated) and backpropagates the mean
// softmax cross-entropy, setting every Param.Grad (whatever it held). It
// returns the mean loss and the number of samples whose largest logit is
// the label. A wrong batch size or x length, or a label >= 10, panics.
func (n *Net) TrainStep(x []float32, y []uint8) (loss float64, correct int) {
	z := forwardAll(n.layers, n.input(x, y), true)
	loss, correct = n.loss.forward(z, y, true)
	backwardAll(n.layers[n.inert:], &n.loss.dz, false)
	return loss, correct
}

// Evaluate returns the mean loss and the number of correct predictions on
// one batch, as TrainStep, in evaluation mode (no dropout, BatchNorm with
// running statistics) without touching gradients or running statistics.
func (n *Net) Evaluate(x []float32, y []uint8) (loss float64, correct int) {
	return n.loss.forward(forwardAll(n.layers, n.input(x, y), false), y, false)
}

// input wraps the caller's batch in the Net's input tensor after checking
// its size.
func (n *Net) input(x []float32, y []uint8) *tensor {
	checkBatch(n.name, len(y), n.maxBatch)
	if want := len(y) * n.in.size(); len(x) != want {
		panic(fmt.Sprintf("models: %s: x has %d values, want %d (%d samples of %v)", n.name, len(x), want, len(y), n.in))
	}
	n.x.n, n.x.data = len(y), x
	return &n.x
}

// forwardAll runs layers in order on x and returns the last output (x
// itself when there are no layers).
func forwardAll(layers []layer, x *tensor, train bool) *tensor {
	for _, l := range layers {
		x = l.forward(x, train)
	}
	return x
}

// backwardAll runs the backward passes of layers in reverse order from dy.
// The first layer computes its input gradient only if needDx; the result is
// dy itself when there are no layers.
func backwardAll(layers []layer, dy *tensor, needDx bool) *tensor {
	for i := len(layers) - 1; i >= 0; i-- {
		dy = layers[i].backward(dy, needDx || i > 0)
	}
	return dy
}

// stack collects the layers b builds, in order, tracking the shape of the
// last output.
type stack struct {
	b      *builder
	layers []layer
}

// add appends l and returns its output shape. While no layer has registered
// a parameter with b, it counts l in b.inert.
func (s *stack) add(l layer) shape {
	s.layers = append(s.layers, l)
	if len(s.b.params) == 0 {
		s.b.inert++
	}
	return l.outShape()
}

// checkpointMagic starts every encoding of a Net.
const checkpointMagic = "neuroplastic/models v1\n"

// tensors returns the named tensors a checkpoint holds: the parameters, then
// the BatchNorm running statistics, in model order.
func (n *Net) tensors() []stat {
	ts := make([]stat, 0, len(n.params)+len(n.stats))
	for _, p := range n.params {
		ts = append(ts, stat{p.Name, p.Data})
	}
	return append(ts, n.stats...)
}

// MarshalBinary encodes the model's name, its parameters and its BatchNorm
// running statistics (not gradients or buffers). The format is a magic line,
// then the name and each tensor as a little-endian uint32 length followed by
// the name's bytes or the tensor's float32 values, tensors prefixed by their
// names.
func (n *Net) MarshalBinary() ([]byte, error) { return n.AppendBinary(nil) }

// AppendBinary appends MarshalBinary's encoding to b, growing it at most
// once: a checkpoint is written every epoch, and a caller that passes the
// last epoch's buffer back (as b[:0]) reuses its pages instead of faulting
// in fresh ones.
func (n *Net) AppendBinary(b []byte) ([]byte, error) {
	ts := n.tensors()
	size := len(checkpointMagic) + 4 + len(n.name) + 4
	for _, t := range ts {
		size += 4 + len(t.name) + 4 + 4*len(t.data)
	}
	b = slices.Grow(b, size)
	b = append(b, checkpointMagic...)
	b = appendString(b, n.name)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(ts)))
	for _, t := range ts {
		b = appendString(b, t.name)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(t.data)))
		b = floatbytes.Append(b, t.data)
	}
	return b, nil
}

// appendString appends s to b as a little-endian uint32 length and its bytes.
func appendString(b []byte, s string) []byte {
	return append(binary.LittleEndian.AppendUint32(b, uint32(len(s))), s...)
}

// errCorrupt is wrapped by UnmarshalBinary for truncated or malformed data.
var errCorrupt = errors.New("truncated or malformed data")

// UnmarshalBinary restores parameters and running statistics written by
// MarshalBinary of the same model. It fails, leaving n unchanged, if data
// is malformed or was written by another model or a model with different
// tensor names or sizes.
func (n *Net) UnmarshalBinary(data []byte) error {
	r := reader{data: data}
	if string(r.next(len(checkpointMagic))) != checkpointMagic {
		return fmt.Errorf("models: %s: not a model checkpoint", n.name)
	}
	if name := r.string(); r.err == nil && name != n.name {
		return fmt.Errorf("models: checkpoint is for model %q, not %q", name, n.name)
	}
	ts := n.tensors()
	if count := r.uint32(); r.err == nil && int(count) != len(ts) {
		return fmt.Errorf("models: %s: checkpoint has %d tensors, want %d", n.name, count, len(ts))
	}
	values := make([][]byte, len(ts))
	for i, t := range ts {
		name := r.string()
		size := int(r.uint32())
		if r.err != nil {
			break
		}
		if name != t.name || size != len(t.data) {
			return fmt.Errorf("models: %s: checkpoint tensor %d is %s with %d values, want %s with %d", n.name, i, name, size, t.name, len(t.data))
		}
		values[i] = r.next(4 * size)
	}
	if r.err == nil && len(r.data) != 0 {
		r.err = fmt.Errorf("%d trailing bytes", len(r.data))
	}
	if r.err != nil {
		return fmt.Errorf("models: %s: checkpoint: %w", n.name, r.err)
	}
	for i, t := range ts {
		floatbytes.Decode(t.data, values[i])
	}
	return nil
}

// reader decodes a checkpoint, recording the first error.
type reader struct {
	data []byte
	err  error
}

// next consumes k bytes, or records errCorrupt and returns nil.
func (r *reader) next(k int) []byte {
	if r.err != nil || k > len(r.data) {
		r.err = errCorrupt
		return nil
	}
	b := r.data[:k]
	r.data = r.data[k:]
	return b
}

func (r *reader) uint32() uint32 {
	b := r.next(4)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

func (r *reader) string() string { return string(r.next(int(r.uint32()))) }
