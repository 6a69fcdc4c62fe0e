package kernel

// The passes of batch normalisation over one plane of values (one channel
// of one sample): the float64 sums of the statistics and of the gradients,
// the normalisation and its input gradient.
//
// The sums run four interleaved float64 accumulators, element j going to
// accumulator j%4, combined as (s0+s1)+(s2+s3) at the end, so that the
// additions are not one chain of dependent adds; the order is fixed, so
// results are reproducible. Four float64 accumulators are one 4-lane
// vector register, so the vector kernels follow the same order exactly.

// normAVX2 reports whether the functions below run their assembly
// versions (norm_amd64.s, for the CPUs with AVX2; elsewhere they are stubs
// never called). Those take the first multiple of 4 values (the sums,
// whose lane accumulators start at +0 and come back by value) or of 8
// values (the others) and do on each value what the Go loops do, so the
// bits are the same; the Go loops finish the rest. They are called
// directly, not through function values like vec8's: BatchNorm calls them
// once per plane, 16 values in ResNet-18's layer4, where the wrapper of an
// indirect call cost more than the sum itself.
var normAVX2 bool

// Sum64 returns the sum of v in float64.
func Sum64(v []float32) float64 {
	var s [4]float64
	i := 0
	if normAVX2 {
		i = len(v) &^ 3
		s = sum64AVX2(v[:i])
	}
	if i < len(v) {
		s = sum64Go(s, v[i:])
	}
	return (s[0] + s[1]) + (s[2] + s[3])
}

// sum64Go returns the lane accumulators s with v added, element j to
// s[j%4] and the last len(v)%4 elements to s[0].
func sum64Go(s [4]float64, v []float32) [4]float64 {
	s0, s1, s2, s3 := s[0], s[1], s[2], s[3]
	j := 0
	for ; j+4 <= len(v); j += 4 {
		q := v[j : j+4 : j+4]
		s0 += float64(q[0])
		s1 += float64(q[1])
		s2 += float64(q[2])
		s3 += float64(q[3])
	}
	for ; j < len(v); j++ {
		s0 += float64(v[j])
	}
	return [4]float64{s0, s1, s2, s3}
}

// Sum32 returns the sum of v in float32: eight partial sums, of the
// elements at each index mod 8 up to the last multiple of 8, added
// pairwise ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7)), then the remaining
// elements in order. The partial sums are independent chains (the lanes of
// one vector register in the assembly), so the additions are not
// serialised by their latency.
func Sum32(v []float32) float32 {
	var a [8]float32
	n := len(v) &^ 7
	if normAVX2 {
		a = sum32AVX2(v[:n])
	} else {
		a = sum32Go(v[:n])
	}
	s := ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
	for _, x := range v[n:] {
		s += x
	}
	return s
}

// sum32Go returns the eight partial sums of v (a multiple of 8 long):
// element j goes to s[j%8].
func sum32Go(v []float32) [8]float32 {
	var a0, a1, a2, a3, a4, a5, a6, a7 float32
	for i := 0; i+8 <= len(v); i += 8 {
		q := v[i : i+8 : i+8]
		a0, a1, a2, a3 = a0+q[0], a1+q[1], a2+q[2], a3+q[3]
		a4, a5, a6, a7 = a4+q[4], a5+q[5], a6+q[6], a7+q[7]
	}
	return [8]float32{a0, a1, a2, a3, a4, a5, a6, a7}
}

// SumSquares64 returns the sum of (v[j]-mean)^2 in float64.
func SumSquares64(v []float32, mean float64) float64 {
	var s [4]float64
	i := 0
	if normAVX2 {
		i = len(v) &^ 3
		s = sumSquares64AVX2(v[:i], mean)
	}
	if i < len(v) {
		s = sumSquares64Go(s, v[i:], mean)
	}
	return (s[0] + s[1]) + (s[2] + s[3])
}

// sumSquares64Go returns the lane accumulators s with the squares
// (v[j]-mean)^2 added as sum64Go adds the values.
func sumSquares64Go(s [4]float64, v []float32, mean float64) [4]float64 {
	s0, s1, s2, s3 := s[0], s[1], s[2], s[3]
	j := 0
	for ; j+4 <= len(v); j += 4 {
		q := v[j : j+4 : j+4]
		d0, d1, d2, d3 := float64(q[0])-mean, float64(q[1])-mean, float64(q[2])-mean, float64(q[3])-mean
		s0 += float64(d0 * d0)
		s1 += float64(d1 * d1)
		s2 += float64(d2 * d2)
		s3 += float64(d3 * d3)
	}
	for ; j < len(v); j++ {
		d := float64(v[j]) - mean
		s0 += float64(d * d)
	}
	return [4]float64{s0, s1, s2, s3}
}

// SumProducts64 returns the sum of the gradients d and the sum of
// d[j]*(x[j]-mean) in float64, where d is g, or with y not nil the
// gradient g of a ReLU output y passed to its input: what ReLUGrad would
// write, computed on the fly. x, and y if not nil, are at least as long as
// g.
func SumProducts64(g, y, x []float32, mean float64) (sg, sgx float64) {
	x = x[:len(g)]
	if y != nil {
		y = y[:len(g)]
	}
	var s [8]float64
	i := 0
	if normAVX2 {
		i = len(g) &^ 3
		s = sumProducts64AVX2(g[:i], head(y, i), x[:i], mean)
	}
	switch {
	case i == len(g):
	case y == nil:
		s = sumProducts64Go(s, g[i:], x[i:], mean)
	default:
		// The gradients into a buffer a multiple of 4 values at a time:
		// blocks of four go to the lanes in order however the values are
		// split, and only the last part has a tail.
		var d [256]float32
		for ; i < len(g); i += len(d) {
			n := min(len(d), len(g)-i)
			for j := range n {
				d[j] = reluGrad(g[i+j], y[i+j])
			}
			s = sumProducts64Go(s, d[:n], x[i:i+n], mean)
		}
	}
	return (s[0] + s[1]) + (s[2] + s[3]), (s[4] + s[5]) + (s[6] + s[7])
}

