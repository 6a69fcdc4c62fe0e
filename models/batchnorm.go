package models

import (
	"fmt"
	"math"

	"github.com/neuroplastic/neuroplastic/models/kernel"
	"github.com/neuroplastic/neuroplastic/models/param"
)

// BatchNorm2d constants, PyTorch's defaults.
const (
	bnEps      = 1e-5
	bnMomentum = 0.1
)

// batchNorm2d is PyTorch's nn.BatchNorm2d with affine parameters and running
// statistics. In training mode each channel is normalised with the biased
// mean and variance of the batch (over samples and positions) and the running
// statistics move towards the batch mean and the unbiased batch variance:
//
//	running = (1-momentum)*running + momentum*batch
//
// In evaluation mode the running statistics normalise. Large batches are
// split by channels between the engine's goroutines. With relu set the
// layer is BatchNorm2d followed by ReLU, in one pass over the values, and
// with res set too a residual is added before the ReLU (a BasicBlock's
// bn2, its sum and its output ReLU).
type batchNorm2d struct {
	name       string
	in         shape
	maxBatch   int
	weight     *param.Param // gamma [C]
	bias       *param.Param // beta [C]
	runMean    []float32
	runVar     []float32
	mean, istd []float64 // batch mean and 1/sqrt(var+eps) of the last training forward
	eng        *kernel.Engine
	relu       bool
	// res, with relu, is the residual added to the normalised values
	// before the ReLU (its owner sets it before each forward call), or
	// nil. mask is the ReLU output through which the output gradient
	// passes back (y with relu, the BasicBlock's output for the
	// shortcut's BatchNorm), or nil: backward masks dy as it reads it.
	res, mask *tensor
	x         *tensor
	// train, dy and needDx are the arguments of the forward or backward
	// call running.
	train  bool
	dy     *tensor
	needDx bool
	y, dx  tensor
}

// batchNorm builds a BatchNorm2d layer named name, registering name.weight
// (ones) and name.bias (zeros) and the running statistics
// name.running_mean (zeros) and name.running_var (ones).
func (b *builder) batchNorm(name string, in shape) *batchNorm2d {
	bn := &batchNorm2d{name: name, in: in, maxBatch: b.maxBatch,
		runMean: make([]float32, in.c), runVar: make([]float32, in.c),
		mean: make([]float64, in.c), istd: make([]float64, in.c), eng: b.eng}
	bn.weight = b.newParam(name+".weight", in.c)
	bn.bias = b.newParam(name+".bias", in.c)
	for c := range bn.weight.Data { // empty when the builder only counts
		bn.weight.Data[c] = 1
	}
	for c := range bn.runVar {
		bn.runVar[c] = 1
	}
	b.stats = append(b.stats, stat{name + ".running_mean", bn.runMean}, stat{name + ".running_var", bn.runVar})
	bn.y = newTensor(b.maxBatch, in)
	bn.dx = newTensor(b.maxBatch, in)
	return bn
}

// batchNormReLU builds a BatchNorm2d layer named name followed by a ReLU,
// with the parameters and statistics of batchNorm.
func (b *builder) batchNormReLU(name string, in shape) *batchNorm2d {
	bn := b.batchNorm(name, in)
	bn.relu, bn.mask = true, &bn.y
	return bn
}

func (bn *batchNorm2d) outShape() shape { return bn.in }

// plane returns the values of channel c of sample i of t.
func (bn *batchNorm2d) plane(t *tensor, i, c int) []float32 {
	hw := bn.in.h * bn.in.w
	return t.data[(i*bn.in.c+c)*hw : (i*bn.in.c+c+1)*hw]
}

func (bn *batchNorm2d) forward(x *tensor, train bool) *tensor {
	checkInput(bn.name, x, bn.in, bn.maxBatch)
	bn.x = x
	bn.y.resize(x.n)
	count := float64(x.n * bn.in.h * bn.in.w)
	if train && count < 2 {
		panic(fmt.Sprintf("models: %s: training needs more than 1 value per channel, got input %d x %v", bn.name, x.n, bn.in))
	}
	bn.train = train
	bn.eng.Parallel(bn.in.c, grain(x.n*bn.in.h*bn.in.w), (*bnForward)(bn))
	return &bn.y
}

// bnForward is the kernel.Ranger of batchNorm2d.forward over channels.
type bnForward batchNorm2d

