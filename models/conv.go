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
type conv2d struct {
	name     string
	g        convGeom
	maxBatch int
	eng      *kernel.Engine
	weight   *param.Param // [Cout, Cin, k, k], a Cout x patch row-major matrix
	bias     *param.Param // [Cout], nil without bias
	x        *tensor      // input of the last forward call
	y, dx    tensor
}

// conv builds a Conv2d layer named name on inputs of shape in, registering
// name.weight and, with bias, name.bias.
func (b *builder) conv(eng *kernel.Engine, name string, in shape, outC, k, stride, pad int, bias bool) *conv2d {
	g := newConvGeom(in, outC, k, stride, pad)
	c := &conv2d{name: name, g: g, maxBatch: b.maxBatch, eng: eng}
	c.weight = b.uniformParam(name+".weight", g.patch, outC, in.c, k, k)
	if bias {
		c.bias = b.uniformParam(name+".bias", g.patch, outC)
	}
	c.y = newTensor(b.maxBatch, g.out)
	c.dx = newTensor(b.maxBatch, in)
	return c
}

func (c *conv2d) outShape() shape { return c.g.out }

func (c *conv2d) forward(x *tensor, _ bool) *tensor {
	checkInput(c.name, x, c.g.in, c.maxBatch)
	c.x = x
	c.y.resize(x.n)
	c.forwardData(x, &c.y)
	if c.bias != nil {
		for i := range x.n {
			ys := c.y.sample(i)
			for o, b := range c.bias.Data {
				plane := ys[o*c.g.positions : (o+1)*c.g.positions]
				for j := range plane {
					plane[j] += b
				}
			}
		}
	}
	return &c.y
}

func (c *conv2d) backward(dy *tensor, needDx bool) *tensor {
	if c.bias != nil {
		// db[o] += sum over samples (in order) of the sum of dy's plane o
		for i := range dy.n {
			ds := dy.sample(i)
			for o := range c.bias.Grad {
				var s float32
				for _, g := range ds[o*c.g.positions : (o+1)*c.g.positions] {
					s += g
				}
				c.bias.Grad[o] += s
			}
		}
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
