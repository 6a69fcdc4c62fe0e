package models

import (
	"github.com/neuroplastic/neuroplastic/models/kernel"
	"github.com/neuroplastic/neuroplastic/models/param"
)

// convGeom is the geometry of a 2-D convolution: square kernel k, equal
// stride and zero padding on both axes, as every convolution of the models.
type convGeom struct {
	in, out          shape
	k, stride, pad   int
	patch, positions int // Cin*k*k weights per output channel, Hout*Wout output positions
}

func newConvGeom(in shape, outC, k, stride, pad int) convGeom {
	ho := (in.h+2*pad-k)/stride + 1
	wo := (in.w+2*pad-k)/stride + 1
	return convGeom{in: in, out: shape{outC, ho, wo}, k: k, stride: stride, pad: pad,
		patch: in.c * k * k, positions: ho * wo}
}

// conv2d is PyTorch's nn.Conv2d (NCHW, weight [Cout, Cin, k, k]).
//
// The layer itself only checks shapes and handles the bias; the three
// convolution passes forwardData, backwardData and backwardFilter hand the
// whole batch to the engine's implicit-GEMM convolutions (no im2col buffer).
// With relu set the layer is Conv2d followed by ReLU, rectified in the pass
// that adds the bias, and the gradient at the rectifier's input (dz) is
// computed in the pass that sums the bias gradient.
type conv2d struct {
	name     string
	g        convGeom
	maxBatch int
	eng      *kernel.Engine
	weight   *param.Param // [Cout, Cin, k, k], a Cout x patch row-major matrix
	bias     *param.Param // [Cout], nil without bias
	relu     bool
	x        *tensor // input of the last forward call
	dy       *tensor // output gradient of the backward call running
	y, dx    tensor
	dz       tensor // with relu, the gradient at the ReLU's input
}

// conv builds a Conv2d layer named name on inputs of shape in, registering
// name.weight and, with bias, name.bias.
func (b *builder) conv(name string, in shape, outC, k, stride, pad int, bias bool) *conv2d {
	g := newConvGeom(in, outC, k, stride, pad)
	c := &conv2d{name: name, g: g, maxBatch: b.maxBatch, eng: b.eng}
	c.weight = b.uniformParam(name+".weight", g.patch, outC, in.c, k, k)
	if bias {
		c.bias = b.uniformParam(name+".bias", g.patch, outC)
	}
	c.y = newTensor(b.maxBatch, g.out)
	c.dx = newTensor(b.maxBatch, in)
	b.macs += int64(g.out.size()) * int64(g.patch)
	return c
}

// convReLU builds a Conv2d layer followed by a ReLU, named name, with the
// parameters of conv.
func (b *builder) convReLU(name string, in shape, outC, k, stride, pad int, bias bool) *conv2d {
	c := b.conv(name, in, outC, k, stride, pad, bias)
	c.relu = true
	c.dz = newTensor(b.maxBatch, c.g.out)
	return c
}

func (c *conv2d) outShape() shape { return c.g.out }

func (c *conv2d) forward(x *tensor, _ bool) *tensor {
	checkInput(c.name, x, c.g.in, c.maxBatch)
	c.x = x
	c.y.resize(x.n)
	c.forwardData(x, &c.y)
	if c.bias != nil || c.relu {
		c.eng.Parallel(x.n*c.g.out.c, grain(c.g.positions), (*convBias)(c))
	}
	return &c.y
}

// convBias is the kernel.Ranger that adds the bias (if any) to the planes
// i*Cout + o of the output and, with relu, rectifies them.
type convBias conv2d

func (c *convBias) Range(lo, hi int) {
	ps := c.g.positions
	for pl := lo; pl < hi; pl++ {
		var b float32
		if c.bias != nil {
			b = c.bias.Data[pl%c.g.out.c]
		}
		// (v-0)*1 + b is v + b exactly (v-0 is v, -0 included), so the
		// normalisation kernel with mean 0 and scale 1 adds the bias and,
		// with relu, rectifies: max(v+b, 0).
		plane := c.y.data[pl*ps : (pl+1)*ps]
		kernel.Normalize(plane, plane, 0, 1, b, c.relu)
	}
}

// convBiasGrad is the kernel.Ranger, over output channels, that with relu
// sets dz's planes to the rectified gradient and adds the sums of the
// planes of dz (with relu) or dy (without) to the bias gradient, if any.
type convBiasGrad conv2d

func (c *convBiasGrad) Range(lo, hi int) {
	ps, dy := c.g.positions, c.dy
	for o := lo; o < hi; o++ {
		// db[o] += sum over samples (in order) of the sum of plane o
		for i := range dy.n {
			g := dy.sample(i)[o*ps : (o+1)*ps]
			if c.relu {
				z := c.dz.sample(i)[o*ps : (o+1)*ps]
				kernel.ReLUGrad(z, g, c.y.sample(i)[o*ps:(o+1)*ps])
				g = z
			}
			if c.bias != nil {
				c.bias.Grad[o] += kernel.Sum32(g)
			}
		}
	}
}

func (c *conv2d) backward(dy *tensor, needDx bool) *tensor {
	clear(c.weight.Grad)
	if c.bias != nil {
		clear(c.bias.Grad)
	}
	if c.bias != nil || c.relu {
		c.dy = dy
		c.eng.Parallel(c.g.out.c, grain(dy.n*c.g.positions), (*convBiasGrad)(c))
	}
	if c.relu {
		c.dz.resize(dy.n)
		dy = &c.dz
	}
	c.backwardFilter(c.x, dy)
	if !needDx {
		return nil
	}
	c.dx.resize(dy.n)
	c.backwardData(dy, &c.dx)
	return &c.dx
}

// shape returns the kernel's description of the convolution of a batch of
// n samples.
func (c *conv2d) shape(n int) kernel.ConvShape {
	g := &c.g
	return kernel.ConvShape{N: n, C: g.in.c, H: g.in.h, W: g.in.w, K: g.out.c, R: g.k, S: g.k, Stride: g.stride, Pad: g.pad}
}

// forwardData sets y to the convolution of x with the weights (no bias).
func (c *conv2d) forwardData(x, y *tensor) {
	c.eng.Conv2DForward(c.shape(x.n), x.data, c.weight.Data, 0, y.data)
}

// backwardFilter adds the gradient of the weights, summed over the batch,
// to weight.Grad.
func (c *conv2d) backwardFilter(x, dy *tensor) {
	c.eng.Conv2DBackwardFilter(c.shape(x.n), x.data, dy.data, 1, c.weight.Grad)
}

// backwardData sets dx to the gradient with respect to the input.
func (c *conv2d) backwardData(dy, dx *tensor) {
	c.eng.Conv2DBackwardData(c.shape(dy.n), dy.data, c.weight.Data, 0, dx.data)
}
