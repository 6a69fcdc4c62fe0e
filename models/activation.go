package models

// relu is the rectifier y = max(x, 0). Its gradient at 0 is taken as 0, as
// in PyTorch.
type relu struct {
	name     string
	in       shape
	maxBatch int
	y, dx    tensor
}

// relu builds a ReLU layer named name on inputs of shape in.
func (b *builder) relu(name string, in shape) *relu {
	return &relu{name: name, in: in, maxBatch: b.maxBatch, y: newTensor(b.maxBatch, in), dx: newTensor(b.maxBatch, in)}
}

func (r *relu) outShape() shape { return r.in }

func (r *relu) forward(x *tensor, _ bool) *tensor {
	checkInput(r.name, x, r.in, r.maxBatch)
	r.y.resize(x.n)
	for i, v := range x.data {
		r.y.data[i] = max(v, 0)
	}
	return &r.y
}

func (r *relu) backward(dy *tensor, needDx bool) *tensor {
	if !needDx {
		return nil
	}
	r.dx.resize(dy.n)
	for i, g := range dy.data {
		if r.y.data[i] > 0 {
			r.dx.data[i] = g
		} else {
			r.dx.data[i] = 0
		}
	}
	return &r.dx
}
