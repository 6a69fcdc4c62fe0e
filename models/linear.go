package models

import (
	"fmt"

	"github.com/neuroplastic/neuroplastic/models/kernel"
	"github.com/neuroplastic/neuroplastic/models/param"
)

// linear is a fully connected layer y = x W^T + b, PyTorch's nn.Linear. It
// takes any per-sample shape with in values and produces out features.
type linear struct {
	name     string
	in, out  int
	maxBatch int
	eng      *kernel.Engine
	weight   *param.Param // [out, in]
	bias     *param.Param // [out]
	x        *tensor      // input of the last forward call
	y, dx    tensor
}

// linear builds a Linear layer named name, registering name.weight and
// name.bias.
func (b *builder) linear(name string, in, out int) *linear {
	l := &linear{name: name, in: in, out: out, maxBatch: b.maxBatch, eng: b.eng}
	l.weight = b.uniformParam(name+".weight", in, out, in)
	l.bias = b.uniformParam(name+".bias", in, out)
	l.y = newTensor(b.maxBatch, shape{out, 1, 1})
	l.dx = newTensor(b.maxBatch, shape{in, 1, 1})
	b.macs += int64(in) * int64(out)
	return l
}

func (l *linear) outShape() shape { return l.y.shape }

func (l *linear) forward(x *tensor, _ bool) *tensor {
	if got := x.shape.size(); got != l.in {
		panic(fmt.Sprintf("models: %s: input has %d features, want %d", l.name, got, l.in))
	}
	checkBatch(l.name, x.n, l.maxBatch)
	l.x = x
	n := x.n
	l.y.resize(n)
	for i := range n {
		copy(l.y.data[i*l.out:(i+1)*l.out], l.bias.Data)
	}
	// y (n x out) += x (n x in) * W^T (in x out)
	l.eng.Sgemm(false, true, n, l.out, l.in, 1, x.data, l.in, l.weight.Data, l.in, 1, l.y.data, l.out)
	return &l.y
}

func (l *linear) backward(dy *tensor, needDx bool) *tensor {
	n := dy.n
	// dW (out x in) = dy^T (out x n) * x (n x in). With beta = 0 the GEMM
	// writes dW without reading it, and gives the bits of adding into
	// zeros: its sums start from +0, so none is -0.
	l.eng.Sgemm(true, false, l.out, l.in, n, 1, dy.data, l.out, l.x.data, l.in, 0, l.weight.Grad, l.in)
	// db = sum over the batch of dy, in sample order, from +0
	db := l.bias.Grad[:l.out]
	clear(db)
	for i := range n {
		kernel.Add(db, db, dy.data[i*l.out:(i+1)*l.out], nil)
	}
	if !needDx {
		return nil
	}
	// dx (n x in) = dy (n x out) * W (out x in), reshaped to the input's shape
	l.dx.shape = l.x.shape
	l.dx.resize(n)
	l.eng.Sgemm(false, false, n, l.in, l.out, 1, dy.data, l.out, l.weight.Data, l.in, 0, l.dx.data, l.in)
	return &l.dx
}
