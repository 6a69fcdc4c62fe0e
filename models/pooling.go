package models

import "github.com/neuroplastic/neuroplastic/models/kernel"

// maxPool2d is PyTorch's nn.MaxPool2d(k, stride) without padding. The first
// maximum of a window (in row-major order) receives the gradient. Large
// batches are split by planes (sample, channel) between the engine's
// goroutines. With relu set the layer is ReLU followed by MaxPool2d, in one
// pass over the values: a window's output is max(m, 0) for the first
// maximum m of its inputs, which receives the gradient when m > 0 (the
// first maximum of the rectified window, whose other inputs' gradients the
// ReLU would zero), and no input does otherwise.
type maxPool2d struct {
	name      string
	in, out   shape
	k, stride int
	relu      bool
	maxBatch  int
	eng       *kernel.Engine
	// argmax holds, per output value, the index of its maximum within the
	// input sample, or -1 when no input receives its gradient.
	argmax []int32
	x, dy  *tensor // arguments of the forward or backward call running
	y, dx  tensor
}

// maxPool builds a MaxPool2d layer named name on inputs of shape in.
func (b *builder) maxPool(name string, in shape, k, stride int) *maxPool2d {
	out := shape{in.c, (in.h-k)/stride + 1, (in.w-k)/stride + 1}
	return &maxPool2d{name: name, in: in, out: out, k: k, stride: stride, maxBatch: b.maxBatch, eng: b.eng,
		argmax: make([]int32, b.maxBatch*out.size()),
		y:      newTensor(b.maxBatch, out), dx: newTensor(b.maxBatch, in)}
}

// reluMaxPool builds a ReLU followed by a MaxPool2d layer, named name, on
// inputs of shape in.
func (b *builder) reluMaxPool(name string, in shape, k, stride int) *maxPool2d {
	p := b.maxPool(name, in, k, stride)
	p.relu = true
	return p
}

func (p *maxPool2d) outShape() shape { return p.out }

func (p *maxPool2d) forward(x *tensor, _ bool) *tensor {
	checkInput(p.name, x, p.in, p.maxBatch)
	p.x = x
	p.y.resize(x.n)
	p.eng.Parallel(x.n*p.in.c, grain(p.in.h*p.in.w), (*poolForward)(p))
	return &p.y
}

// poolForward is the kernel.Ranger of maxPool2d.forward over the planes
// i*C + c of the batch.
type poolForward maxPool2d

func (f *poolForward) Range(lo, hi int) {
	p := (*maxPool2d)(f)
	in, out := p.in, p.out
	ihw, ohw := in.h*in.w, out.h*out.w
	for pl := lo; pl < hi; pl++ {
		xs := p.x.data[pl*ihw : (pl+1)*ihw]
		ys := p.y.data[pl*ohw : (pl+1)*ohw]
		am := p.argmax[pl*ohw : (pl+1)*ohw]
		// Indices within the sample, as argmax holds them.
		base := pl % in.c * ihw
		if p.k == 2 && p.stride == 2 {
			pool2x2(xs, ys, am, in.w, out.h, out.w, base, p.relu)
			continue
		}
		for oy := range out.h {
			for ox := range out.w {
				best := oy*p.stride*in.w + ox*p.stride
				for ky := range p.k {
					j0 := (oy*p.stride+ky)*in.w + ox*p.stride
					for kx, v := range xs[j0 : j0+p.k] {
						if v > xs[best] {
							best = j0 + kx
						}
					}
				}
				o := oy*out.w + ox
				ys[o], am[o] = poolOut(xs[best], int32(base+best), p.relu)
			}
		}
	}
}

func (p *maxPool2d) backward(dy *tensor, needDx bool) *tensor {
	if !needDx {
		return nil
	}
	p.dy = dy
	p.dx.resize(dy.n)
	p.eng.Parallel(dy.n*p.in.c, grain(p.in.h*p.in.w), (*poolBackward)(p))
	return &p.dx
}

// poolOut returns the output and argmax entry of a window whose first
// maximum v is at index i, rectified with relu (see maxPool2d).
func poolOut(v float32, i int32, relu bool) (float32, int32) {
	if relu && !(v > 0) {
		return 0, -1
	}
	return v, i
}

// pool2x2 is the forward pass of one plane (w wide) for 2x2 windows with
// stride 2, the case of the models, with argmax offsets by base, rectified
// with relu (see maxPool2d): kernel.MaxPool2x2Row for each output row.
func pool2x2(xs, ys []float32, am []int32, w, oh, ow, base int, relu bool) {
	for oy := range oh {
		j := 2 * oy * w
		kernel.MaxPool2x2Row(ys[oy*ow:(oy+1)*ow], am[oy*ow:(oy+1)*ow], xs[j:], w, base+j, relu)
	}
}

// poolBackward is the kernel.Ranger of maxPool2d.backward over the planes
// i*C + c of the batch: the windows of a plane's outputs lie in the plane.
type poolBackward maxPool2d

func (f *poolBackward) Range(lo, hi int) {
	p := (*maxPool2d)(f)
	ihw, ohw := p.in.h*p.in.w, p.out.h*p.out.w
	clear(p.dx.data[lo*ihw : hi*ihw])
	for pl := lo; pl < hi; pl++ {
		dxs := p.dx.sample(pl / p.in.c)
		ds := p.dy.data[pl*ohw : (pl+1)*ohw]
		for o, j := range p.argmax[pl*ohw : (pl+1)*ohw] {
			if j >= 0 {
				dxs[j] += ds[o]
			}
		}
	}
}

// globalAvgPool averages each channel over its positions (PyTorch's
// AdaptiveAvgPool2d(1)), producing C features of size 1x1.
type globalAvgPool struct {
	name     string
	in       shape
	maxBatch int
	y, dx    tensor
}

// globalAvgPool builds a global average pooling layer named name on inputs
// of shape in.
func (b *builder) globalAvgPool(name string, in shape) *globalAvgPool {
	return &globalAvgPool{name: name, in: in, maxBatch: b.maxBatch,
		y: newTensor(b.maxBatch, shape{in.c, 1, 1}), dx: newTensor(b.maxBatch, in)}
}

func (p *globalAvgPool) outShape() shape { return p.y.shape }

func (p *globalAvgPool) forward(x *tensor, _ bool) *tensor {
	checkInput(p.name, x, p.in, p.maxBatch)
	p.y.resize(x.n)
	hw := p.in.h * p.in.w
	for o := range p.y.data {
		var s float32
		for _, v := range x.data[o*hw : (o+1)*hw] {
			s += v
		}
		p.y.data[o] = s / float32(hw)
	}
	return &p.y
}

func (p *globalAvgPool) backward(dy *tensor, needDx bool) *tensor {
	if !needDx {
		return nil
	}
	p.dx.resize(dy.n)
	hw := p.in.h * p.in.w
	for o, g := range dy.data {
		g /= float32(hw)
		plane := p.dx.data[o*hw : (o+1)*hw]
		for j := range plane {
			plane[j] = g
		}
	}
	return &p.dx
}
