package kernel

import "math"

// vec8 holds assembly versions of the elementwise loops below where the CPU
// runs them (elementwise_amd64.go), each for lengths that are multiples of
// 8 and slices of equal length; nil where it does not. They compute the same
// operation on each element as the Go loops, so the bits are the same.
var vec8 vectorLoops

// vectorLoops is the type of vec8.
type vectorLoops struct {
	relu     func(dst, src []float32)
	reluGrad func(dst, g, y []float32)
	mul      func(dst, a, b, y []float32)
	finite   func(x []float32) bool
	add      func(dst, a, b, y []float32)
}

// ReLU sets dst[i] = max(src[i], 0), Go's max: +0 for zeros and negative
// values, and a NaN with its sign bit cleared for a NaN. dst must be at
// least as long as src.
func ReLU(dst, src []float32) {
	dst = dst[:len(src)]
	i := 0
	if vec8.relu != nil {
		i = len(src) &^ 7
		vec8.relu(dst[:i], src[:i])
	}
	for j, v := range src[i:] {
		dst[i+j] = max(v, 0)
	}
}

// ReLUGrad sets dst[i] to the gradient g[i] of a ReLU output y[i] passed to
// its input: g[i] where y[i] > 0, else +0. dst and y must be at least as
// long as g.
func ReLUGrad(dst, g, y []float32) {
	dst, y = dst[:len(g)], y[:len(g)]
	i := 0
	if vec8.reluGrad != nil {
		i = len(g) &^ 7
		vec8.reluGrad(dst[:i], g[:i], y[:i])
	}
	for j := i; j < len(g); j++ {
		dst[j] = reluGrad(g[j], y[j])
	}
}

// reluGrad returns the gradient g of a ReLU output y passed to its input:
// g where y > 0, else +0.
func reluGrad(g, y float32) float32 {
	// y is +0, positive or NaN, so apart from positive NaNs (which pass g
	// on) y > 0 exactly when its bits are in [1, 2^31]. A mask keeps g
	// instead of a branch, which the signs of real activations would
	// mispredict half the time: int32(bits-1)>>31 is all ones for bits 0
	// and above 2^31, else 0.
	drop := uint32(int32(math.Float32bits(y)-1) >> 31)
	return math.Float32frombits(math.Float32bits(g) &^ drop)
}

// Mul sets dst[i] = a[i] * b[i], or with y not nil reluGrad(a[i] * b[i],
// y[i]): the product is the gradient of a ReLU output y passed to its
// input, Mul and ReLUGrad in turn in one pass. dst, b, and y if not nil,
// must be at least as long as a.
func Mul(dst, a, b, y []float32) {
	dst, b = dst[:len(a)], b[:len(a)]
	if y != nil {
		y = y[:len(a)]
	}
	i := 0
	if vec8.mul != nil {
		i = len(a) &^ 7
		vec8.mul(dst[:i], a[:i], b[:i], head(y, i))
	}
	mulGo(dst[i:], a[i:], b[i:], tail(y, i))
}

// mulGo is the portable Mul; dst, b, and y if not nil, are as long as a.
// It applies y's mask in a second loop: folded into the first, the
// compiler may order the product's operands otherwise, and of two NaNs
// return the other.
func mulGo(dst, a, b, y []float32) {
	dst, b = dst[:len(a)], b[:len(a)]
	for i, v := range a {
		dst[i] = v * b[i]
	}
	if y != nil {
		ReLUGrad(dst, dst, y)
	}
}

// Add sets dst[i] = a[i] + b[i], or with y not nil d + a[i] where
// d = reluGrad(b[i], y[i]) is the gradient b of a ReLU output y passed to
// its input: ReLUGrad and Add in turn in one pass. Where both terms are
// NaNs the sum is the first's. dst, b, and y if not nil, must be at least
// as long as a.
func Add(dst, a, b, y []float32) {
	dst, b = dst[:len(a)], b[:len(a)]
	if y != nil {
		y = y[:len(a)]
	}
	i := 0
	if vec8.add != nil {
		i = len(a) &^ 7
		vec8.add(dst[:i], a[:i], b[:i], head(y, i))
	}
	addGo(dst[i:], a[i:], b[i:], tail(y, i))
}

// addGo is the portable Add; dst, b, and y if not nil, are as long as a.
func addGo(dst, a, b, y []float32) {
	dst, b = dst[:len(a)], b[:len(a)]
	if y != nil {
		y = y[:len(a)]
		for i, v := range a {
			dst[i] = reluGrad(b[i], y[i]) + v
		}
		return
	}
	for i, v := range a {
		dst[i] = v + b[i]
	}
}

// Finite reports whether x holds no NaN and no Inf.
func Finite(x []float32) bool {
	i := 0
	if vec8.finite != nil {
		i = len(x) &^ 7
		if !vec8.finite(x[:i]) {
			return false
		}
	}
	return finiteGo(x[i:])
}

// finiteGo is the portable Finite. A float32 is NaN or +-Inf exactly when
// its exponent field is all ones; adding one at the field's lowest bit then
// carries into bit 31, which no finite value reaches. OR-ing the results
// needs no branch per element.
func finiteGo(x []float32) bool {
	var bad uint32
	for _, v := range x {
		bad |= math.Float32bits(v)&0x7f800000 + 0x00800000
	}
	return bad>>31 == 0
}
