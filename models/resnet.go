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
	var st stack
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
// after it are one layer (see batchNormReLU), and the output ReLU is
// applied as the sum is formed.
type basicBlock struct {
	name     string
	in       shape
	maxBatch int
	main     []layer
	shortcut []layer // empty for the identity
	out      *relu
	dx       tensor
	eng      *kernel.Engine
	add      addition // the sum being computed, forward (with the ReLU) or backward
}

// basicBlock builds a BasicBlock named name (such as "layer2.0") from inputs
// of shape in to width channels.
func (b *builder) basicBlock(name string, in shape, width, stride int) *basicBlock {
	bb := &basicBlock{name: name, in: in, maxBatch: b.maxBatch, eng: b.eng}
	c1 := b.conv(name+".conv1", in, width, 3, stride, 1, false)
	s := c1.outShape()
	bb.main = []layer{c1, b.batchNormReLU(name+".bn1", s),
		b.conv(name+".conv2", s, width, 3, 1, 1, false), b.batchNorm(name+".bn2", s)}
	if stride != 1 || in.c != width {
		sc := b.conv(name+".shortcut.0", in, width, 1, stride, 0, false)
		bb.shortcut = []layer{sc, b.batchNorm(name+".shortcut.1", sc.outShape())}
	}
	bb.out = b.relu(name+".relu", s)
	bb.dx = newTensor(b.maxBatch, in)
	return bb
}

func (bb *basicBlock) outShape() shape { return bb.out.in }

func (bb *basicBlock) forward(x *tensor, train bool) *tensor {
	checkInput(bb.name, x, bb.in, bb.maxBatch)
	h := forwardAll(bb.main, x, train)
	s := forwardAll(bb.shortcut, x, train)
	// The output ReLU is applied with the sum, straight into its output;
	// its backward pass only needs that output.
	y := &bb.out.y
	y.resize(x.n)
	bb.add = addition{y.data, h.data, s.data, true}
	bb.eng.Parallel(len(y.data), elementGrain, &bb.add)
	return y
}

func (bb *basicBlock) backward(dy *tensor, needDx bool) *tensor {
	d := bb.out.backward(dy, true)
	dm := backwardAll(bb.main, d, needDx)
	ds := backwardAll(bb.shortcut, d, needDx)
	if !needDx {
		return nil
	}
	bb.dx.resize(dy.n)
	bb.add = addition{bb.dx.data, dm.data, ds.data, false}
	bb.eng.Parallel(len(bb.dx.data), elementGrain, &bb.add)
	return &bb.dx
}