// head returns y[:i], or nil for a nil y.
func head(y []float32, i int) []float32 {
	if y == nil {
		return nil
	}
	return y[:i]
}

// tail returns y[i:], or nil for a nil y.
func tail(y []float32, i int) []float32 {
	if y == nil {
		return nil
	}
	return y[i:]
}

// sumProducts64Go returns the lane accumulators s with the values g added
// to s[0:4] and the products g[j]*(x[j]-mean) to s[4:8], as sum64Go adds
// values. x is as long as g.
func sumProducts64Go(s [8]float64, g, x []float32, mean float64) [8]float64 {
	x = x[:len(g)]
	a0, a1, a2, a3, b0, b1, b2, b3 := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
	j := 0
	for ; j+4 <= len(g); j += 4 {
		p, q := g[j:j+4:j+4], x[j:j+4:j+4]
		g0, g1, g2, g3 := float64(p[0]), float64(p[1]), float64(p[2]), float64(p[3])
		a0 += g0
		a1 += g1
		a2 += g2
		a3 += g3
		b0 += float64(g0 * (float64(q[0]) - mean))
		b1 += float64(g1 * (float64(q[1]) - mean))
		b2 += float64(g2 * (float64(q[2]) - mean))
		b3 += float64(g3 * (float64(q[3]) - mean))
	}
	for ; j < len(g); j++ {
		a0 += float64(g[j])
		b0 += float64(float64(g[j]) * (float64(x[j]) - mean))
	}
	return [8]float64{a0, a1, a2, a3, b0, b1, b2, b3}
}

// Normalize sets dst[j] = float32((src[j]-mean)*scale) + beta, the
// normalisation of a value with its scale (gamma/sigma) rounded to float32,
// or with relu that value's ReLU, Go's max(..., 0). dst must be at least
// as long as src.
func Normalize(dst, src []float32, mean, scale, beta float32, relu bool) {
	dst = dst[:len(src)]
	i := 0
	if normAVX2 {
		i = len(src) &^ 7
		normalizeAVX2(dst[:i], src[:i], mean, scale, beta, relu)
	}
	if i < len(src) {
		normalizeGo(dst[i:], src[i:], mean, scale, beta, relu)
	}
}

// normalizeGo is the portable Normalize.
func normalizeGo(dst, src []float32, mean, scale, beta float32, relu bool) {
	dst = dst[:len(src)]
	if relu {
		for j, v := range src {
			dst[j] = max(float32((v-mean)*scale)+beta, 0)
		}
		return
	}
	for j, v := range src {
		dst[j] = float32((v-mean)*scale) + beta
	}
}

// NormalizeAddReLU sets dst[j] = max(n + res[j], 0), where n =
// float32((src[j]-mean)*scale) + beta is Normalize's value: a normalised
// value with a residual added and its ReLU (Go's max, as in ReLU), the
// bits of Normalize, Add and ReLU in turn in one pass (where both terms of
// the sum are NaNs it is n's). dst and res must be at least as long as
// src.
func NormalizeAddReLU(dst, src, res []float32, mean, scale, beta float32) {
	dst, res = dst[:len(src)], res[:len(src)]
	i := 0
	if normAVX2 {
		i = len(src) &^ 7
		normalizeAddReLUAVX2(dst[:i], src[:i], res[:i], mean, scale, beta)
	}
	if i < len(src) {
		normalizeAddReLUGo(dst[i:], src[i:], res[i:], mean, scale, beta)
	}
}

// normalizeAddReLUGo is the portable NormalizeAddReLU; dst and res are as
// long as src.
func normalizeAddReLUGo(dst, src, res []float32, mean, scale, beta float32) {
	dst, res = dst[:len(src)], res[:len(src)]
	for j, v := range src {
		dst[j] = max(float32((v-mean)*scale)+beta+res[j], 0)
	}
}

// NormalizeGrad sets dx[j] = float32(k*d[j]) + float32(a*(x[j]-mean)) + b,
// evaluated left to right, the input gradient of a batch normalisation,
// where d is g, or with y not nil the gradient g of a ReLU output y passed
// to its input (ReLUGrad). dx, x, and y if not nil, must be at least as
// long as g.
func NormalizeGrad(dx, g, y, x []float32, k, a, b, mean float32) {
	dx, x = dx[:len(g)], x[:len(g)]
	if y != nil {
		y = y[:len(g)]
	}
	i := 0
	if normAVX2 {
		i = len(g) &^ 7
		normalizeGradAVX2(dx[:i], g[:i], head(y, i), x[:i], k, a, b, mean)
	}
	if i < len(g) {
		normalizeGradGo(dx[i:], g[i:], tail(y, i), x[i:], k, a, b, mean)
	}
}

// normalizeGradGo is the portable NormalizeGrad; dx, x, and y if not nil,
// are as long as g.
func normalizeGradGo(dx, g, y, x []float32, k, a, b, mean float32) {
	dx, x = dx[:len(g)], x[:len(g)]
	if y != nil {
		y = y[:len(g)]
		for j, d := range g {
			dx[j] = float32(k*reluGrad(d, y[j])) + float32(a*(x[j]-mean)) + b
		}
		return
	}
	for j, d := range g {
		dx[j] = float32(k*d) + float32(a*(x[j]-mean)) + b
	}
}
