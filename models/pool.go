package models

// maxPool2d is PyTorch's nn.MaxPool2d(k, stride) without padding. The first
// maximum of a window (in row-major order) receives the gradient.
type maxPool2d struct {
	name      string
	in, out   shape
	k, stride int
	maxBatch  int
	argmax    []int32 // per output value, the index of its maximum within the input sample
	y, dx     tensor
}

// maxPool builds a MaxPool2d layer named name on inputs of shape in.
func (b *builder) maxPool(name string, in shape, k, stride int) *maxPool2d {
	out := shape{in.c, (in.h-k)/stride + 1, (in.w-k)/stride + 1}
	return &maxPool2d{name: name, in: in, out: out, k: k, stride: stride, maxBatch: b.maxBatch,
		argmax: make([]int32, b.maxBatch*out.size()),
		y:      newTensor(b.maxBatch, out), dx: newTensor(b.maxBatch, in)}
}

func (p *maxPool2d) outShape() shape { return p.out }

func (p *maxPool2d) forward(x *tensor, _ bool) *tensor {
	checkInput(p.name, x, p.in, p.maxBatch)
	p.y.resize(x.n)
	in, out := p.in, p.out
	for i := range x.n {
		xs, ys := x.sample(i), p.y.sample(i)
		am := p.argmax[i*out.size() : (i+1)*out.size()]
		for c := range in.c {
			for oy := range out.h {
				for ox := range out.w {
					best := (c*in.h+oy*p.stride)*in.w + ox*p.stride
					for ky := range p.k {
						for kx := range p.k {
							if j := (c*in.h+oy*p.stride+ky)*in.w + ox*p.stride + kx; xs[j] > xs[best] {
								best = j
							}
						}
					}
					o := (c*out.h+oy)*out.w + ox
					ys[o], am[o] = xs[best], int32(best)
				}
			}
		}
	}
	return &p.y
}

func (p *maxPool2d) backward(dy *tensor, needDx bool) *tensor {
	if !needDx {
		return nil
	}
	p.dx.resize(dy.n)
	clear(p.dx.data)
	size := p.out.size()
	for i := range dy.n {
		ds, dxs := dy.sample(i), p.dx.sample(i)
		for o, j := range p.argmax[i*size : (i+1)*size] {
			dxs[j] += ds[o]
		}
	}
	return &p.dx
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
