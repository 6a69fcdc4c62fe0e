package models

import (
	"fmt"

	"github.com/neuroplastic/neuroplastic/models/kernel"
)

// resnet18 builds the CIFAR variant of ResNet-18 on 3x32x32 inputs: conv1
// (3x3, 64, stride 1, no bias), bn1, ReLU, no max-pool, four stages layer1
// to layer4 of two BasicBlocks at 64, 128, 256 and 512 channels (the first
// block of layers 2-4 has stride 2), global average pooling and linear
// 512->10 (11,173,962 parameters). Parameters, in order: conv1.weight,
// bn1.weight, bn1.bias, then for each block layerS.B (S = 1..4, B = 0, 1)
// conv1.weight, bn1.weight, bn1.bias, conv2.weight, bn2.weight, bn2.bias and,
// where the shape changes, shortcut.0.weight (1x1 conv) and
// shortcut.1.weight, shortcut.1.bias (BatchNorm); finally linear.weight and
// linear.bias. Every BatchNorm also saves running_mean and running_var.
func resnet18(b *builder, in shape) []layer {
	st := stack{b: b}
	s := st.add(b.conv("conv1", in, 64, 3, 1, 1, false))
	s = st.add(b.batchNormReLU("bn1", s))
	for stage, width := range []int{64, 128, 256, 512} {
		for blk := range 2 {
			stride := 1
			if stage > 0 && blk == 0 {
				stride = 2
			}
			s = st.add(b.basicBlock(fmt.Sprintf("layer%d.%d", stage+1, blk), s, width, stride))
		}
	}
	s = st.add(b.globalAvgPool("avgpool", s))
	st.add(b.linear("linear", s.size(), 10))
	return st.layers
}

// basicBlock is ResNet's BasicBlock:
//
//	out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))
//
// where conv1 is 3x3 with the block's stride, conv2 is 3x3 with stride 1,
// and the shortcut is the identity, or a 1x1 convolution with the block's
// stride followed by BatchNorm when the shape changes. bn1 and the ReLU
// after it are one layer (see batchNormReLU), and so are bn2, the sum and
// the output ReLU: bn2 writes relu(bn2(...) + shortcut(x)) straight into
// the block's output, its own (the shortcut runs first). Backward, bn2
// and the shortcut's BatchNorm read the output gradient through that ReLU
// (the output is their mask), and the identity shortcut's copy of it is
// masked as it is added to the main path's input gradient, so no pass of
// the block's own computes the ReLU gradient.
type basicBlock struct {
	name     string
	in       shape
	maxBatch int
	main     []layer // conv1, bn1 (with ReLU), conv2, bn2
	bn2      *batchNorm2d
	shortcut []layer // empty for the identity
	dx       tensor
	eng      *kernel.Engine
	add      addition // the sum of the input gradients being computed
}

// basicBlock builds a BasicBlock named name (such as "layer2.0") from inputs
// of shape in to width channels.
func (b *builder) basicBlock(name string, in shape, width, stride int) *basicBlock {
	bb := &basicBlock{name: name, in: in, maxBatch: b.maxBatch, eng: b.eng}
	c1 := b.conv(name+".conv1", in, width, 3, stride, 1, false)
	s := c1.outShape()
	bn1 := b.batchNormReLU(name+".bn1", s)
	c2 := b.conv(name+".conv2", s, width, 3, 1, 1, false)
	bb.bn2 = b.batchNormReLU(name+".bn2", s)
	bb.main = []layer{c1, bn1, c2, bb.bn2}
	if stride != 1 || in.c != width {
		sc := b.conv(name+".shortcut.0", in, width, 1, stride, 0, false)
		sbn := b.batchNorm(name+".shortcut.1", sc.outShape())
		sbn.mask = &bb.bn2.y
		bb.shortcut = []layer{sc, sbn}
	}
	bb.dx = newTensor(b.maxBatch, in)
	return bb
}

func (bb *basicBlock) outShape() shape { return bb.bn2.in }

func (bb *basicBlock) forward(x *tensor, train bool) *tensor {
	checkInput(bb.name, x, bb.in, bb.maxBatch)
	bb.bn2.res = forwardAll(bb.shortcut, x, train)
	return forwardAll(bb.main, x, train)
}

func (bb *basicBlock) backward(dy *tensor, needDx bool) *tensor {
	dm := backwardAll(bb.main, dy, needDx)
	ds := backwardAll(bb.shortcut, dy, needDx)
	if !needDx {
		return nil
	}
	// The identity shortcut passes dy on as it came: its ReLU gradient is
	// taken as it is added.
	var mask []float32
	if len(bb.shortcut) == 0 {
		mask = bb.bn2.y.data
	}
	bb.dx.resize(dy.n)
	bb.add = addition{bb.dx.data, dm.data, ds.data, mask}
	bb.eng.Parallel(len(bb.dx.data), elementGrain, &bb.add)
	return &bb.dx
}
