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
	patch, positions int // rows (Cin*k*k) and columns (Hout*Wout) of one sample's im2col matrix
}

func newConvGeom(in shape, outC, k, stride, pad int) convGeom {
	ho := (in.h+2*pad-k)/stride + 1
	wo := (in.w+2*pad-k)/stride + 1
	return convGeom{in: in, out: shape{outC, ho, wo}, k: k, stride: stride, pad: pad,
		patch: in.c * k * k, positions: ho * wo}
}

// direct reports whether the im2col matrix of a sample is the sample itself
// (a 1x1 convolution with stride 1 and no padding).
func (g *convGeom) direct() bool { return g.k == 1 && g.stride == 1 && g.pad == 0 }

// conv2d is PyTorch's nn.Conv2d (NCHW, weight [Cout, Cin, k, k]).
//
// The layer itself only checks shapes and handles the bias; the three
// convolution passes forwardData, backwardData and backwardFilter are the
// only code that knows how a convolution is computed. Today each lowers one
// sample at a time to a GEMM over an im2col matrix in the per-layer workspace
// col; a fused implicit-GEMM kernel replaces exactly these three methods (and
// col), leaving the layer, the models and the tests unchanged.
type conv2d struct {
	name     string
	g        convGeom
	maxBatch int
	eng      *kernel.Engine
	weight   *param.Param // [Cout, Cin, k, k], a Cout x patch row-major matrix
	bias     *param.Param // [Cout], nil without bias
	x        *tensor      // input of the last forward call
	y, dx    tensor
	col      []float32 // im2col workspace of one sample: patch x positions
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
	if !g.direct() {
		c.col = make([]float32, g.patch*g.positions)
	}
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

// forwardData sets y to the convolution of x with the weights (no bias).
func (c *conv2d) forwardData(x, y *tensor) {
	g := &c.g
	for i := range x.n {
		col := c.im2col(x.sample(i))
		// y_i (Cout x positions) = W (Cout x patch) * col (patch x positions)
		c.eng.Sgemm(false, false, g.out.c, g.positions, g.patch, 1, c.weight.Data, g.patch, col, g.positions, 0, y.sample(i), g.positions)
	}
}

// backwardFilter adds the gradient of the weights to weight.Grad, summing
// over the samples in order.
func (c *conv2d) backwardFilter(x, dy *tensor) {
	g := &c.g
	for i := range x.n {
		col := c.im2col(x.sample(i))
		// dW (Cout x patch) += dy_i (Cout x positions) * col^T (positions x patch)
		c.eng.Sgemm(false, true, g.out.c, g.patch, g.positions, 1, dy.sample(i), g.positions, col, g.positions, 1, c.weight.Grad, g.patch)
	}
}

// backwardData sets dx to the gradient with respect to the input.
func (c *conv2d) backwardData(dy, dx *tensor) {
	g := &c.g
	for i := range dy.n {
		if g.direct() {
			// dx_i (Cin x positions) = W^T (Cin x Cout) * dy_i (Cout x positions)
			c.eng.Sgemm(true, false, g.patch, g.positions, g.out.c, 1, c.weight.Data, g.patch, dy.sample(i), g.positions, 0, dx.sample(i), g.positions)
			continue
		}
		// dcol (patch x positions) = W^T (patch x Cout) * dy_i (Cout x positions)
		c.eng.Sgemm(true, false, g.patch, g.positions, g.out.c, 1, c.weight.Data, g.patch, dy.sample(i), g.positions, 0, c.col, g.positions)
		c.col2im(dx.sample(i))
	}
}

// im2col returns the patch x positions matrix of sample xs: row
// (ci*k+ky)*k+kx, column oy*Wout+ox holds xs[ci, oy*stride-pad+ky,
// ox*stride-pad+kx], or 0 in the padding. For a direct convolution that is xs
// itself; otherwise it is written to the workspace col.
func (c *conv2d) im2col(xs []float32) []float32 {
	g := &c.g
	if g.direct() {
		return xs
	}
	in, out := g.in, g.out
	for ci := range in.c {
		plane := xs[ci*in.h*in.w : (ci+1)*in.h*in.w]
		for ky := range g.k {
			for kx := range g.k {
				row := c.col[((ci*g.k+ky)*g.k+kx)*g.positions:][:g.positions]
				for oy := range out.h {
					dst := row[oy*out.w : (oy+1)*out.w]
					iy := oy*g.stride - g.pad + ky
					if iy < 0 || iy >= in.h {
						clear(dst)
						continue
					}
					src := plane[iy*in.w : (iy+1)*in.w]
					for ox := range dst {
						if ix := ox*g.stride - g.pad + kx; ix >= 0 && ix < in.w {
							dst[ox] = src[ix]
						} else {
							dst[ox] = 0
						}
					}
				}
			}
		}
	}
	return c.col
}

// col2im sets dxs to the sum, over the entries of the workspace col, of each
// entry at the input position im2col took it from (the adjoint of im2col).
func (c *conv2d) col2im(dxs []float32) {
	g := &c.g
	in, out := g.in, g.out
	clear(dxs)
	for ci := range in.c {
		plane := dxs[ci*in.h*in.w : (ci+1)*in.h*in.w]
		for ky := range g.k {
			for kx := range g.k {
				row := c.col[((ci*g.k+ky)*g.k+kx)*g.positions:][:g.positions]
				for oy := range out.h {
					iy := oy*g.stride - g.pad + ky
					if iy < 0 || iy >= in.h {
						continue
					}
					src := row[oy*out.w : (oy+1)*out.w]
					dst := plane[iy*in.w : (iy+1)*in.w]
					for ox, v := range src {
						if ix := ox*g.stride - g.pad + kx; ix >= 0 && ix < in.w {
							dst[ix] += v
						}
					}
				}
			}
		}
	}
}