func (f *bnForward) Range(lo, hi int) {
	bn, x := (*batchNorm2d)(f), f.x
	count := float64(x.n * bn.in.h * bn.in.w)
	for c := lo; c < hi; c++ {
		var mean, istd float64
		if bn.train {
			// Two passes in float64 and sample order: mean, then the biased variance.
			var s float64
			for i := range x.n {
				s += kernel.Sum64(bn.plane(x, i, c))
			}
			mean = s / count
			var ss float64
			for i := range x.n {
				ss += kernel.SumSquares64(bn.plane(x, i, c), mean)
			}
			variance := ss / count
			istd = 1 / math.Sqrt(variance+bnEps)
			bn.mean[c], bn.istd[c] = mean, istd
			bn.runMean[c] = float32(float64((1-bnMomentum)*float64(bn.runMean[c])) + float64(bnMomentum*mean))
			bn.runVar[c] = float32(float64((1-bnMomentum)*float64(bn.runVar[c])) + bnMomentum*variance*count/(count-1))
		} else {
			mean = float64(bn.runMean[c])
			istd = 1 / math.Sqrt(float64(bn.runVar[c])+bnEps)
		}
		// y = gamma*(x-mean)*istd + beta
		mean32, scale, beta := float32(mean), float32(float64(bn.weight.Data[c])*istd), bn.bias.Data[c]
		for i := range x.n {
			if bn.res != nil {
				kernel.NormalizeAddReLU(bn.plane(&bn.y, i, c), bn.plane(x, i, c), bn.plane(bn.res, i, c), mean32, scale, beta)
			} else {
				kernel.Normalize(bn.plane(&bn.y, i, c), bn.plane(x, i, c), mean32, scale, beta, bn.relu)
			}
		}
	}
}

// backward follows a training-mode forward. With xhat = (x-mean)*istd and m
// values per channel:
//
//	dbeta  = sum(dy)
//	dgamma = sum(dy*xhat)
//	dx     = gamma*istd/m * (m*dy - dbeta - xhat*dgamma)
func (bn *batchNorm2d) backward(dy *tensor, needDx bool) *tensor {
	x := bn.x
	if needDx {
		bn.dx.resize(x.n)
	}
	bn.dy, bn.needDx = dy, needDx
	clear(bn.weight.Grad)
	clear(bn.bias.Grad)
	bn.eng.Parallel(bn.in.c, grain(x.n*bn.in.h*bn.in.w), (*bnBackward)(bn))
	if !needDx {
		return nil
	}
	return &bn.dx
}

// bnBackward is the kernel.Ranger of batchNorm2d.backward over channels.
type bnBackward batchNorm2d

func (f *bnBackward) Range(lo, hi int) {
	bn, x := (*batchNorm2d)(f), f.x
	count := float64(x.n * bn.in.h * bn.in.w)
	for c := lo; c < hi; c++ {
		mean, istd := bn.mean[c], bn.istd[c]
		var sdy, sdyx float64
		for i := range x.n {
			a, b := kernel.SumProducts64(bn.plane(bn.dy, i, c), bn.reluOut(i, c), bn.plane(x, i, c), mean)
			sdy += a
			sdyx += b
		}
		sdyx *= istd
		bn.bias.Grad[c] += float32(sdy)
		bn.weight.Grad[c] += float32(sdyx)
		if !bn.needDx {
			continue
		}
		// dx = k*dy + a*(x-mean) + b with k = gamma*istd,
		// a = -k*istd*dgamma/m and b = -k*dbeta/m: the formula above with
		// xhat expanded.
		k := float64(bn.weight.Data[c]) * istd
		k32, a32, b32 := float32(k), float32(-k*istd*sdyx/count), float32(-k*sdy/count)
		mean32 := float32(mean)
		for i := range x.n {
			kernel.NormalizeGrad(bn.plane(&bn.dx, i, c), bn.plane(bn.dy, i, c), bn.reluOut(i, c), bn.plane(x, i, c), k32, a32, b32, mean32)
		}
	}
}

// reluOut returns the values of channel c of sample i of mask, the ReLU
// output through which the gradient dy passes back (the kernels mask dy as
// they read it); nil without a mask.
func (bn *batchNorm2d) reluOut(i, c int) []float32 {
	if bn.mask == nil {
		return nil
	}
	return bn.plane(bn.mask, i, c)
}
